"""Operations on events: organising, registration with capacity and waiting lists, check-in, statistics.

Services validate, change rows and flush; the request's unit of work commits (a command commits itself).
Every state change is audited, and mail goes through the transactional outbox in the registrant's language,
so it is sent exactly when the change commits.

Capacity is never oversold: every operation that takes or frees a seat first locks the event row (or the
agenda item row for seat-limited items) with ``SELECT ... FOR UPDATE`` on PostgreSQL, then counts and
writes under that lock. SQLite serialises writers itself.
"""

import importlib
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy.orm import selectinload

from ..audit.services import record, snapshot
from ..core import signals
from ..core.refusal import Refusal
from ..core.urls import is_web_address
from ..enterprises.models import Enterprise
from ..enterprises.services.history import HistoryItem
from ..enterprises.services.identifiers import clean_inn
from ..enterprises.services.profiles import get_or_create_by_inn
from ..enterprises.services.representatives import is_representative
from ..extensions import db
from ..outbox.services import enqueue_template
from ..projects.models import JointProject, ProjectStatus
from ..regions.models import Region
from ..technoparks.models import Technopark
from ..tenancy import cross_tenant
from ..tenancy.models import Tenant, utcnow
from ..tenancy.scoping import current_tenant_id, tenant_scope
from .models import (
    ACTIVE_STATUSES,
    SEAT_HOLDING,
    AgendaItem,
    AgendaItemHost,
    AgendaKind,
    AgendaSignup,
    Event,
    EventKind,
    EventOrganiser,
    EventStatus,
    OrganiserRole,
    ParticipantCategory,
    Registration,
    RegistrationStatus,
    SignupStatus,
    Venue,
)

CONFIRM_MAX_AGE = 3 * 24 * 3600
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed by hand at the door


# --- time zones ---------------------------------------------------------------------------------------


def zone(tenant: Tenant) -> ZoneInfo:
    return ZoneInfo(tenant.timezone)


def to_utc(local: datetime, tenant: Tenant) -> datetime:
    """A wall-clock time in the tenant's zone → naive UTC for storage."""
    aware = local.replace(tzinfo=zone(tenant)) if local.tzinfo is None else local
    return aware.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def to_local(utc: datetime, tenant: Tenant) -> datetime:
    """Stored naive UTC → an aware datetime in the tenant's zone."""
    return utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone(tenant))


# --- events -------------------------------------------------------------------------------------------


def touch(event: Event) -> None:
    """Mark the event changed: its public page (cached by ``updated_at``) is rendered afresh."""
    event.updated_at = utcnow()


EVENT_FIELDS = (
    "title_ru",
    "title_en",
    "description_ru",
    "description_en",
    "kind",
    "city_ru",
    "city_en",
    "region_id",
    "start_date",
    "end_date",
    "capacity",
    "requires_approval",
    "planned_participants",
    "planned_enterprises",
    "planned_regions",
    "consent_version",
)

STATUS_TRANSITIONS = {
    EventStatus.DRAFT: {EventStatus.PUBLISHED, EventStatus.CANCELLED},
    EventStatus.PUBLISHED: {EventStatus.REGISTRATION_CLOSED, EventStatus.FINISHED, EventStatus.CANCELLED},
    EventStatus.REGISTRATION_CLOSED: {EventStatus.PUBLISHED, EventStatus.FINISHED, EventStatus.CANCELLED},
    EventStatus.FINISHED: set(),
    EventStatus.CANCELLED: {EventStatus.DRAFT},
}


