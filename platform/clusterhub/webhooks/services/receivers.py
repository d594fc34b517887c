"""The receivers of the change signals: each queues its event's deliveries, and a payload that cannot be
built never refuses the change itself."""

import logging

from ...core import signals
from . import payloads
from .delivery import deliver_ticket
from .queueing import WebhookPayloadError, queue

log = logging.getLogger(__name__)


def _on_registration_created(registration, **_kw):
    queue("registration.created", registration.tenant_id, lambda: payloads.registration_data(registration))


def _on_registration_cancelled(registration, previous_status=None, by_staff=False, **_kw):
    def data():
        return payloads.registration_data(registration) | {
            "previous_status": previous_status,
            "by_staff": by_staff,
        }

    queue("registration.cancelled", registration.tenant_id, data)


def _on_checked_in(registration, agenda_item=None, **_kw):
    def data():
        return payloads.registration_data(registration) | {"agenda_item_id": getattr(agenda_item, "id", None)}

    queue("registration.checked_in", registration.tenant_id, data)


def _on_service_request_changed(service_request, previous_status=None, **_kw):
    queue(
        "service_request.changed",
        service_request.tenant_id,
        lambda: payloads.request_data(service_request, previous_status),
    )


def _on_project_status_changed(project, previous_status=None, **_kw):
    queue(
        "project.status_changed", project.tenant_id, lambda: payloads.project_data(project, previous_status)
    )


def _on_protocol_signed(protocol, defense_round=None, **_kw):
    queue("protocol.signed", protocol.tenant_id, lambda: payloads.protocol_data(protocol, defense_round))


def _on_period_report_accepted(report, **_kw):
    queue("period_report.accepted", report.tenant_id, lambda: payloads.report_data(report))


_RECEIVERS = [
    (signals.registration_created, _on_registration_created),
    (signals.registration_cancelled, _on_registration_cancelled),
    (signals.registration_checked_in, _on_checked_in),
    (signals.service_request_changed, _on_service_request_changed),
    (signals.project_status_changed, _on_project_status_changed),
    (signals.protocol_signed, _on_protocol_signed),
    (signals.period_report_accepted, _on_period_report_accepted),
]


def _guarded(receiver):
    """A payload that cannot be built is logged and not sent: a webhook never refuses the change itself
    (signing a protocol, accepting a report). Writing the delivery is not guarded: it is part of the
    transaction, and a database error there fails the change like any other."""

    def receive(sender, **kwargs):
        try:
            receiver(sender, **kwargs)
        except WebhookPayloadError:
            log.exception("The webhook payload of %s could not be built", type(sender).__name__)

    receive.__name__ = receiver.__name__
    return receive


_connected: list = []


def connect_signals() -> None:
    """Wire the receivers (called by create_app; connecting twice changes nothing)."""
    signals.webhook_ticket_due.connect(deliver_ticket)
    if _connected:
        return
    for signal, receiver in _RECEIVERS:
        guarded = _guarded(receiver)
        _connected.append(guarded)  # blinker keeps weak references: keep the wrappers alive
        signal.connect(guarded)
