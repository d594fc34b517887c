"""Organising events: time zones, the event and its workflow, venues and organisers, and the public
listings of a center's events and of the platform calendar."""

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ...audit.services import record, snapshot
from ...billing.services import check_limit
from ...core.refusal import Refusal
from ...enterprises.services.profiles import get_or_create_by_inn
from ...extensions import db
from ...regions.models import Region
from ...tenancy import cross_tenant
from ...tenancy.models import Tenant, utcnow
from ..models import (
    ACTIVE_STATUSES,
    AgendaItem,
    AgendaItemHost,
    Event,
    EventKind,
    EventOrganiser,
    EventStatus,
    OrganiserRole,
    Registration,
    Venue,
)
from .common import touch
from .notifications import _mail
from .registration import promote_waitlist

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