def _clean_event_values(values: dict, tenant: Tenant) -> dict:
    clean = {key: values.get(key) for key in EVENT_FIELDS if key in values}
    for key in ("title_ru", "title_en", "description_ru", "description_en", "city_ru", "city_en"):
        if key in clean:
            clean[key] = (clean[key] or "").strip() or None
    if not clean.get("title_ru"):
        raise Refusal(_("Give the title in Russian."), "title_ru")
    if not clean.get("city_ru"):
        raise Refusal(_("Give the city."), "city_ru")
    if clean.get("kind") not in set(EventKind):
        raise Refusal(_("Choose the kind of session."), "kind")
    start, end = clean.get("start_date"), clean.get("end_date")
    if not isinstance(start, date) or not isinstance(end, date):
        raise Refusal(_("Give the dates of the session."), "start_date")
    if end < start:
        raise Refusal(_("The session cannot end before it starts."), "end_date")
    for key in ("capacity", "planned_participants", "planned_enterprises", "planned_regions"):
        if clean.get(key) is not None and clean[key] < 0:
            raise Refusal(_("The number cannot be negative."), key)
    if not clean.get("region_id"):
        clean["region_id"] = tenant.region_id
    elif db.session.get(Region, clean["region_id"]) is None:
        raise Refusal(_("Choose a region from the list."), "region_id")
    clean["requires_approval"] = bool(clean.get("requires_approval"))
    if not clean.get("consent_version"):
        clean.pop("consent_version", None)
    return clean


def create_event(tenant: Tenant, values: dict, actor=None) -> Event:
    """A new draft event of ``tenant`` (the current scope) with validated values."""
    clean = _clean_event_values(values, tenant)
    event = Event(status=EventStatus.DRAFT, **clean)
    db.session.add(event)
    db.session.flush()
    record("event.created", event, actor=actor, after=snapshot(event, ("title_ru", "start_date", "kind")))
    return event


def update_event(event: Event, values: dict, actor=None) -> Event:
    """Change an event's details. Lowering the capacity never cancels anyone; raising it promotes the queue."""
    clean = _clean_event_values(values, event.tenant)
    before = snapshot(event, clean.keys())
    for key, value in clean.items():
        setattr(event, key, value)
    db.session.flush()
    record("event.updated", event, actor=actor, before=before, after=snapshot(event, clean.keys()))
    if event.capacity != before.get("capacity"):
        promote_waitlist(event)
    return event


def set_status(event: Event, status: str, actor=None) -> Event:
    """Move an event along its workflow; impossible moves raise :class:`Refusal`."""
    if status not in STATUS_TRANSITIONS.get(event.status, set()):
        raise Refusal(_("A session cannot go from this state to that one."))
    if event.status == EventStatus.DRAFT and status == EventStatus.PUBLISHED:
        _check_sessions_per_year(event)
    before = event.status
    event.status = status
    db.session.flush()
    record("event.status_changed", event, actor=actor, before={"status": before}, after={"status": status})
    if status == EventStatus.CANCELLED:
        # Everyone still registered is told, each in their language.
        for registration in db.session.scalars(
            sa.select(Registration).where(
                Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES)
            )
        ):
            _mail(registration, "events_event_cancelled")
    return event


def _check_sessions_per_year(event: Event) -> None:
    """The plan's «published sessions per year» limit, counted over the year the session starts in."""
    from ..billing.services import check_limit

    year_start, next_year = date(event.start_date.year, 1, 1), date(event.start_date.year + 1, 1, 1)
    published = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Event)
        .where(
            Event.id != event.id,
            Event.status != EventStatus.DRAFT,
            Event.status != EventStatus.CANCELLED,
            Event.start_date >= year_start,
            Event.start_date < next_year,
        )
    )
    # a LimitReached (402: the plan, not the input, is in the way) goes to the caller as it is
    check_limit(event.tenant, "sessions_per_year", published)


def delete_event(event: Event, actor=None) -> None:
    """Only a draft with no registrations can be deleted; otherwise cancel it."""
    if event.status != EventStatus.DRAFT or db.session.scalar(
        sa.select(sa.func.count()).select_from(Registration).where(Registration.event_id == event.id)
    ):
        raise Refusal(_("Only a draft without registrations can be deleted; cancel the session instead."))
    record("event.deleted", event, actor=actor, before={"title_ru": event.title_ru})
    db.session.delete(event)
    db.session.flush()


