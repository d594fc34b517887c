"""JSON API of the events module under /api/v1/tenants/<tenant>/events: sessions and their agenda
(published ones for everybody; every one, and their changes, for the center's staff), registration,
the staff's participant management, agenda-item rosters and check-in at the door.

Every write calls the service the staff pages call, so the rules and their messages are the same; the
unit of work commits a handler that returns and rolls back one that meets a refusal."""

from datetime import date, datetime
from typing import Literal

import sqlalchemy as sa
from flask import Blueprint, abort, g
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import ConfigDict, Field

from ..accounts.authz import can, login_required, public, requires
from ..api import openapi as contract
from ..api.idempotency import idempotent
from ..api.lists import ListQuery, cursor_page, naive_utc
from ..api.openapi import API_PREFIX, Body, Payload, UtcDateTime, choice, doc, items_of, respond
from ..core.refusal import Refusal
from ..extensions import csrf, db
from ..regions.models import Region
from . import services as svc
from .models import (
    AgendaItem,
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
    Venue,
    local_today,
)
from .views import CHECK_IN, MANAGE_EVENTS

bp = Blueprint("events_api", __name__, url_prefix=f"{API_PREFIX}/tenants/<tenant>")
csrf.exempt(bp)

EventKindName = choice(EventKind)
AgendaKindName = choice(AgendaKind)
CategoryName = choice(ParticipantCategory)
EventStatusName = choice(EventStatus)
RegistrationStatusName = choice(RegistrationStatus)
TAGS = ["events"]


# --- payloads -------------------------------------------------------------------------------------------


class EventOut(Payload):
    id: int
    title_ru: str
    title_en: str | None
    description_ru: str | None
    description_en: str | None
    kind: str
    status: str
    city_ru: str
    city_en: str | None
    region: str = Field(description="tax code of the region the session takes place in, e.g. 11")
    start_date: date
    end_date: date
    capacity: int | None
    requires_approval: bool
    url: str
    updated_at: UtcDateTime


class Host(Payload):
    inn: str
    name: str


class AgendaItemOut(Payload):
    id: int
    event_id: int
    title_ru: str
    title_en: str | None
    kind: str
    starts_at: UtcDateTime
    ends_at: UtcDateTime
    place: str | None
    address: str | None
    hosts: list[Host]
    speakers: list[str] = Field(description="one entry per speaker: «Name, position»")
    seat_limit: int | None
    updated_at: UtcDateTime


class Organiser(Payload):
    id: int
    name_ru: str
    name_en: str | None
    role: str


class VenueOut(Payload):
    id: int
    name_ru: str
    address_ru: str


class Counts(Payload):
    participants: int
    enterprises: int
    regions: int


class EventDetail(EventOut):
    agenda: list[AgendaItemOut]
    organisers: list[Organiser]
    venues: list[VenueOut]
    counts: Counts


class RegistrationOut(Payload):
    id: int
    event_id: int
    status: str
    full_name: str
    email: str
    phone: str | None
    category: str
    region: str = Field(description="tax code of the participant's region")
    organisation: str
    inn: str | None
    position: str | None
    created_at: UtcDateTime
    updated_at: UtcDateTime
    checked_in_at: UtcDateTime | None


class EventBody(Body):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "title_ru": "Практическая сессия ЦКР",
                    "kind": "practical_session",
                    "city_ru": "Сыктывкар",
                    "start_date": "2027-03-10",
                    "end_date": "2027-03-11",
                    "capacity": 120,
                }
            ]
        },
    )

    title_ru: str = Field(max_length=300)
    title_en: str | None = Field(None, max_length=300)
    description_ru: str | None = None
    description_en: str | None = None
    kind: EventKindName
    city_ru: str = Field(max_length=120)
    city_en: str | None = Field(None, max_length=120)
    region: str | None = Field(None, description="tax code; the center's region when absent")
    start_date: date
    end_date: date
    capacity: int | None = Field(None, ge=0, le=1_000_000)
    requires_approval: bool = False
    planned_participants: int | None = Field(None, ge=0, le=1_000_000)
    planned_enterprises: int | None = Field(None, ge=0, le=1_000_000)
    planned_regions: int | None = Field(None, ge=0, le=1_000)


