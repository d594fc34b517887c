"""Outgoing webhooks: a center subscribes URLs to events; each event becomes one signed delivery per
subscription, queued through the outbox in the transaction of the change and sent by the worker.

Guarantees:
- a delivery exists exactly when the change that caused it committed (it is written in the same
  transaction, by a receiver of the change's signal in :mod:`clusterhub.core.signals`);
- the body is the same bytes on every attempt and every resend, with the same ``id``, so a receiver can
  drop duplicates; only the signature's timestamp changes;
- a request never waits for a receiver: the worker (``flask outbox send``) posts with a short timeout and
  retries with exponential backoff up to ``WEBHOOK_MAX_ATTEMPTS`` attempts;
- a subscription and its deliveries are tenant-owned: staff see and resend only their center's.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import requests
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from requests.adapters import HTTPAdapter

from ..audit.services import record
from ..core import signals
from ..core.refusal import Refusal
from ..core.urls import InvalidWebAddress, clean_web_address
from ..extensions import db
from ..outbox.models import OutboxKind, OutboxMessage, OutboxStatus
from ..tenancy.models import utcnow
from ..tenancy.scoping import tenant_scope
from .models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from .sealing import SecretKeyMismatch, seal, unseal

log = logging.getLogger(__name__)

EVENTS = {
    "registration.created": _l("Registration created"),
    "registration.cancelled": _l("Registration cancelled"),
    "registration.checked_in": _l("Participant checked in"),
    "service_request.changed": _l("Service request created or changed"),
    "project.status_changed": _l("Project status changed"),
    "protocol.signed": _l("Defense protocol signed"),
    "period_report.accepted": _l("Period report accepted"),
}
SIGNATURE_HEADER = "X-ClusterHub-Signature"
TIMESTAMP_HEADER = "X-ClusterHub-Timestamp"
TIMEOUT_SECONDS = 5
SECRET_PREFIX = "whsec_"
RECENT_DELIVERIES = 20


# --- subscriptions ---------------------------------------------------------------------------------------


def create_subscription(label: str, url: str, events, actor) -> WebhookSubscription:
    """Subscribe ``url`` (http or https) of the current center to ``events``; returns the subscription,
    whose secret (stored encrypted; :func:`secret_of` reads it) signs every delivery."""
    label = (label or "").strip()
    if not label:
        raise Refusal(_("Give the subscription a label."), "label")
    try:
        url = clean_web_address(url)
    except InvalidWebAddress as error:
        raise Refusal(str(error), "url") from None
    if not url:
        raise Refusal(_("Give the address that receives the events."), "url")
    if _names_a_private_host(url) and not _private_allowed():
        raise Refusal(
            _("Events are sent only to public addresses on the internet; this address is local or private."),
            "url",
        )
    chosen = [name for name in EVENTS if name in set(events or ())]
    if not chosen:
        raise Refusal(_("Choose at least one event."), "events")
    subscription = WebhookSubscription(
        label=label[:100],
        url=url,
        events=chosen,
        secret_encrypted=seal(_new_secret()),
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(subscription)
    db.session.flush()
    record(
        "webhook.subscribed", subscription, actor=actor, after={"label": label, "url": url, "events": chosen}
    )
    return subscription


def renew_secret(subscription: WebhookSubscription, actor) -> str:
    """Give the subscription a new secret (the old one was lost or leaked); deliveries sent from now on,
    retries and resends included, are signed with it. Returns the new secret, shown once."""
    secret = _new_secret()
    subscription.secret_encrypted = seal(secret)
    record("webhook.secret_renewed", subscription, actor=actor, after={"label": subscription.label})
    db.session.flush()
    return secret


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def secret_of(subscription: WebhookSubscription) -> str:
    """The subscription's secret in clear, to sign with or to show once to the staff who made it; raises
    :class:`~.sealing.SecretKeyMismatch` when the configured key cannot decrypt it."""
    return unseal(subscription.secret_encrypted)


def remove_subscription(subscription: WebhookSubscription, actor) -> None:
    """Delete the subscription and its deliveries; tickets still queued find nothing and are dropped."""
    record(
        "webhook.removed",
        subscription,
        actor=actor,
        before={"label": subscription.label, "url": subscription.url},
    )
    db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id))
    db.session.delete(subscription)
    db.session.flush()


def subscriptions() -> list[WebhookSubscription]:
    """The current center's subscriptions, newest first."""
    return list(
        db.session.scalars(sa.select(WebhookSubscription).order_by(WebhookSubscription.id.desc())).all()
    )