def public_events(upcoming: bool, today: date | None = None, limit: int | None = None):
    """Statement for the tenant's public list: upcoming (soonest first) or past (latest first)."""
    today = today or utcnow().date()
    statement = sa.select(Event).where(Event.status.in_(VISIBLE_PUBLIC))
    if upcoming:
        statement = statement.where(Event.end_date >= today).order_by(Event.start_date, Event.id)
    else:
        statement = statement.where(Event.end_date < today).order_by(Event.start_date.desc(), Event.id)
    return statement.limit(limit) if limit else statement


VISIBLE_PUBLIC = (
    EventStatus.PUBLISHED,
    EventStatus.REGISTRATION_CLOSED,
    EventStatus.FINISHED,
    EventStatus.CANCELLED,
)
CALENDAR_STATUSES = cross_tenant.CALENDAR_STATUSES


def calendar_events(region_id: int | None = None, kind: str | None = None, since: date | None = None):
    """Published events of every tenant, for the platform-wide calendar.

    A public, read-only listing of events their centers have published: the named cross-tenant read
    :func:`~clusterhub.tenancy.cross_tenant.published_events` (one query; drafts never leave their tenant).
    """
    return cross_tenant.published_events(region_id, kind, since)


def load_event_page(event_id: int, public: bool = True) -> Event | None:
    """The event with everything its page shows, in a fixed number of queries."""
    statement = (
        sa.select(Event)
        .where(Event.id == event_id)
        .options(
            selectinload(Event.venues),
            selectinload(Event.organisers).selectinload(EventOrganiser.enterprise),
            selectinload(Event.region),
            selectinload(Event.agenda_items).options(
                selectinload(AgendaItem.venue),
                selectinload(AgendaItem.site_enterprise),
                selectinload(AgendaItem.host_links).selectinload(AgendaItemHost.enterprise),
            ),
        )
    )
    if public:
        statement = statement.where(Event.status.in_(VISIBLE_PUBLIC))
    return db.session.scalar(statement)


# --- venues and organisers ----------------------------------------------------------------------------


def add_venue(event: Event, values: dict, actor=None) -> Venue:
    name_ru = (values.get("name_ru") or "").strip()
    address_ru = (values.get("address_ru") or "").strip()
    if not name_ru:
        raise Refusal(_("Give the venue's name."), "name_ru")
    if not address_ru:
        raise Refusal(_("Give the venue's address."), "address_ru")
    venue = Venue(
        event_id=event.id,
        name_ru=name_ru,
        name_en=(values.get("name_en") or "").strip() or None,
        address_ru=address_ru,
        address_en=(values.get("address_en") or "").strip() or None,
    )
    db.session.add(venue)
    touch(event)
    db.session.flush()
    record("event.venue_added", event, actor=actor, after={"venue": name_ru})
    return venue


def delete_venue(venue: Venue, actor=None) -> None:
    if db.session.scalar(sa.select(AgendaItem.id).where(AgendaItem.venue_id == venue.id).limit(1)):
        raise Refusal(_("Agenda items take place at this venue: move them first."))
    record("event.venue_removed", venue.event, actor=actor, before={"venue": venue.name_ru})
    touch(venue.event)
    db.session.delete(venue)
    db.session.flush()


def add_organiser(event: Event, values: dict, actor=None) -> EventOrganiser:
    """A co-organiser or partner; an ИНН, when given, links it to the enterprise profile."""
    name_ru = (values.get("name_ru") or "").strip()
    if not name_ru:
        raise Refusal(_("Give the organisation's name."), "name_ru")
    if values.get("role") not in set(OrganiserRole):
        raise Refusal(_("Choose the role."), "role")
    enterprise_id = None
    if (values.get("inn") or "").strip():
        try:
            enterprise, _created = get_or_create_by_inn(values["inn"], name_ru, actor=actor)
        except Refusal as error:
            raise Refusal(str(error), "inn") from error
        enterprise_id = enterprise.id
    position = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(EventOrganiser.position), 0)).where(
            EventOrganiser.event_id == event.id
        )
    )
    organiser = EventOrganiser(
        event_id=event.id,
        name_ru=name_ru,
        name_en=(values.get("name_en") or "").strip() or None,
        role=values["role"],
        enterprise_id=enterprise_id,
        position=position + 1,
    )
    db.session.add(organiser)
    touch(event)
    db.session.flush()
    record("event.organiser_added", event, actor=actor, after={"organiser": name_ru, "role": organiser.role})
    return organiser


