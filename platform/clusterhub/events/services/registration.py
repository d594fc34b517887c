"""Registration: registering a person (or a group), the guest's e-mail confirmation, approval, declining,
cancelling, the waiting list and the staff's corrections.

Capacity is never oversold: every operation that takes or frees a seat first locks the event row (or the
agenda item row for seat-limited items) with ``SELECT ... FOR UPDATE`` on PostgreSQL, then counts and
writes under that lock. SQLite serialises writers itself.
"""

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired

from ...audit.services import record, snapshot
from ...core import signals
from ...core.refusal import Refusal
from ...enterprises.models import Enterprise
from ...enterprises.services.profiles import get_or_create_by_inn
from ...enterprises.services.representatives import is_representative
from ...extensions import db
from ...regions.models import Region
from ...tenancy.models import utcnow
from ...tenancy.scoping import current_tenant_id
from ..models import (
    ACTIVE_STATUSES,
    SEAT_HOLDING,
    AgendaItem,
    Event,
    EventStatus,
    ParticipantCategory,
    Registration,
    RegistrationStatus,
    SignupStatus,
)
from .common import touch
from .links import _serializer, absolute_url
from .notifications import _mail, _mail_status
from .signups import promote_item_waitlist

CONFIRM_MAX_AGE = 3 * 24 * 3600
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed by hand at the door


# --- registration ---------------------------------------------------------------------------------------


@dataclass
class Participant:
    """What a registration form collects about one person."""

    full_name: str
    email: str
    category: str
    region_id: int | None
    organisation: str
    position_title: str | None = None
    phone: str | None = None
    inn: str | None = None
    consent: bool = False
    locale: str = "ru"


def _clean_email(value: str, field="email") -> str:
    try:
        return validate_email(
            (value or "").strip(), check_deliverability=False, test_environment=current_app.testing
        ).normalized.lower()
    except EmailNotValidError as error:
        raise Refusal(_("Enter a valid e-mail address."), field) from error


def _clean_participant(person: Participant, actor=None) -> dict:
    full_name = (person.full_name or "").strip()
    if not full_name:
        raise Refusal(_("Give the participant's name."), "full_name")
    email = _clean_email(person.email)
    if person.category not in set(ParticipantCategory):
        raise Refusal(_("Choose the participant category."), "category")
    if not person.region_id or db.session.get(Region, person.region_id) is None:
        raise Refusal(_("Choose a region from the list."), "region_id")
    organisation = (person.organisation or "").strip()
    enterprise_id = None
    if (person.inn or "").strip():
        try:
            enterprise, _created = get_or_create_by_inn(
                person.inn, organisation, region_id=person.region_id, actor=actor
            )
        except Refusal as error:
            raise Refusal(str(error), "inn") from error
        enterprise_id = enterprise.id
        organisation = organisation or enterprise.full_name
    if not organisation:
        raise Refusal(_("Give the organisation."), "organisation")
    if not person.consent:
        raise Refusal(_("Registration needs your consent to the processing of personal data."), "consent")
    return {
        "full_name": full_name,
        "email": email,
        "category": person.category,
        "region_id": person.region_id,
        "organisation": organisation,
        "enterprise_id": enterprise_id,
        "position_title": (person.position_title or "").strip() or None,
        "phone": (person.phone or "").strip() or None,
        "locale": person.locale if person.locale in ("ru", "en") else "ru",
    }


def lock_event(event: Event) -> None:
    """Take the event's row lock (PostgreSQL) for the rest of the transaction: seat counts are stable."""
    statement = sa.select(Event.id).where(Event.id == event.id)
    if db.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    db.session.execute(statement)


def seats_taken(event: Event) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.status.in_(SEAT_HOLDING))
    )


def seats_left(event: Event) -> int | None:
    if event.capacity is None:
        return None
    return max(0, event.capacity - seats_taken(event))


def _seat_status(event: Event) -> str:
    """What a new confirmed registrant gets: a seat (pending approval or confirmed) or the waiting list."""
    if event.capacity is not None and seats_taken(event) >= event.capacity:
        return RegistrationStatus.WAITLISTED
    return RegistrationStatus.PENDING if event.requires_approval else RegistrationStatus.CONFIRMED


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def _check_open(event: Event) -> None:
    if event.status != EventStatus.PUBLISHED:
        raise Refusal(_("Registration for this session is closed."))
    if event.has_ended:
        raise Refusal(
            _("This session ended on %(date)s: registration is closed.", date=format_date(event.end_date))
        )


class AlreadyRegistered(Refusal):
    """The address is already registered for this session. For a guest the public form must not reveal
    it (anyone could probe who attends): the view answers as for a new registration, and the address's
    owner gets an e-mail with their existing ticket instead."""


