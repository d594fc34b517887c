"""Agenda sign-ups: the registrant's places on agenda items (the personal agenda) and the waiting lists of
seat-limited items, counted under the item's row lock."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ...audit.services import record
from ...core.refusal import Refusal
from ...extensions import db
from ...tenancy.models import utcnow
from ..models import AgendaItem, AgendaSignup, Registration, RegistrationStatus, SignupStatus
from .notifications import _mail

# --- agenda sign-ups (the personal agenda; seat-limited items) ------------------------------------------


def lock_item(item: AgendaItem) -> None:
    statement = sa.select(AgendaItem.id).where(AgendaItem.id == item.id)
    if db.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    db.session.execute(statement)


def item_seats_taken(item: AgendaItem) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AgendaSignup)
        .where(AgendaSignup.agenda_item_id == item.id, AgendaSignup.status == SignupStatus.CONFIRMED)
    )


def sign_up(registration: Registration, item: AgendaItem, actor=None) -> AgendaSignup:
    """Put the registrant on an agenda item: a seat if one is left, else its waiting list."""
    if item.event_id != registration.event_id:
        raise Refusal(_("This item belongs to another session."))
    if registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING):
        raise Refusal(_("Only confirmed participants can sign up for agenda items."))
    lock_item(item)
    signup = db.session.scalar(
        sa.select(AgendaSignup).where(
            AgendaSignup.registration_id == registration.id, AgendaSignup.agenda_item_id == item.id
        )
    )
    if signup is not None and signup.status != SignupStatus.CANCELLED:
        return signup
    full = item.seat_limit is not None and item_seats_taken(item) >= item.seat_limit
    status = SignupStatus.WAITLISTED if full else SignupStatus.CONFIRMED
    if signup is None:
        signup = AgendaSignup(registration_id=registration.id, agenda_item_id=item.id, status=status)
        db.session.add(signup)
    else:
        signup.status, signup.created_at = status, utcnow()
    db.session.flush()
    record("event.agenda_signup", signup, actor=actor, after={"item": item.id, "status": status})
    return signup


def cancel_signup(signup: AgendaSignup, actor=None) -> None:
    item = signup.agenda_item
    lock_item(item)
    if signup.status == SignupStatus.CANCELLED:
        return
    signup.status = SignupStatus.CANCELLED
    db.session.flush()
    record("event.agenda_signup_cancelled", signup, actor=actor)
    promote_item_waitlist(item)


def promote_item_waitlist(item: AgendaItem) -> list[AgendaSignup]:
    lock_item(item)
    promoted = []
    while item.seat_limit is None or item_seats_taken(item) < item.seat_limit:
        signup = db.session.scalar(
            sa.select(AgendaSignup)
            .where(AgendaSignup.agenda_item_id == item.id, AgendaSignup.status == SignupStatus.WAITLISTED)
            .order_by(AgendaSignup.created_at, AgendaSignup.id)
            .limit(1)
        )
        if signup is None:
            break
        signup.status = SignupStatus.CONFIRMED
        db.session.flush()
        record("event.agenda_signup_promoted", signup, after={"item": item.id})
        _mail(signup.registration, "events_item_promoted", item=item)
        promoted.append(signup)
    return promoted


def personal_agenda(registration: Registration) -> list[AgendaSignup]:
    return list(
        db.session.scalars(
            sa.select(AgendaSignup)
            .join(AgendaItem, AgendaItem.id == AgendaSignup.agenda_item_id)
            .where(
                AgendaSignup.registration_id == registration.id, AgendaSignup.status != SignupStatus.CANCELLED
            )
            .order_by(AgendaItem.starts_at)
            .options(selectinload(AgendaSignup.agenda_item))
        )
    )