def delete_organiser(organiser: EventOrganiser, actor=None) -> None:
    record("event.organiser_removed", organiser.event, actor=actor, before={"organiser": organiser.name_ru})
    touch(organiser.event)
    db.session.delete(organiser)
    db.session.flush()


# --- agenda -------------------------------------------------------------------------------------------

AGENDA_FIELDS = (
    "kind",
    "title_ru",
    "title_en",
    "description_ru",
    "description_en",
    "venue_id",
    "site_address_ru",
    "site_address_en",
    "speakers",
    "linked_title",
    "linked_url",
    "seat_limit",
    "technopark_id",
    "joint_project_id",
)


def save_agenda_item(event: Event, values: dict, actor=None, item: AgendaItem | None = None) -> AgendaItem:
    """Create or change an agenda item.

    ``values["starts_at"]``/``["ends_at"]`` are wall-clock times in the tenant's zone (stored as UTC) and
    must fall within the event's dates. The place is a venue of this event or an enterprise site
    (``site_inn`` finds or creates the profile) with its address. ``host_inns``: the hosting enterprises.
    """
    tenant = event.tenant
    clean = {key: values.get(key) for key in AGENDA_FIELDS}
    for key in ("title_ru", "title_en", "description_ru", "description_en", "site_address_ru"):
        clean[key] = (clean.get(key) or "").strip() or None
    for key in ("site_address_en", "speakers", "linked_title", "linked_url"):
        clean[key] = (clean.get(key) or "").strip() or None
    if not clean["title_ru"]:
        raise Refusal(_("Give the title in Russian."), "title_ru")
    if clean["kind"] not in set(AgendaKind):
        raise Refusal(_("Choose the type of the item."), "kind")
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if not isinstance(starts, datetime) or not isinstance(ends, datetime):
        raise Refusal(_("Give the start and end time."), "starts_at")
    if ends <= starts:
        raise Refusal(_("The item must end after it starts."), "ends_at")
    if not (event.start_date <= starts.date() <= event.end_date and ends.date() <= event.end_date):
        raise Refusal(_("The item must take place within the dates of the session."), "starts_at")
    if clean["seat_limit"] is not None and clean["seat_limit"] < 0:
        raise Refusal(_("The number cannot be negative."), "seat_limit")
    if clean["linked_url"] and not is_web_address(clean["linked_url"]):
        raise Refusal(_("The link must start with http:// or https://."), "linked_url")
    for key, model_path, message in (
        ("technopark_id", "technoparks.models:Technopark", _("Choose one of the center's technoparks.")),
        ("joint_project_id", "projects.models:JointProject", _("Choose one of the center's joint projects.")),
    ):
        if not clean.get(key):
            clean[key] = None
            continue
        module_name, class_name = model_path.split(":")
        model = getattr(importlib.import_module(f"clusterhub.{module_name}"), class_name)
        if db.session.scalar(sa.select(model.id).where(model.id == clean[key])) is None:
            raise Refusal(message, key)
    if clean["venue_id"]:
        venue = db.session.get(Venue, clean["venue_id"])
        if venue is None or venue.event_id != event.id:
            raise Refusal(_("Choose a venue of this session."), "venue_id")
    else:
        clean["venue_id"] = None
    site_enterprise_id = None
    if (values.get("site_inn") or "").strip():
        site_enterprise_id = _enterprise_by_inn(
            values["site_inn"], values.get("site_name"), "site_inn", actor
        )
    if clean["venue_id"] is None and site_enterprise_id is None and not clean["site_address_ru"]:
        raise Refusal(_("Choose a venue or give the address of the site."), "venue_id")
    host_ids = []
    for inn in values.get("host_inns") or []:
        if inn.strip():
            host_ids.append(_enterprise_by_inn(inn, None, "host_inns", actor))
    creating = item is None
    if creating:
        position = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.max(AgendaItem.position), 0)).where(
                AgendaItem.event_id == event.id
            )
        )
        item = AgendaItem(event_id=event.id, position=position + 1)
        db.session.add(item)
    before = None if creating else snapshot(item, ("title_ru", "starts_at", "ends_at", "seat_limit"))
    for key, value in clean.items():
        setattr(item, key, value)
    item.site_enterprise_id = site_enterprise_id
    item.starts_at, item.ends_at = to_utc(starts, tenant), to_utc(ends, tenant)
    wanted = set(dict.fromkeys(host_ids))
    for link in list(item.host_links):
        if link.enterprise_id not in wanted:
            item.host_links.remove(link)
    present = {link.enterprise_id for link in item.host_links}
    for enterprise_id in host_ids:
        if enterprise_id not in present:
            item.host_links.append(AgendaItemHost(enterprise_id=enterprise_id))
            present.add(enterprise_id)
    touch(event)
    db.session.flush()
    record(
        "event.agenda_item_created" if creating else "event.agenda_item_updated",
        item,
        actor=actor,
        before=before,
        after=snapshot(item, ("title_ru", "starts_at", "ends_at", "seat_limit")),
    )
    if not creating and item.seat_limit != (before or {}).get("seat_limit"):
        promote_item_waitlist(item)
    return item