class EventPatch(Body):
    """Only the fields sent change."""

    title_ru: str | None = Field(None, max_length=300)
    title_en: str | None = Field(None, max_length=300)
    description_ru: str | None = None
    description_en: str | None = None
    kind: EventKindName | None = None
    city_ru: str | None = Field(None, max_length=120)
    city_en: str | None = Field(None, max_length=120)
    region: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    capacity: int | None = Field(None, ge=0, le=1_000_000)
    requires_approval: bool | None = None
    planned_participants: int | None = Field(None, ge=0, le=1_000_000)
    planned_enterprises: int | None = Field(None, ge=0, le=1_000_000)
    planned_regions: int | None = Field(None, ge=0, le=1_000)


class AgendaItemBody(Body):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "title_ru": "Посещение комбината",
                    "kind": "site_visit",
                    "starts_at": "2027-03-10T10:00",
                    "ends_at": "2027-03-10T12:00",
                    "site_address_ru": "Эжва, ул. Бумажников, 2",
                    "host_inns": ["1121003135"],
                    "speakers": ["Иванов И. И., главный инженер"],
                    "seat_limit": 20,
                }
            ]
        },
    )

    title_ru: str = Field(max_length=300)
    title_en: str | None = Field(None, max_length=300)
    description_ru: str | None = None
    description_en: str | None = None
    kind: AgendaKindName
    starts_at: datetime = Field(description="with a zone (Z or +03:00); without one, the center's local time")
    ends_at: datetime
    venue_id: int | None = Field(None, ge=0, description="a venue of this session")
    site_inn: str | None = Field(None, max_length=14, description="a site visit: the enterprise's ИНН")
    site_name: str | None = Field(None, max_length=500, description="its name, if it has no profile yet")
    site_address_ru: str | None = Field(None, max_length=300)
    site_address_en: str | None = Field(None, max_length=300)
    host_inns: list[str] = Field(default_factory=list, max_length=50)
    speakers: list[str] = Field(default_factory=list, max_length=100)
    seat_limit: int | None = Field(None, ge=0, le=1_000_000)
    technopark_id: int | None = Field(None, ge=0)
    joint_project_id: int | None = Field(None, ge=0)
    linked_title: str | None = Field(None, max_length=300)
    linked_url: str | None = Field(None, max_length=500)


class AgendaItemPatch(Body):
    """Only the fields sent change."""

    title_ru: str | None = Field(None, max_length=300)
    title_en: str | None = Field(None, max_length=300)
    description_ru: str | None = None
    description_en: str | None = None
    kind: AgendaKindName | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    venue_id: int | None = Field(None, ge=0)
    site_inn: str | None = Field(None, max_length=14)
    site_name: str | None = Field(None, max_length=500)
    site_address_ru: str | None = Field(None, max_length=300)
    site_address_en: str | None = Field(None, max_length=300)
    host_inns: list[str] | None = Field(None, max_length=50)
    speakers: list[str] | None = Field(None, max_length=100)
    seat_limit: int | None = Field(None, ge=0, le=1_000_000)
    technopark_id: int | None = Field(None, ge=0)
    joint_project_id: int | None = Field(None, ge=0)
    linked_title: str | None = Field(None, max_length=300)
    linked_url: str | None = Field(None, max_length=500)


class VenueBody(Body):
    name_ru: str = Field(max_length=200)
    name_en: str | None = Field(None, max_length=200)
    address_ru: str = Field(max_length=300)
    address_en: str | None = Field(None, max_length=300)


class OrganiserBody(Body):
    name_ru: str = Field(max_length=300)
    name_en: str | None = Field(None, max_length=300)
    role: choice(OrganiserRole)
    inn: str | None = Field(None, max_length=14, description="links the enterprise profile")


class SelfRegistrationBody(Body):
    full_name: str | None = Field(None, max_length=200, description="the token user's name when absent")
    category: CategoryName
    region: str = Field(max_length=2, description="tax code of the region, e.g. 11")
    organisation: str = Field("", max_length=500)
    inn: str | None = Field(None, max_length=14)
    position: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)
    consent: bool = Field(description="consent to personal data processing (152-ФЗ)")


class ParticipantBody(Body):
    """A person registered by the center's staff (the staff answer for the person's consent)."""

    full_name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    category: CategoryName
    region: str = Field(max_length=2, description="tax code of the region, e.g. 11")
    organisation: str = Field("", max_length=500)
    inn: str | None = Field(None, max_length=14)
    position: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)
    locale: Literal["ru", "en"] = "ru"
    consent: bool = Field(description="the person has consented to personal data processing (152-ФЗ)")


