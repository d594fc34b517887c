"""Mail to registrants: status changes, the staff's messages and the reminders a day before an event.

Mail goes through the transactional outbox in the registrant's language, so it is sent exactly when the
change commits."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ...audit.services import record
from ...core.refusal import Refusal
from ...extensions import db
from ...outbox.services import enqueue_template
from ...tenancy.models import Tenant, utcnow
from ...tenancy.scoping import tenant_scope
from ..models import Event, EventStatus, Registration, RegistrationStatus
from .common import to_local
from .links import ticket_link


def _mail(registration: Registration, template: str, **context) -> None:
    event = registration.event
    enqueue_template(
        registration.email,
        template,
        registration.locale,
        tenant_slug=event.tenant.slug,
        event=event,
        registration=registration,
        tenant=event.tenant,
        ticket_link=ticket_link(registration),
        **context,
    )


def _mail_status(registration: Registration) -> None:
    template = {
        RegistrationStatus.CONFIRMED: "events_registration_confirmed",
        RegistrationStatus.PENDING: "events_registration_pending",
        RegistrationStatus.WAITLISTED: "events_waitlisted",
    }.get(registration.status)
    if template:
        _mail(registration, template)


def message_registrants(event: Event, registrations, subject: str, body: str, actor=None) -> int:
    """Queue a staff message to each registrant (each in their language's frame). Returns how many."""
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject or not body:
        raise Refusal(_("Write a subject and a message."))
    count = 0
    for registration in registrations:
        _mail(registration, "events_message", subject=subject, body=body)
        count += 1
    record("event.message_sent", event, actor=actor, after={"subject": subject, "recipients": count})
    return count


# A run missed or failed at the morning hour is made up by the next runs within this many hours; later
# than that the day's reminder would arrive too late to help, and none is sent.
REMINDER_CATCH_UP_HOURS = 3


def send_reminders(now: datetime | None = None, morning_hour: int | None = None) -> int:
    """Remind confirmed registrants a day before their event starts, in the center's local morning.

    Meant to run hourly: a center's registrants are reminded by the first run at or after
    ``morning_hour`` (``REMINDER_LOCAL_HOUR``, 9) on the center's clock, so Kaliningrad hears at
    07:00 UTC and Kamchatka at 21:00 UTC the day before. Each registration is reminded once
    (``reminded_at``): a second run in the same morning, or a retried job, sends nothing more.
    Returns how many reminders were queued."""
    now = now or utcnow()
    if morning_hour is None:
        morning_hour = int(current_app.config["REMINDER_LOCAL_HOUR"])
    sent = 0
    tenants = db.session.scalars(sa.select(Tenant).where(Tenant.status == "active")).all()
    for tenant in tenants:
        local_now = to_local(now, tenant)
        if not morning_hour <= local_now.hour < morning_hour + REMINDER_CATCH_UP_HOURS:
            continue
        tomorrow = local_now.date() + timedelta(days=1)
        with tenant_scope(db.session, tenant.id):
            rows = db.session.scalars(
                sa.select(Registration)
                .join(Event, Event.id == Registration.event_id)
                .where(
                    Event.start_date == tomorrow,
                    Event.status.in_((EventStatus.PUBLISHED, EventStatus.REGISTRATION_CLOSED)),
                    Registration.status == RegistrationStatus.CONFIRMED,
                    Registration.reminded_at.is_(None),
                )
            ).all()
            for registration in rows:
                _mail(registration, "events_reminder")
                registration.reminded_at = now
                sent += 1
            db.session.flush()
    return sent