def _enterprise_by_inn(inn: str, name: str | None, field: str, actor) -> int:
    try:
        inn = clean_inn(inn)
        existing = db.session.scalar(sa.select(Enterprise).where(Enterprise.inn == inn))
        if existing is not None:
            return existing.id
        if not (name or "").strip():
            raise Refusal(
                _("No enterprise profile has the ИНН %(inn)s yet: give its name to create one.", inn=inn),
                field,
            )
        enterprise, _created = get_or_create_by_inn(inn, name, actor=actor)
        return enterprise.id
    except Refusal as error:
        raise Refusal(str(error), field) from error


def delete_agenda_item(item: AgendaItem, actor=None) -> None:
    """Remove an item; people signed up for it are told nothing (the staff decide what to announce)."""
    record("event.agenda_item_deleted", item, actor=actor, before={"title_ru": item.title_ru})
    touch(item.event)
    db.session.delete(item)
    db.session.flush()


def move_agenda_item(item: AgendaItem, direction: int, actor=None) -> None:
    """Swap the item with its neighbour (``direction`` -1: up, +1: down) in the agenda order."""
    items = list(
        db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.event_id == item.event_id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )
    index = items.index(item)
    other = index + (1 if direction > 0 else -1)
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items, start=1):
        each.position = position
    touch(item.event)
    db.session.flush()
    record("event.agenda_reordered", item, actor=actor, after={"position": item.position})


def sort_agenda_by_time(event: Event, actor=None) -> None:
    items = sorted(event.agenda_items, key=lambda i: (i.starts_at, i.position, i.id))
    for position, item in enumerate(items, start=1):
        item.position = position
    touch(event)
    db.session.flush()
    record("event.agenda_sorted", event, actor=actor)


def _place_key(item: AgendaItem):
    if item.venue_id:
        return ("venue", item.venue_id)
    if item.site_enterprise_id:
        return ("site", item.site_enterprise_id)
    return ("address", (item.site_address_ru or "").strip().lower())


def overlapping_item_ids(items) -> set[int]:
    """Ids of items that overlap in time with another item at the same place."""
    by_place = defaultdict(list)
    for item in items:
        by_place[_place_key(item)].append(item)
    flagged = set()
    for group in by_place.values():
        group.sort(key=lambda i: i.starts_at)
        for index, item in enumerate(group):
            for other in group[index + 1 :]:
                if other.starts_at >= item.ends_at:
                    break
                flagged.update((item.id, other.id))
    return flagged