class ParticipantPatch(Body):
    """Only the fields sent change; the consent record stays as it was given."""

    full_name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    category: CategoryName | None = None
    region: str | None = Field(None, max_length=2)
    organisation: str | None = Field(None, max_length=500)
    inn: str | None = Field(None, max_length=14)
    position: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=40)


class CheckInBody(Body):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"code": "K7QX-M2PA-9T"}]}
    )

    code: str = Field(max_length=2000, description="the code typed, or the scanned ticket (a URL or token)")
    agenda_item_id: int | None = Field(None, ge=0, description="check in at this agenda item")


class CheckInOut(Payload):
    fresh: bool = Field(description="false when the person was already checked in (nothing changed)")
    message: str
    registration: RegistrationOut


class EventListQuery(ListQuery):
    past: bool | None = Field(None, description="past sessions only (true) or upcoming ones only (false)")
    kind: EventKindName | None = None
    status: EventStatusName | None = Field(None, description="staff only see drafts and cancelled sessions")


class ParticipantQuery(ListQuery):
    status: RegistrationStatusName | None = None
    category: CategoryName | None = None
    q: str | None = Field(None, max_length=200, description="search in name, e-mail, organisation, code")
    checked_in: bool | None = None


EventList = items_of(EventOut, "EventList", cursor=True)
AgendaList = items_of(AgendaItemOut, "AgendaItemList", cursor=True)
RegistrationList = items_of(RegistrationOut, "RegistrationList", cursor=True)
MyRegistrationList = items_of(RegistrationOut, "MyRegistrationList", cursor=True)


# --- building payloads ----------------------------------------------------------------------------------


def event_json(event: Event) -> dict:
    return {
        "id": event.id,
        "title_ru": event.title_ru,
        "title_en": event.title_en,
        "description_ru": event.description_ru,
        "description_en": event.description_en,
        "kind": event.kind,
        "status": event.status,
        "city_ru": event.city_ru,
        "city_en": event.city_en,
        "region": event.region.tax_code,
        "start_date": event.start_date,
        "end_date": event.end_date,
        "capacity": event.capacity,
        "requires_approval": event.requires_approval,
        "url": svc.absolute_url("events.event_page", tenant=g.tenant.slug, event_id=event.id),
        "updated_at": event.updated_at,
    }


def item_json(item: AgendaItem) -> dict:
    return {
        "id": item.id,
        "event_id": item.event_id,
        "title_ru": item.title_ru,
        "title_en": item.title_en,
        "kind": item.kind,
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "place": item.place_label or None,
        "address": item.place_address or None,
        "hosts": [{"inn": e.inn, "name": e.name} for e in item.hosts],
        "speakers": item.speaker_list,
        "seat_limit": item.seat_limit,
        "updated_at": item.updated_at,
    }


def registration_json(r: Registration) -> dict:
    return {
        "id": r.id,
        "event_id": r.event_id,
        "status": r.status,
        "full_name": r.full_name,
        "email": r.email,
        "phone": r.phone,
        "category": r.category,
        "region": r.region.tax_code,
        "organisation": r.organisation,
        "inn": r.enterprise.inn if r.enterprise else None,
        "position": r.position_title,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
        "checked_in_at": r.checked_in_at,
    }


def event_detail_json(event: Event) -> dict:
    counts = svc.participation_counts(event)
    return {
        **event_json(event),
        "agenda": [item_json(i) for i in event.agenda_items],
        "organisers": [
            {"id": o.id, "name_ru": o.name_ru, "name_en": o.name_en, "role": o.role} for o in event.organisers
        ],
        "venues": [{"id": v.id, "name_ru": v.name_ru, "address_ru": v.address_ru} for v in event.venues],
        "counts": {k: counts[k] for k in ("participants", "enterprises", "regions")},
    }


# --- loading --------------------------------------------------------------------------------------------


def _event(event_id) -> Event:
    """A session the caller may see: any of the center's for its staff, a published one for others."""
    event = svc.load_event_page(event_id, public=not can(MANAGE_EVENTS))
    if event is None:
        abort(404)
    return event


def _staff_event(event_id) -> Event:
    return db.first_or_404(sa.select(Event).where(Event.id == event_id))


def _item(event_id, agenda_item_id) -> AgendaItem:
    return db.first_or_404(
        sa.select(AgendaItem).where(AgendaItem.id == agenda_item_id, AgendaItem.event_id == event_id)
    )


def _registration(event_id, registration_id) -> Registration:
    return db.first_or_404(
        sa.select(Registration).where(Registration.id == registration_id, Registration.event_id == event_id)
    )


