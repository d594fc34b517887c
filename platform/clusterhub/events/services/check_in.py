"""Check-in at the door: finding a registrant by code, ticket or name, checking in and undoing it (at the
event or at one agenda item)."""

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from ...audit.services import record
from ...core import signals
from ...core.refusal import Refusal
from ...extensions import db
from ...tenancy.models import utcnow
from ..models import (
    ACTIVE_STATUSES,
    AgendaItem,
    AgendaSignup,
    Event,
    Registration,
    RegistrationStatus,
    SignupStatus,
)
from .links import registration_from_ticket
from .rosters import participants_query
from .signups import sign_up

# --- check-in -----------------------------------------------------------------------------------------


def find_for_check_in(event: Event, text: str) -> Registration:
    """The registration of ``event`` named by a scanned ticket or a typed code."""
    text = (text or "").strip()
    if not text:
        raise Refusal(_("Scan the QR code or type the code."))
    if "." in text:  # a signed ticket (from the QR code, maybe a whole URL)
        registration = registration_from_ticket(text.rstrip("/").rsplit("/", 1)[-1], event.tenant_id)
    else:
        code = re.sub(r"[\s-]", "", text).upper()
        registration = db.session.scalar(sa.select(Registration).where(Registration.code == code))
        if registration is None:
            raise Refusal(_("No registration has this code."))
    if registration.event_id != event.id:
        raise Refusal(_("This ticket is for another session."))
    return registration


def check_in_candidates(event: Event, text: str, limit: int = 20) -> list[Registration]:
    """Registrations of ``event`` whose name, organisation, e-mail or code match ``text`` (for the door,
    when a participant has no ticket with them); the active ones first."""
    if not (text or "").strip():
        return []
    statement = participants_query(event, search=text).where(Registration.status.in_(ACTIVE_STATUSES))
    return list(db.session.scalars(statement.limit(limit)))


def check_in(registration: Registration, actor=None, item: AgendaItem | None = None) -> bool:
    """Mark the person present (at the event, or at one agenda item). Returns False if they already were.

    Only confirmed registrants are let in; doing it twice changes nothing.
    """
    if registration.status != RegistrationStatus.CONFIRMED:
        raise Refusal(
            _(
                "%(name)s cannot be checked in: %(status)s.",
                name=registration.full_name,
                status=registration.status_label,
            )
        )
    if item is None:
        if registration.checked_in_at is not None:
            return False
        registration.checked_in_at = utcnow()
        registration.checked_in_by_id = getattr(actor, "id", actor)
        db.session.flush()
        record("event.checked_in", registration, actor=actor)
        signals.registration_checked_in.send(registration, agenda_item=None)
        return True
    signup = db.session.scalar(
        sa.select(AgendaSignup).where(
            AgendaSignup.registration_id == registration.id, AgendaSignup.agenda_item_id == item.id
        )
    )
    if signup is None or signup.status != SignupStatus.CONFIRMED:
        if item.seat_limit is not None:
            raise Refusal(_("%(name)s has no seat on this item.", name=registration.full_name))
        signup = sign_up(registration, item, actor=actor)
    if signup.checked_in_at is not None:
        return False
    signup.checked_in_at = utcnow()
    if registration.checked_in_at is None:  # present at an item means present at the event
        registration.checked_in_at = signup.checked_in_at
        registration.checked_in_by_id = getattr(actor, "id", actor)
    db.session.flush()
    record("event.checked_in", registration, actor=actor, after={"item": item.id})
    signals.registration_checked_in.send(registration, agenda_item=item)
    return True


def undo_check_in(registration: Registration, actor=None, item: AgendaItem | None = None) -> None:
    """Take back a mistaken check-in (at the event, which also clears its items, or at one item)."""
    if item is None:
        registration.checked_in_at = None
        registration.checked_in_by_id = None
        for signup in registration.signups:
            signup.checked_in_at = None
    else:
        for signup in registration.signups:
            if signup.agenda_item_id == item.id:
                signup.checked_in_at = None
    db.session.flush()
    record("event.check_in_undone", registration, actor=actor, after={"item": getattr(item, "id", None)})