def agenda_by_day(items, tenant: Tenant) -> list[tuple[date, list]]:
    """Items grouped by their local day in the tenant's time zone, days in order, items in agenda order."""
    days = defaultdict(list)
    for item in items:
        days[to_local(item.starts_at, tenant).date()].append(item)
    return [(day, days[day]) for day in sorted(days)]


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


def _serializer(purpose: str, timed=False):
    cls = URLSafeTimedSerializer if timed else URLSafeSerializer
    return cls(current_app.config["SECRET_KEY"], salt=f"clusterhub.events.{purpose}")


def ticket_token(registration: Registration) -> str:
    """The signed ticket in the QR code and the registrant's link (tenant, registration and random code)."""
    return _serializer("ticket").dumps(
        {"t": registration.tenant_id, "r": registration.id, "c": registration.code}
    )


def registration_from_ticket(token: str, tenant_id: int | None = None) -> Registration:
    """The registration behind a ticket. A tampered or foreign ticket raises :class:`Refusal`."""
    try:
        data = _serializer("ticket").loads(token)
    except BadSignature as error:
        raise Refusal(_("This ticket is not valid.")) from error
    if tenant_id is not None and data.get("t") != tenant_id:
        raise Refusal(_("This ticket belongs to another center."))
    with tenant_scope(db.session, data.get("t")):
        registration = db.session.scalar(sa.select(Registration).where(Registration.id == data.get("r")))
    if registration is None or registration.code != data.get("c"):
        raise Refusal(_("This ticket is not valid."))
    return registration


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


# --- rosters of agenda items (who holds the seats of a site visit, who waits) ---------------------------


@dataclass
class Roster:
    """The people of one agenda item: seats taken and the waiting list, each in sign-up order."""

    item: AgendaItem
    seated: list[AgendaSignup]
    waiting: list[AgendaSignup]

    @property
    def free(self) -> int | None:
        """Seats left (None: the item has no seat limit)."""
        if self.item.seat_limit is None:
            return None
        return max(0, self.item.seat_limit - len(self.seated))


def item_roster(item: AgendaItem) -> Roster:
    """The roster of ``item``; the waiting list is in the order seats are given out."""
    signups = db.session.scalars(
        sa.select(AgendaSignup)
        .where(
            AgendaSignup.agenda_item_id == item.id,
            AgendaSignup.status.in_((SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)),
        )
        .order_by(AgendaSignup.created_at, AgendaSignup.id)
        .options(
            selectinload(AgendaSignup.registration).options(
                selectinload(Registration.region), selectinload(Registration.enterprise)
            )
        )
    ).all()
    return Roster(
        item=item,
        seated=[s for s in signups if s.status == SignupStatus.CONFIRMED],
        waiting=[s for s in signups if s.status == SignupStatus.WAITLISTED],
    )


def roster_candidates(item: AgendaItem) -> list[Registration]:
    """Participants of the item's session who hold a seat at it and are not on this item yet."""
    on_item = sa.select(AgendaSignup.registration_id).where(
        AgendaSignup.agenda_item_id == item.id, AgendaSignup.status != SignupStatus.CANCELLED
    )
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.event_id == item.event_id,
                Registration.status.in_(SEAT_HOLDING),
                Registration.id.not_in(on_item),
            )
            .order_by(Registration.full_name, Registration.id)
        )
    )


def add_to_item(item: AgendaItem, registration: Registration, actor) -> AgendaSignup:
    """Staff put a participant on an item: a seat if one is left, else the end of its waiting list.

    It is :func:`sign_up` (the item's row lock, then count), so staff can no more oversell than the
    registrants themselves."""
    active = db.session.scalar(
        sa.select(AgendaSignup.id).where(
            AgendaSignup.registration_id == registration.id,
            AgendaSignup.agenda_item_id == item.id,
            AgendaSignup.status != SignupStatus.CANCELLED,
        )
    )
    if active:
        raise Refusal(_("%(name)s is already on this list.", name=registration.full_name))
    return sign_up(registration, item, actor=actor)