def _region_id(tax_code: str | None, field: str = "region") -> int | None:
    if not tax_code:
        return None
    region_id = db.session.scalar(sa.select(Region.id).where(Region.tax_code == tax_code.strip()))
    if region_id is None:
        raise Refusal(_("Choose a region from the list."), field)
    return region_id


def _local(moment: datetime | None) -> datetime | None:
    """An API time → the wall-clock time in the center's zone that the services take."""
    if moment is None or moment.tzinfo is None:
        return moment
    return svc.to_local(naive_utc(moment), g.tenant).replace(tzinfo=None)


# --- sessions -------------------------------------------------------------------------------------------


@bp.route("/events")
@public
@doc(
    "Sessions of a center: published ones, and for its staff every one (drafts and cancelled included)",
    tags=TAGS,
    public=True,
    query=EventListQuery,
    response=EventList,
)
def events():
    params = contract.query(EventListQuery)
    statement = sa.select(Event).options(sa.orm.selectinload(Event.region))
    if not can(MANAGE_EVENTS):
        statement = statement.where(Event.status.in_(svc.VISIBLE_PUBLIC))
    if params.status:
        statement = statement.where(Event.status == params.status)
    if params.kind:
        statement = statement.where(Event.kind == params.kind)
    if params.past is not None:
        today = local_today(g.tenant.timezone)
        statement = statement.where(Event.end_date < today if params.past else Event.end_date >= today)
    rows, next_cursor = cursor_page(statement, Event, params)
    return respond(EventList, {"items": [event_json(e) for e in rows], "next_cursor": next_cursor})


@bp.route("/events", methods=["POST"])
@requires(MANAGE_EVENTS)
@doc(
    "Create a session (a draft; publish it to open registration)",
    tags=TAGS,
    body=EventBody,
    response=EventDetail,
    status=201,
)
def create_event():
    data = contract.body(EventBody).model_dump()
    data["region_id"] = _region_id(data.pop("region"))
    event = svc.create_event(g.tenant, data, actor=current_user)
    # the same representation as GET, so that its ETag serves the first If-Match
    return respond(EventDetail, event_detail_json(event), 201, etag=True)


@bp.route("/events/<int:event_id>")
@public
@doc("One session with its agenda", tags=TAGS, public=True, response=EventDetail, etag=True)
def event(event_id):
    return respond(EventDetail, event_detail_json(_event(event_id)), etag=True)


def _event_values(event: Event) -> dict:
    values = {key: getattr(event, key) for key in svc.EVENT_FIELDS}
    return values


@bp.route("/events/<int:event_id>", methods=["PATCH"])
@requires(MANAGE_EVENTS)
@doc(
    "Change a session's details (send the ETag you read in If-Match)",
    tags=TAGS,
    body=EventPatch,
    response=EventDetail,
    if_match=True,
)
def update_event(event_id):
    event = _event(event_id)
    contract.check_if_match(EventDetail, event_detail_json(event))
    patch = contract.body(EventPatch).model_dump(exclude_unset=True)
    values = _event_values(event)
    if "region" in patch:
        values["region_id"] = _region_id(patch.pop("region")) or g.tenant.region_id
    values.update(patch)
    svc.update_event(event, values, actor=current_user)
    return respond(EventDetail, event_detail_json(event), etag=True)


def _set_status(event_id, status):
    event = _event(event_id)
    svc.set_status(event, status, actor=current_user)
    return respond(EventDetail, event_detail_json(event), etag=True)


@bp.route("/events/<int:event_id>/publish", methods=["POST"])
@requires(MANAGE_EVENTS)
@doc(
    "Publish a draft session (registration opens), or reopen registration after closing it",
    tags=TAGS,
    response=EventDetail,
)
def publish_event(event_id):
    return _set_status(event_id, EventStatus.PUBLISHED)


@bp.route("/events/<int:event_id>/close-registration", methods=["POST"])
@requires(MANAGE_EVENTS)
@doc("Close registration of a published session", tags=TAGS, response=EventDetail)
def close_registration(event_id):
    return _set_status(event_id, EventStatus.REGISTRATION_CLOSED)


@bp.route("/events/<int:event_id>/cancel", methods=["POST"])
@requires(MANAGE_EVENTS)
@doc("Cancel a session: everyone still registered is told by e-mail", tags=TAGS, response=EventDetail)
def cancel_event(event_id):
    return _set_status(event_id, EventStatus.CANCELLED)