def recent_deliveries(subscription: WebhookSubscription, limit: int = RECENT_DELIVERIES) -> list:
    return list(
        db.session.scalars(
            sa.select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription.id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(limit)
        ).all()
    )


# --- queueing ----------------------------------------------------------------------------------------------


def queue(event: str, tenant_id: int, data) -> list[WebhookDelivery]:
    """One delivery (and its outbox ticket) per active subscription of ``tenant_id`` to ``event``, in
    the current transaction. ``data`` is the payload, or a function that builds it (called only when
    some subscription wants the event)."""
    deliveries = []
    with tenant_scope(db.session, tenant_id):
        wanting = [
            s
            for s in db.session.scalars(
                sa.select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
            )
            if s.wants(event)
        ]
        if wanting and callable(data):
            try:
                data = data()
            except Exception as error:
                raise WebhookPayloadError(event) from error
        for subscription in wanting:
            delivery = WebhookDelivery(
                subscription_id=subscription.id,
                event_id=f"evt_{uuid.uuid4().hex}",
                event=event,
                data=data,
                next_attempt_at=utcnow(),
            )
            db.session.add(delivery)
            db.session.flush()
            _add_ticket(delivery)
            deliveries.append(delivery)
    return deliveries


def _add_ticket(delivery: WebhookDelivery) -> OutboxMessage:
    ticket = OutboxMessage(
        kind=OutboxKind.WEBHOOK,
        message_id=f"<{delivery.event_id}.{uuid.uuid4().hex[:8]}@webhook.clusterhub>",
        recipient=f"webhook subscription {delivery.subscription_id}",
        subject=delivery.event,
        body_text="",
        webhook_tenant_id=delivery.tenant_id,
        webhook_delivery_id=delivery.id,
    )
    db.session.add(ticket)
    return ticket