def move_signup(signup: AgendaSignup, target: AgendaItem, actor) -> AgendaSignup:
    """Move a person from one item to another of the same session, e.g. between two site visits.

    Both items are locked (in id order, so two opposite moves cannot deadlock) before anything is counted:
    the person gets a seat at ``target`` only if one is free (else its waiting list), and the place given
    up at the source goes to the first person waiting there."""
    source = signup.agenda_item
    if target.id == source.id:
        raise Refusal(_("Choose another item to move to."))
    if target.event_id != source.event_id:
        raise Refusal(_("This item belongs to another session."))
    if signup.status == SignupStatus.CANCELLED:
        raise Refusal(_("This person is no longer on the list."))
    for item in sorted((source, target), key=lambda i: i.id):
        lock_item(item)
    was = signup.status
    moved = add_to_item(target, signup.registration, actor)
    cancel_signup(signup, actor=actor)
    record(
        "event.agenda_signup_moved",
        moved,
        actor=actor,
        before={"item": source.id, "status": was},
        after={"item": target.id, "status": moved.status},
    )
    return moved


def remove_signup(signup: AgendaSignup, actor) -> None:
    """Staff take a person off an item; their seat goes to the first person waiting."""
    if signup.status == SignupStatus.CANCELLED:
        raise Refusal(_("This person is no longer on the list."))
    cancel_signup(signup, actor=actor)


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


# --- figures ------------------------------------------------------------------------------------------


def participation_counts(event: Event) -> dict:
    """Participants (holding a seat), distinct enterprises and regions; and the same for those present."""
    r = Registration
    seat = r.status.in_(SEAT_HOLDING)
    present = r.checked_in_at.is_not(None)
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(seat),
            sa.func.count(sa.distinct(sa.case((seat, r.enterprise_id)))),
            sa.func.count(sa.distinct(sa.case((seat, r.region_id)))),
            sa.func.count().filter(present),
            sa.func.count(sa.distinct(sa.case((present, r.enterprise_id)))),
            sa.func.count(sa.distinct(sa.case((present, r.region_id)))),
            sa.func.count().filter(r.status == RegistrationStatus.WAITLISTED),
        ).where(r.event_id == event.id)
    ).one()
    return {
        "participants": row[0],
        "enterprises": row[1],
        "regions": row[2],
        "present": row[3],
        "present_enterprises": row[4],
        "present_regions": row[5],
        "waitlisted": row[6],
    }


def statistics(event: Event) -> dict:
    """Registrations holding a seat (and those present) by category, region and federal district."""
    r = Registration
    seat = r.status.in_(SEAT_HOLDING)
    present = sa.func.count().filter(r.checked_in_at.is_not(None))
    by_category = db.session.execute(
        sa.select(r.category, sa.func.count(), present)
        .where(r.event_id == event.id, seat)
        .group_by(r.category)
    ).all()
    by_region = db.session.execute(
        sa.select(Region, sa.func.count(), present)
        .join(Region, Region.id == r.region_id)
        .where(r.event_id == event.id, seat)
        .group_by(Region.id)
        .order_by(sa.func.count().desc(), Region.name_ru)
    ).all()
    by_district = defaultdict(lambda: [0, 0])
    for region, count, here in by_region:
        by_district[region.federal_district][0] += count
        by_district[region.federal_district][1] += here
    return {
        "by_category": by_category,
        "by_region": by_region,
        "by_district": sorted(by_district.items(), key=lambda kv: -kv[1][0]),
        "counts": participation_counts(event),
    }


# The orders the staff participant list can be sorted in (its column headers); the first is the default.
PARTICIPANT_ORDERS = {
    "name": (Registration.full_name, Registration.id),
    "organisation": (Registration.organisation, Registration.full_name, Registration.id),
    "status": (Registration.status, Registration.full_name, Registration.id),
    "newest": (Registration.created_at.desc(), Registration.id.desc()),
}