@bp.route("/events/<int:event_id>", methods=["DELETE"])
@requires(MANAGE_EVENTS)
@doc("Delete a draft session without registrations (cancel the others)", tags=TAGS, status=204)
def delete_event(event_id):
    svc.delete_event(_event(event_id), actor=current_user)
    return "", 204


@bp.route("/events/<int:event_id>/venues", methods=["POST"])
@requires(MANAGE_EVENTS)
@doc(
    "Add a venue to a session (agenda items take place at one)",
    tags=TAGS,
    body=VenueBody,
    response=EventDetail,
    status=201,
)
def add_venue(event_id):
    event = _event(event_id)
    svc.add_venue(event, contract.body(VenueBody).model_dump(), actor=current_user)
    db.session.expire(event, ["venues", "organisers"])  # the service added or removed the row
    return respond(EventDetail, event_detail_json(event), 201, etag=True)


@bp.route("/events/<int:event_id>/venues/<int:venue_id>", methods=["DELETE"])
@requires(MANAGE_EVENTS)
@doc("Remove a venue no agenda item uses", tags=TAGS, response=EventDetail)
def delete_venue(event_id, venue_id):
    event = _event(event_id)
    venue = db.first_or_404(sa.select(Venue).where(Venue.id == venue_id, Venue.event_id == event.id))
    svc.delete_venue(venue, actor=current_user)
    db.session.expire(event, ["venues", "organisers"])  # the service added or removed the row
    return respond(EventDetail, event_detail_json(event), etag=True)


@bp.route("/events/<int:event_id>/organisers", methods=["POST"])
@requires(MANAGE_EVENTS)
@doc(
    "Add a co-organiser or partner of a session",
    tags=TAGS,
    body=OrganiserBody,
    response=EventDetail,
    status=201,
)
def add_organiser(event_id):
    event = _event(event_id)
    svc.add_organiser(event, contract.body(OrganiserBody).model_dump(), actor=current_user)
    db.session.expire(event, ["venues", "organisers"])  # the service added or removed the row
    return respond(EventDetail, event_detail_json(event), 201, etag=True)


@bp.route("/events/<int:event_id>/organisers/<int:event_organiser_id>", methods=["DELETE"])
@requires(MANAGE_EVENTS)
@doc("Remove a co-organiser or partner", tags=TAGS, response=EventDetail)
def delete_organiser(event_id, event_organiser_id):
    event = _event(event_id)
    organiser = db.first_or_404(
        sa.select(EventOrganiser).where(
            EventOrganiser.id == event_organiser_id, EventOrganiser.event_id == event.id
        )
    )
    svc.delete_organiser(organiser, actor=current_user)
    db.session.expire(event, ["venues", "organisers"])  # the service added or removed the row
    return respond(EventDetail, event_detail_json(event), etag=True)


# --- agenda ---------------------------------------------------------------------------------------------


@bp.route("/events/<int:event_id>/agenda")
@public
@doc("The agenda of a session (times in UTC)", tags=TAGS, public=True, query=ListQuery, response=AgendaList)
def agenda(event_id):
    event = _event(event_id)
    params = contract.query(ListQuery)
    rows, next_cursor = cursor_page(
        sa.select(AgendaItem).where(AgendaItem.event_id == event.id), AgendaItem, params
    )
    rows.sort(key=lambda i: (i.position, i.id))
    return respond(AgendaList, {"items": [item_json(i) for i in rows], "next_cursor": next_cursor})


@bp.route("/events/<int:event_id>/agenda/<int:agenda_item_id>")
@public
@doc("One agenda item", tags=TAGS, public=True, response=AgendaItemOut, etag=True)
def agenda_item(event_id, agenda_item_id):
    event = _event(event_id)
    return respond(AgendaItemOut, item_json(_item(event.id, agenda_item_id)), etag=True)


def _item_values(item: AgendaItem) -> dict:
    """The item as the service's values (times as the center's wall clock), for a partial update."""
    values = {key: getattr(item, key) for key in svc.AGENDA_FIELDS}
    values["starts_at"] = svc.to_local(item.starts_at, g.tenant).replace(tzinfo=None)
    values["ends_at"] = svc.to_local(item.ends_at, g.tenant).replace(tzinfo=None)
    values["site_inn"] = item.site_enterprise.inn if item.site_enterprise else None
    values["host_inns"] = [e.inn for e in item.hosts]
    return values


