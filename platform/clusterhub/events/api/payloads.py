"""The bodies and answers of the events API (their OpenAPI schemas) and the functions that build the
answers."""

from datetime import date, datetime
from typing import Literal

from flask import g
from pydantic import ConfigDict, Field

from ...api.lists import ListQuery
from ...api.openapi import Body, Payload, UtcDateTime, choice, items_of
from ..models import (
    AgendaItem,
    AgendaKind,
    Event,
    EventKind,
    EventStatus,
    OrganiserRole,
    ParticipantCategory,
    Registration,
    RegistrationStatus,
)
from ..services.links import absolute_url
from ..services.rosters import participation_counts

EventKindName = choice(EventKind)
AgendaKindName = choice(AgendaKind)
CategoryName = choice(ParticipantCategory)
EventStatusName = choice(EventStatus)
RegistrationStatusName = choice(RegistrationStatus)


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
        "url": absolute_url("events.event_page", tenant=g.tenant.slug, event_id=event.id),
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
    counts = participation_counts(event)
    return {
        **event_json(event),
        "agenda": [item_json(i) for i in event.agenda_items],
        "organisers": [
            {"id": o.id, "name_ru": o.name_ru, "name_en": o.name_en, "role": o.role} for o in event.organisers
        ],
        "venues": [{"id": v.id, "name_ru": v.name_ru, "address_ru": v.address_ru} for v in event.venues],
        "counts": {k: counts[k] for k in ("participants", "enterprises", "regions")},
    }