def _check_not_registered(event: Event, email: str, guest: bool = False) -> None:
    existing = db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id,
            Registration.email == email,
            Registration.status.in_(ACTIVE_STATUSES),
        )
    )
    if existing is not None:
        if guest:
            _mail(existing, "events_already_registered")
        raise AlreadyRegistered(_("%(email)s is already registered for this session.", email=email), "email")


def register(event: Event, person: Participant, *, user=None, guest=False, actor=None) -> Registration:
    """Register one person.

    A guest (no account) gets ``unconfirmed`` and an e-mail with a confirmation link; the seat is taken
    when they confirm. Otherwise the person gets a seat (confirmed, or pending when the event requires
    approval) or, when the event is full, a place on the waiting list. Never more seats than the capacity.
    """
    _check_open(event)
    values = _clean_participant(person, actor=actor or user)
    lock_event(event)
    _check_not_registered(event, values["email"], guest=guest)
    status = RegistrationStatus.UNCONFIRMED if guest else _seat_status(event)
    registration = Registration(
        event_id=event.id,
        user_id=getattr(user, "id", None),
        registered_by_id=getattr(actor or user, "id", None),
        status=status,
        consent_version=event.consent_version,
        consent_at=utcnow(),
        code=_new_code(),
        confirmed_at=None if guest else utcnow(),
        **values,
    )
    db.session.add(registration)
    touch(event)
    db.session.flush()
    record(
        "event.registered",
        registration,
        actor=actor or user,
        after={"event": event.id, "email": registration.email, "status": status},
    )
    signals.registration_created.send(registration)
    if guest:
        _mail(registration, "events_confirm_email", link=confirm_link(registration))
    else:
        _mail_status(registration)
    return registration


def register_group(
    event: Event, enterprise: Enterprise, people: list[Participant], actor
) -> list[Registration]:
    """A representative registers several employees under their enterprise, all or none.

    Each employee is registered as a confirmed person (the representative answers for them and for their
    consent), with the enterprise as organisation; those beyond the capacity go to the waiting list.
    """
    if not is_representative(actor, enterprise):
        raise Refusal(_("Only a confirmed representative of the enterprise can register its employees."))
    if not people:
        raise Refusal(_("Add at least one employee."))
    emails = [p.email.strip().lower() for p in people]
    if len(set(emails)) != len(emails):
        raise Refusal(_("The same e-mail address appears twice."))
    registrations = []
    for person in people:
        person.organisation = enterprise.full_name
        person.inn = enterprise.inn
        person.region_id = person.region_id or enterprise.region_id
        registrations.append(register(event, person, user=None, actor=actor))
    return registrations


def confirm_link(registration: Registration) -> str:
    token = _serializer("confirm", timed=True).dumps({"t": registration.tenant_id, "r": registration.id})
    return absolute_url("events.confirm_email", tenant=registration.event.tenant.slug, token=token)


def confirm_email(token: str) -> Registration:
    """A guest clicked the link: the registration takes a seat (or the waiting list). Clicking twice is fine."""
    try:
        data = _serializer("confirm", timed=True).loads(token, max_age=CONFIRM_MAX_AGE)
    except SignatureExpired as error:
        raise Refusal(_("This confirmation link has expired. Register again.")) from error
    except BadSignature as error:
        raise Refusal(_("This confirmation link is not valid.")) from error
    if data.get("t") != current_tenant_id(db.session):
        raise Refusal(_("This confirmation link is not valid."))
    registration = db.session.scalar(sa.select(Registration).where(Registration.id == data.get("r")))
    if registration is None:
        raise Refusal(_("This confirmation link is not valid."))
    if registration.status != RegistrationStatus.UNCONFIRMED:
        return registration
    _take_seat(registration)
    record("event.registration_email_confirmed", registration, after={"status": registration.status})
    _mail_status(registration)
    return registration


def _take_seat(registration: Registration) -> None:
    """An unconfirmed registration takes a seat or the waiting list, counted under the event's lock."""
    event = registration.event
    lock_event(event)
    registration.status = _seat_status(event)
    registration.confirmed_at = utcnow()
    touch(event)
    db.session.flush()


def confirm_by_staff(registration: Registration, actor) -> Registration:
    """Staff confirm a guest whose confirmation mail never arrived: the same seat rules as the link.

    The audit log records who confirmed it in the registrant's stead."""
    if registration.status != RegistrationStatus.UNCONFIRMED:
        raise Refusal(_("Only a registration whose e-mail is not confirmed can be confirmed by staff."))
    _take_seat(registration)
    record(
        "event.registration_confirmed_by_staff",
        registration,
        actor=actor,
        before={"status": RegistrationStatus.UNCONFIRMED},
        after={"status": registration.status, "email": registration.email},
    )
    _mail_status(registration)
    return registration