def _agenda_values(data: dict) -> dict:
    for key in ("starts_at", "ends_at"):
        if key in data:
            data[key] = _local(data[key])
    if "speakers" in data and data["speakers"] is not None:
        data["speakers"] = "\n".join(s.strip() for s in data["speakers"] if s.strip())
    return data


@bp.route("/events/<int:event_id>/agenda", methods=["POST"])
@requires(MANAGE_EVENTS)
@doc("Add an item to a session's agenda", tags=TAGS, body=AgendaItemBody, response=AgendaItemOut, status=201)
def create_agenda_item(event_id):
    event = _event(event_id)
    values = _agenda_values(contract.body(AgendaItemBody).model_dump())
    item = svc.save_agenda_item(event, values, actor=current_user)
    return respond(AgendaItemOut, item_json(item), 201, etag=True)


@bp.route("/events/<int:event_id>/agenda/<int:agenda_item_id>", methods=["PATCH"])
@requires(MANAGE_EVENTS)
@doc(
    "Change an agenda item (send the ETag you read in If-Match)",
    tags=TAGS,
    body=AgendaItemPatch,
    response=AgendaItemOut,
    if_match=True,
)
def update_agenda_item(event_id, agenda_item_id):
    event = _event(event_id)
    item = _item(event.id, agenda_item_id)
    contract.check_if_match(AgendaItemOut, item_json(item))
    values = _item_values(item)
    values.update(_agenda_values(contract.body(AgendaItemPatch).model_dump(exclude_unset=True)))
    svc.save_agenda_item(event, values, actor=current_user, item=item)
    return respond(AgendaItemOut, item_json(item), etag=True)


@bp.route("/events/<int:event_id>/agenda/<int:agenda_item_id>", methods=["DELETE"])
@requires(MANAGE_EVENTS)
@doc("Remove an agenda item", tags=TAGS, status=204)
def delete_agenda_item(event_id, agenda_item_id):
    event = _event(event_id)
    svc.delete_agenda_item(_item(event.id, agenda_item_id), actor=current_user)
    return "", 204


# --- registration ---------------------------------------------------------------------------------------


@bp.route("/events/<int:event_id>/registrations", methods=["POST"])
@login_required
@doc(
    "Register the token's user (the same rules as the form)",
    tags=TAGS,
    body=SelfRegistrationBody,
    response=RegistrationOut,
    status=201,
)
def register(event_id):
    event = db.session.scalar(
        sa.select(Event).where(Event.id == event_id, Event.status.in_(svc.VISIBLE_PUBLIC))
    )
    if event is None:
        abort(404)
    data = contract.body(SelfRegistrationBody)
    person = svc.Participant(
        full_name=data.full_name or current_user.full_name,
        email=current_user.email,
        category=data.category,
        region_id=_region_id(data.region),
        organisation=data.organisation,
        position_title=data.position,
        phone=data.phone,
        inn=data.inn,
        consent=data.consent,
        locale=current_user.locale or "ru",
    )
    registration = svc.register(event, person, user=current_user, actor=current_user)
    return respond(RegistrationOut, registration_json(registration), 201)


@bp.route("/registrations")
@login_required
@doc(
    "The token user's registrations in this center (paged by cursor; updated_since for a sync)",
    tags=TAGS,
    query=ListQuery,
    response=MyRegistrationList,
)
def my_registrations():
    params = contract.query(ListQuery)
    statement = (
        sa.select(Registration)
        .where(Registration.email == current_user.email)
        .options(sa.orm.selectinload(Registration.region), sa.orm.selectinload(Registration.enterprise))
    )
    rows, next_cursor = cursor_page(statement, Registration, params)
    return respond(
        MyRegistrationList, {"items": [registration_json(r) for r in rows], "next_cursor": next_cursor}
    )


@bp.route("/events/<int:event_id>/participants")
@requires(MANAGE_EVENTS)
@doc(
    "Participants of a session (staff); with updated_since, those changed since then",
    tags=TAGS,
    query=ParticipantQuery,
    response=RegistrationList,
)
def participants(event_id):
    event = _staff_event(event_id)
    params = contract.query(ParticipantQuery)
    checked_in = None if params.checked_in is None else ("yes" if params.checked_in else "no")
    statement = svc.participants_query(
        event, status=params.status, category=params.category, search=params.q, checked_in=checked_in
    )
    rows, next_cursor = cursor_page(statement, Registration, params)
    return respond(
        RegistrationList, {"items": [registration_json(r) for r in rows], "next_cursor": next_cursor}
    )