def participants_query(
    event: Event,
    status: str | None = None,
    category: str | None = None,
    region_id: int | None = None,
    search: str | None = None,
    checked_in: str | None = None,
    sort: str | None = None,
):
    """The staff participant list, filtered and in the order asked for (by name when the order is unknown);
    regions and enterprises are loaded with it."""
    statement = (
        sa.select(Registration)
        .where(Registration.event_id == event.id)
        .options(selectinload(Registration.region), selectinload(Registration.enterprise))
        .order_by(*PARTICIPANT_ORDERS.get(sort or "name", PARTICIPANT_ORDERS["name"]))
    )
    if status:
        statement = statement.where(Registration.status == status)
    if category:
        statement = statement.where(Registration.category == category)
    if region_id:
        statement = statement.where(Registration.region_id == region_id)
    if checked_in == "yes":
        statement = statement.where(Registration.checked_in_at.is_not(None))
    elif checked_in == "no":
        statement = statement.where(Registration.checked_in_at.is_(None))
    if search and search.strip():
        text = search.strip()
        # lower() folds Cyrillic on PostgreSQL but not on SQLite, so the usual spellings are tried as well.
        variants = {text, text.lower(), text.capitalize(), text.title(), text.upper()}
        columns = (Registration.full_name, Registration.email, Registration.organisation)
        statement = statement.where(
            sa.or_(
                Registration.code == text.upper(),
                *(sa.func.lower(column).like(f"%{text.lower()}%") for column in columns),
                *(column.like(f"%{variant}%") for column in columns for variant in variants),
            )
        )
    return statement


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


# --- mail and links -------------------------------------------------------------------------------------


def absolute_url(endpoint: str, **values) -> str:
    """An absolute link for mail and feeds, without needing a request."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def ticket_link(registration: Registration) -> str:
    return absolute_url(
        "events.ticket", tenant=registration.event.tenant.slug, token=ticket_token(registration)
    )


def ticket_link_for_token(token: str) -> str:
    """The registrant's page for a ticket already checked (what the QR code encodes)."""
    registration = registration_from_ticket(token)
    return absolute_url("events.ticket", tenant=registration.event.tenant.slug, token=token)


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


# --- the enterprise's cross-region history ----------------------------------------------------------------


def enterprise_history(enterprise: Enterprise, viewer=None) -> list[dict]:
    """The public events of every center in which people of ``enterprise`` took part (or are registered).

    Read across tenants by :func:`~clusterhub.tenancy.cross_tenant.enterprise_session_participation`
    (read-only, published events only); only aggregate counts per event are returned, never the names of
    people, so any viewer may see it.
    """
    rows = cross_tenant.enterprise_session_participation(enterprise.id)
    # The keys tenant/kind/title/date/status/url match the enterprise profile's history items, so a
    # provider for it is a one-line adapter.
    return [
        {
            "event": event,
            "tenant": tenant,
            "participants": count,
            "present": present,
            "kind": _("Session"),
            "title": event.title,
            "date": event.start_date,
            "status": _("Participants: %(count)s, present: %(present)s", count=count, present=present),
            "url": absolute_url("events.event_page", tenant=tenant.slug, event_id=event.id),
        }
        for event, tenant, count, present in rows
    ]


def registration_history(enterprise: Enterprise, viewer=None) -> list:
    """History provider for the enterprise profile: one item per session its people take part in."""

    return [
        HistoryItem(
            tenant=row["tenant"],
            kind=row["kind"],
            title=row["title"],
            date=row["date"],
            status=row["status"],
            url=row["url"],
        )
        for row in enterprise_history(enterprise, viewer)
    ]


def connect_signals() -> None:
    """Sessions in an enterprise's history (``signals.enterprise_history``)."""
    signals.enterprise_history.connect(registration_history)


def linkable_technoparks() -> list[tuple[int, str]]:

    return list(
        db.session.execute(sa.select(Technopark.id, Technopark.name_ru).order_by(Technopark.name_ru)).tuples()
    )


def linkable_projects() -> list[tuple[int, str]]:

    return list(
        db.session.execute(
            sa.select(JointProject.id, JointProject.title_ru)
            .where(JointProject.status != ProjectStatus.DRAFT)
            .order_by(JointProject.title_ru)
        ).tuples()
    )