def resend(delivery: WebhookDelivery, actor) -> None:
    """Send the delivery again, with the same ``id`` and body (a receiver that has it drops it)."""
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = utcnow()
    queued = db.session.scalar(
        sa.select(OutboxMessage).where(
            OutboxMessage.kind == OutboxKind.WEBHOOK,
            OutboxMessage.webhook_tenant_id == delivery.tenant_id,
            OutboxMessage.webhook_delivery_id == delivery.id,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
    )
    if queued is not None:
        queued.next_attempt_at = utcnow()
    else:
        _add_ticket(delivery)
    record("webhook.resent", delivery, actor=actor, after={"event": delivery.event})
    db.session.flush()


# --- payloads (documented in docs/webhooks.md) ---------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() + "Z" if isinstance(value, datetime) else (value.isoformat() if value else None)


def registration_data(registration) -> dict:
    event = registration.event
    return {
        "registration": {
            "id": registration.id,
            "event_id": registration.event_id,
            "status": registration.status,
            "full_name": registration.full_name,
            "email": registration.email,
            "organisation": registration.organisation,
            "category": registration.category,
            "created_at": _iso(registration.created_at),
            "checked_in_at": _iso(registration.checked_in_at),
        },
        "event": {"id": event.id, "title_ru": event.title_ru, "start_date": _iso(event.start_date)},
    }


def _on_registration_created(registration, **_kw):
    queue("registration.created", registration.tenant_id, lambda: registration_data(registration))


def _on_registration_cancelled(registration, previous_status=None, by_staff=False, **_kw):
    def data():
        return registration_data(registration) | {"previous_status": previous_status, "by_staff": by_staff}

    queue("registration.cancelled", registration.tenant_id, data)


def _on_checked_in(registration, agenda_item=None, **_kw):
    def data():
        return registration_data(registration) | {"agenda_item_id": getattr(agenda_item, "id", None)}

    queue("registration.checked_in", registration.tenant_id, data)


def _on_service_request_changed(service_request, previous_status=None, **_kw):
    queue(
        "service_request.changed",
        service_request.tenant_id,
        lambda: _request_data(service_request, previous_status),
    )


def _request_data(service_request, previous_status) -> dict:
    service = service_request.service
    return {
        "service_request": {
            "id": service_request.id,
            "status": service_request.status,
            "previous_status": previous_status,
            "service_id": service_request.service_id,
            "service_name_ru": service.name_ru,
            "technopark_id": service.technopark_id,
            "enterprise_inn": service_request.enterprise.inn,
            "quantity": str(service_request.quantity),
            "quote": None if service_request.quote is None else str(service_request.quote),
            "updated_at": _iso(service_request.updated_at),
        }
    }


def _on_project_status_changed(project, previous_status=None, **_kw):
    queue("project.status_changed", project.tenant_id, lambda: _project_data(project, previous_status))


def _project_data(project, previous_status) -> dict:
    return {
        "project": {
            "id": project.id,
            "title_ru": project.title_ru,
            "status": project.status,
            "previous_status": previous_status,
            "defense_outcome": project.defense_outcome,
        }
    }


def _on_protocol_signed(protocol, defense_round=None, **_kw):
    queue("protocol.signed", protocol.tenant_id, lambda: _protocol_data(protocol, defense_round))


def _protocol_data(protocol, defense_round) -> dict:
    from ..core.urls import external_url

    return {
        "protocol": {
            "id": protocol.id,
            "defense_round_id": protocol.defense_round_id,
            "defense_round_title": getattr(defense_round, "title", None),
            "content_hash": protocol.content_hash,
            "signed_at": _iso(protocol.signed_at),
            "verify_url": external_url("defenses.verify", digest=protocol.content_hash),
        }
    }


def _on_period_report_accepted(report, **_kw):
    queue("period_report.accepted", report.tenant_id, lambda: _report_data(report))


def _report_data(report) -> dict:
    return {
        "period_report": {
            "id": report.id,
            "period": report.period,
            "status": report.status,
            "reviewed_at": _iso(report.reviewed_at),
        }
    }


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


class WebhookPayloadError(RuntimeError):
    pass


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


# --- delivery ------------------------------------------------------------------------------------------


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes posted: the same on every attempt."""
    payload = {
        "id": delivery.event_id,
        "event": delivery.event,
        "created_at": _iso(delivery.created_at),
        "data": delivery.data,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 with the subscription's secret over ``<timestamp>.<body>``."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the ``attempts``-th failure: base × 4^(attempts-1), at most 12 hours."""
    base = current_app.config["WEBHOOK_RETRY_BASE_SECONDS"]
    return timedelta(seconds=min(base * 4 ** (attempts - 1), 12 * 3600))


class _Refused(Exception):
    """The destination may not be called now (its name does not resolve): the delivery is retried."""


class _Forbidden(_Refused):
    """The destination is an address the platform never calls: the delivery fails at once."""


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, in the resolver's order."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def _private_allowed() -> bool:
    allowed = current_app.config.get("WEBHOOK_ALLOW_PRIVATE_ADDRESSES")
    return current_app.config["ENV"] == "local" if allowed is None else bool(allowed)


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether ``address`` is on the public internet, an IPv4 address carried inside an IPv6 one (mapped,
    6to4, NAT64) included: ``::ffff:127.0.0.1`` and ``64:ff9b::a9fe:a9fe`` are internal too."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in _NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None and not inner.is_global:
            return False
    return address.is_global


def _names_a_private_host(url: str) -> bool:
    """Whether the address visibly names a non-public host (an IP literal or ``localhost``), refused when
    the subscription is saved; a name is checked each time a delivery resolves it."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not is_public(ipaddress.ip_address(host.split("%")[0]))
    except ValueError:
        return False


def checked_address(url: str) -> str:
    """Resolve the host of ``url`` once and return the address to connect to: the first one, after every
    one was found public. Refuses private, loopback and link-local addresses (the cluster's own services,
    the cloud's metadata endpoint) unless ``WEBHOOK_ALLOW_PRIVATE_ADDRESSES`` allows them (local runs and
    tests). The caller connects to this very address: resolving again when connecting would let a host
    that answered a public address here answer 127.0.0.1 there (DNS rebinding)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError as error:
        raise _Refused(f"cannot resolve {host}: {error}") from None
    if not addresses:
        raise _Refused(f"cannot resolve {host}: no address")
    checked = [ipaddress.ip_address(a.split("%")[0]) for a in addresses]
    if not _private_allowed():
        for address in checked:
            if not is_public(address):
                raise _Forbidden(
                    f"{host} resolves to a non-public address ({address}); webhooks are only sent to "
                    "public addresses"
                )
    return str(checked[0])


class _PinnedAdapter(HTTPAdapter):
    """Connects to the URL's IP address while checking TLS for ``host_name``: the name goes out in SNI
    and the certificate must be valid for it, as if the URL still carried the name."""

    def __init__(self, host_name: str):
        self.host_name = host_name
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self.host_name
            pool_kwargs["assert_hostname"] = self.host_name
        return host_params, pool_kwargs


def post(subscription: WebhookSubscription, delivery: WebhookDelivery) -> requests.Response:
    """POST the delivery, signed, to the checked address of the subscription's host (redirects are not
    followed, proxies from the environment not used: either would resolve a name again)."""
    body = body_of(delivery)
    timestamp = int(time.time())
    signed = signature(secret_of(subscription), timestamp, body)
    parts = urlsplit(subscription.url)
    address = checked_address(subscription.url)
    userinfo, _at, host_port = parts.netloc.rpartition("@")
    literal = f"[{address}]" if ":" in address else address
    netloc = (f"{userinfo}@" if _at else "") + literal + (f":{parts.port}" if parts.port else "")
    with requests.Session() as http:
        http.trust_env = False
        http.mount("http://", _PinnedAdapter(parts.hostname or ""))
        http.mount("https://", _PinnedAdapter(parts.hostname or ""))
        return http.post(
            urlunsplit(parts._replace(netloc=netloc)),
            data=body,
            headers={
                "Host": host_port,
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "ClusterHub-Webhooks/1",
                "X-ClusterHub-Event": delivery.event,
                "X-ClusterHub-Delivery": delivery.event_id,
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: signed,
            },
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )


def deliver_ticket(ticket: OutboxMessage, now: datetime) -> str:
    """Attempt the delivery behind an outbox ticket (the worker asks through ``signals.webhook_ticket_due``;
    the ticket is claimed and its ``attempts`` already counted). Updates the ticket and the delivery;
    returns ``sent``, ``retry`` or ``failed``. The caller commits."""
    with tenant_scope(db.session, ticket.webhook_tenant_id):
        delivery = db.session.get(WebhookDelivery, ticket.webhook_delivery_id)
        if delivery is None:  # the subscription was removed after the event
            ticket.status, ticket.last_error = OutboxStatus.FAILED, "subscription removed"
            return "failed"
        subscription = delivery.subscription
        delivery.attempts += 1
        delivery.last_attempt_at = now
        error, forbidden = None, False
        try:
            response = post(subscription, delivery)
        except SecretKeyMismatch as exc:
            # Never sent unsigned; retried, so deliveries resume once the right key is configured.
            log.error("Webhook %s of subscription %s not sent: %s", delivery.event_id, subscription.id, exc)
            error = f"{type(exc).__name__}: {exc}"
            delivery.last_status_code = None
        except _Refused as exc:
            error, forbidden = str(exc)[:2000], isinstance(exc, _Forbidden)
            delivery.last_status_code = None
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
            delivery.last_status_code = None
        else:
            delivery.last_status_code = response.status_code
            if not 200 <= response.status_code < 300:
                error = f"HTTP {response.status_code}"
        delivery.last_error = ticket.last_error = error
        if error is None:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                DeliveryStatus.DELIVERED,
                now,
                None,
            )
            ticket.status, ticket.sent_at = OutboxStatus.SENT, now
            return "sent"
        if forbidden or ticket.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            ticket.status = OutboxStatus.FAILED
            log.warning("Webhook %s to %s failed for good: %s", delivery.event_id, subscription.url, error)
            return "failed"
        delivery.next_attempt_at = ticket.next_attempt_at = now + retry_delay(ticket.attempts)
        delivery.status = DeliveryStatus.PENDING
        log.info(
            "Webhook %s to %s failed (attempt %s): %s",
            delivery.event_id,
            subscription.url,
            ticket.attempts,
            error,
        )
        return "retry"


def _delivered_before(cutoff: datetime) -> sa.Select:
    return sa.select(WebhookDelivery.id).where(
        WebhookDelivery.status == DeliveryStatus.DELIVERED, WebhookDelivery.delivered_at < cutoff
    )


def count_delivered_before(tenant_id: int, cutoff: datetime) -> int:
    """How many of the center's deliveries were delivered before ``cutoff``."""
    with tenant_scope(db.session, tenant_id):
        return (
            db.session.scalar(sa.select(sa.func.count()).select_from(_delivered_before(cutoff).subquery()))
            or 0
        )


def purge_delivered(tenant_id: int, cutoff: datetime, limit: int = 1000) -> int:
    """Delete up to ``limit`` of the center's deliveries delivered before ``cutoff`` and return how many.
    Pending and failed deliveries (staff resend them) are kept, whatever their age."""
    with tenant_scope(db.session, tenant_id):
        ids = list(db.session.scalars(_delivered_before(cutoff).order_by(WebhookDelivery.id).limit(limit)))
        if ids:
            db.session.execute(
                sa.delete(WebhookDelivery).where(
                    WebhookDelivery.tenant_id == tenant_id, WebhookDelivery.id.in_(ids)
                )
            )
            db.session.flush()
    return len(ids)