@bp.route("/events/<int:event_id>/participants", methods=["POST"])
@requires(MANAGE_EVENTS)
@doc(
    "Register someone else (staff): a seat, or the waiting list when the session is full",
    tags=TAGS,
    body=ParticipantBody,
    response=RegistrationOut,
    status=201,
)
def add_participant(event_id):
    event = _staff_event(event_id)
    data = contract.body(ParticipantBody)
    person = svc.Participant(
        full_name=data.full_name,
        email=data.email,
        category=data.category,
        region_id=_region_id(data.region),
        organisation=data.organisation,
        position_title=data.position,
        phone=data.phone,
        inn=data.inn,
        consent=data.consent,
        locale=data.locale,
    )
    registration = svc.register(event, person, actor=current_user)
    return respond(RegistrationOut, registration_json(registration), 201, etag=True)


@bp.route("/events/<int:event_id>/participants/<int:registration_id>")
@requires(MANAGE_EVENTS)
@doc("One participant of a session (staff)", tags=TAGS, response=RegistrationOut, etag=True)
def participant(event_id, registration_id):
    return respond(RegistrationOut, registration_json(_registration(event_id, registration_id)), etag=True)


@bp.route("/events/<int:event_id>/participants/<int:registration_id>", methods=["PATCH"])
@requires(MANAGE_EVENTS)
@doc(
    "Correct a participant's details (staff; send the ETag you read in If-Match)",
    tags=TAGS,
    body=ParticipantPatch,
    response=RegistrationOut,
    if_match=True,
)
def update_participant(event_id, registration_id):
    registration = _registration(event_id, registration_id)
    contract.check_if_match(RegistrationOut, registration_json(registration))
    patch = contract.body(ParticipantPatch).model_dump(exclude_unset=True)
    values = {
        "full_name": registration.full_name,
        "email": registration.email,
        "phone": registration.phone,
        "category": registration.category,
        "region_id": registration.region_id,
        "organisation": registration.organisation,
        "position_title": registration.position_title,
        "inn": registration.enterprise.inn if registration.enterprise else None,
    }
    if "region" in patch:
        values["region_id"] = _region_id(patch.pop("region")) if patch.get("region") else None
    if "position" in patch:
        values["position_title"] = patch.pop("position")
    values.update(patch)
    svc.update_registration(registration, values, actor=current_user)
    db.session.expire(registration, ["region", "enterprise"])  # the ids changed: read what they name now
    return respond(RegistrationOut, registration_json(registration), etag=True)


_ACTIONS = {
    "confirm": (
        "Confirm a guest whose confirmation e-mail never arrived (staff; audited)",
        lambda r: svc.confirm_by_staff(r, actor=current_user),
    ),
    "approve": ("Approve a registration awaiting approval", lambda r: svc.approve(r, actor=current_user)),
    "decline": (
        "Decline a registration awaiting approval or on the waiting list",
        lambda r: svc.decline(r, actor=current_user),
    ),
    "cancel": (
        "Cancel a registration (the person is told; the seat goes to the waiting list)",
        lambda r: svc.cancel_registration(r, actor=current_user, by_staff=True),
    ),
}


def _action_view(name, summary, act):
    def view(event_id, registration_id):
        registration = _registration(event_id, registration_id)
        act(registration)
        return respond(RegistrationOut, registration_json(registration), etag=True)

    view.__name__ = f"participant_{name}"
    view.__doc__ = summary
    return view


for _name, (_summary, _act) in _ACTIONS.items():
    bp.add_url_rule(
        f"/events/<int:event_id>/participants/<int:registration_id>/{_name}",
        endpoint=f"participant_{_name}",
        view_func=requires(MANAGE_EVENTS)(
            doc(_summary, tags=TAGS, response=RegistrationOut)(_action_view(_name, _summary, _act))
        ),
        methods=["POST"],
    )


@bp.route("/events/<int:event_id>/check-in", methods=["POST"])
@requires(CHECK_IN)
@doc(
    "Check a participant in by the code on their ticket (or the scanned ticket); a scanner's retry with "
    "the same Idempotency-Key gets the same answer and changes nothing",
    tags=TAGS,
    body=CheckInBody,
    response=CheckInOut,
    idempotency_key=True,
)
@idempotent
def check_in(event_id):
    event = _staff_event(event_id)
    data = contract.body(CheckInBody)
    item = _item(event.id, data.agenda_item_id) if data.agenda_item_id else None
    registration = svc.find_for_check_in(event, data.code)
    fresh = svc.check_in(registration, actor=current_user, item=item)
    message = (
        _("Checked in: %(name)s.", name=registration.full_name)
        if fresh
        else _("%(name)s was already checked in; nothing changed.", name=registration.full_name)
    )
    return respond(
        CheckInOut, {"fresh": fresh, "message": message, "registration": registration_json(registration)}
    )