def cancel_registration(registration: Registration, actor=None, by_staff=False) -> Registration:
    """Cancel; the freed seat (and freed agenda seats) go to the first on the waiting list."""
    if registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED):
        raise Refusal(_("This registration is already cancelled."))
    event = registration.event
    lock_event(event)
    before = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utcnow()
    freed_items = _release_signups(registration)
    touch(event)
    db.session.flush()
    record(
        "event.registration_cancelled",
        registration,
        actor=actor,
        before={"status": before},
        after={"status": registration.status, "by_staff": by_staff},
    )
    signals.registration_cancelled.send(registration, previous_status=before, by_staff=by_staff)
    if by_staff:
        _mail(registration, "events_cancelled")
    promote_waitlist(event)
    for item in freed_items:
        promote_item_waitlist(item)
    return registration


def _release_signups(registration: Registration) -> list[AgendaItem]:
    """Give up the registrant's places on agenda items; returns the items whose seats were freed."""
    freed = []
    for signup in registration.signups:
        if signup.status != SignupStatus.CANCELLED:
            signup.status = SignupStatus.CANCELLED
            freed.append(signup.agenda_item)
    return freed


def approve(registration: Registration, actor=None) -> Registration:
    if registration.status != RegistrationStatus.PENDING:
        raise Refusal(_("Only a registration awaiting approval can be approved."))
    registration.status = RegistrationStatus.CONFIRMED
    db.session.flush()
    record("event.registration_approved", registration, actor=actor, after={"status": registration.status})
    _mail_status(registration)
    return registration


def decline(registration: Registration, actor=None) -> Registration:
    if registration.status not in (RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED):
        raise Refusal(_("Only a registration awaiting approval or on the waiting list can be declined."))
    lock_event(registration.event)
    before = registration.status
    registration.status = RegistrationStatus.DECLINED
    freed_items = _release_signups(registration)
    touch(registration.event)
    db.session.flush()
    record("event.registration_declined", registration, actor=actor, before={"status": before})
    _mail(registration, "events_declined")
    promote_waitlist(registration.event)
    for item in freed_items:
        promote_item_waitlist(item)
    return registration


def promote_waitlist(event: Event) -> list[Registration]:
    """Give free seats to the waiting list in order of registration; each promoted person gets an e-mail.

    The caller holds the event lock (or takes it here). A finished or cancelled event promotes no one."""
    if event.status not in (EventStatus.PUBLISHED, EventStatus.REGISTRATION_CLOSED):
        return []
    lock_event(event)
    promoted = []
    while event.capacity is None or seats_taken(event) < event.capacity:
        registration = db.session.scalar(
            sa.select(Registration)
            .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED)
            .order_by(Registration.confirmed_at, Registration.id)
            .limit(1)
        )
        if registration is None:
            break
        registration.status = (
            RegistrationStatus.PENDING if event.requires_approval else RegistrationStatus.CONFIRMED
        )
        touch(event)
        db.session.flush()
        record("event.registration_promoted", registration, after={"status": registration.status})
        _mail(registration, "events_promoted")
        promoted.append(registration)
    return promoted


REGISTRATION_EDIT_FIELDS = (
    "full_name",
    "email",
    "phone",
    "category",
    "region_id",
    "organisation",
    "position_title",
)


def update_registration(registration: Registration, values: dict, actor=None) -> Registration:
    """Staff correct a registrant's details (the consent record stays as it was given)."""
    person = Participant(
        full_name=values.get("full_name"),
        email=values.get("email"),
        category=values.get("category"),
        region_id=values.get("region_id"),
        organisation=values.get("organisation"),
        position_title=values.get("position_title"),
        phone=values.get("phone"),
        inn=values.get("inn"),
        consent=True,
        locale=registration.locale,
    )
    clean = _clean_participant(person, actor=actor)
    if clean["email"] != registration.email:
        _check_not_registered(registration.event, clean["email"])
    before = snapshot(registration, REGISTRATION_EDIT_FIELDS)
    for key in (*REGISTRATION_EDIT_FIELDS, "enterprise_id"):
        if key == "enterprise_id" and not clean["enterprise_id"]:
            continue
        setattr(registration, key, clean[key])
    touch(registration.event)
    db.session.flush()
    record(
        "event.registration_updated",
        registration,
        actor=actor,
        before=before,
        after=snapshot(registration, REGISTRATION_EDIT_FIELDS),
    )
    return registration