# --- rosters of agenda items ----------------------------------------------------------------------------


class RosterPerson(Payload):
    """Passport-free fields only."""

    signup_id: int
    registration_id: int
    position_in_list: int
    full_name: str
    organisation: str
    position: str | None
    region: str = Field(description="tax code of the region")
    email: str
    phone: str | None


class Roster(Payload):
    item: AgendaItemOut
    seat_limit: int | None
    seats_taken: int
    seats_free: int | None
    seated: list[RosterPerson]
    waiting: list[RosterPerson]


class RosterAddBody(Body):
    registration_id: int = Field(ge=0)


class RosterMoveBody(Body):
    agenda_item_id: int = Field(ge=0, description="the item to move to")


def _roster_json(item) -> dict:
    roster = svc.item_roster(item)

    def person(signup, number):
        r = signup.registration
        return {
            "signup_id": signup.id,
            "registration_id": r.id,
            "position_in_list": number,
            "full_name": r.full_name,
            "organisation": r.organisation,
            "position": r.position_title,
            "region": r.region.tax_code,
            "email": r.email,
            "phone": r.phone,
        }

    return {
        "item": item_json(item),
        "seat_limit": item.seat_limit,
        "seats_taken": len(roster.seated),
        "seats_free": roster.free,
        "seated": [person(s, n) for n, s in enumerate(roster.seated, start=1)],
        "waiting": [person(s, n) for n, s in enumerate(roster.waiting, start=1)],
    }


@bp.route("/events/<int:event_id>/agenda/<int:agenda_item_id>/roster")
@requires(MANAGE_EVENTS)
@doc(
    "The roster of an agenda item: seats in order, then the waiting list (staff)", tags=TAGS, response=Roster
)
def roster(event_id, agenda_item_id):
    return respond(Roster, _roster_json(_item(event_id, agenda_item_id)))


@bp.route("/events/<int:event_id>/agenda/<int:agenda_item_id>/roster", methods=["POST"])
@requires(MANAGE_EVENTS)
@doc(
    "Put a participant on an agenda item: a free seat, else its waiting list (staff)",
    tags=TAGS,
    body=RosterAddBody,
    response=Roster,
    status=201,
)
def roster_add(event_id, agenda_item_id):
    item = _item(event_id, agenda_item_id)
    data = contract.body(RosterAddBody)
    registration = _registration(event_id, data.registration_id)
    svc.add_to_item(item, registration, actor=current_user)
    return respond(Roster, _roster_json(item), 201)


def _roster_signup(event_id, agenda_item_id, agenda_signup_id) -> AgendaSignup:
    item = _item(event_id, agenda_item_id)
    return db.first_or_404(
        sa.select(AgendaSignup).where(
            AgendaSignup.id == agenda_signup_id, AgendaSignup.agenda_item_id == item.id
        )
    )


@bp.route(
    "/events/<int:event_id>/agenda/<int:agenda_item_id>/roster/<int:agenda_signup_id>/move", methods=["POST"]
)
@requires(MANAGE_EVENTS)
@doc(
    "Move a person to another agenda item of the session (staff); returns the target's roster",
    tags=TAGS,
    body=RosterMoveBody,
    response=Roster,
)
def roster_move(event_id, agenda_item_id, agenda_signup_id):
    signup = _roster_signup(event_id, agenda_item_id, agenda_signup_id)
    target = _item(event_id, contract.body(RosterMoveBody).agenda_item_id)
    svc.move_signup(signup, target, actor=current_user)
    return respond(Roster, _roster_json(target))


@bp.route(
    "/events/<int:event_id>/agenda/<int:agenda_item_id>/roster/<int:agenda_signup_id>", methods=["DELETE"]
)
@requires(MANAGE_EVENTS)
@doc(
    "Take a person off an agenda item; the first person waiting gets the seat (staff)",
    tags=TAGS,
    response=Roster,
)
def roster_remove(event_id, agenda_item_id, agenda_signup_id):
    signup = _roster_signup(event_id, agenda_item_id, agenda_signup_id)
    svc.remove_signup(signup, actor=current_user)
    return respond(Roster, _roster_json(signup.agenda_item))
