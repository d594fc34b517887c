"""Sessions: listing, reading, creating, changing and deleting them, their status, venues and organisers."""

import sqlalchemy as sa
from flask import g
from flask_login import current_user

from ...api import openapi as contract
from ...api.lists import cursor_page
from ...api.openapi import doc, respond
from ...core.access import can, public, requires
from ...extensions import db
from ..models import Event, EventOrganiser, EventStatus, Venue, local_today
from ..services import events as events_services
from ..views import MANAGE_EVENTS
from . import TAGS, _event, _region_id, bp
from .payloads import (
    EventBody,
    EventDetail,
    EventList,
    EventListQuery,
    EventPatch,
    OrganiserBody,
    VenueBody,
    event_detail_json,
    event_json,
)

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
        statement = statement.where(Event.status.in_(events_services.VISIBLE_PUBLIC))
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
    event = events_services.create_event(g.tenant, data, actor=current_user)
    # the same representation as GET, so that its ETag serves the first If-Match
    return respond(EventDetail, event_detail_json(event), 201, etag=True)


@bp.route("/events/<int:event_id>")
@public
@doc("One session with its agenda", tags=TAGS, public=True, response=EventDetail, etag=True)
def event(event_id):
    return respond(EventDetail, event_detail_json(_event(event_id)), etag=True)


def _event_values(event: Event) -> dict:
    values = {key: getattr(event, key) for key in events_services.EVENT_FIELDS}
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
    events_services.update_event(event, values, actor=current_user)
    return respond(EventDetail, event_detail_json(event), etag=True)


def _set_status(event_id, status):
    event = _event(event_id)
    events_services.set_status(event, status, actor=current_user)
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
    events_services.delete_event(_event(event_id), actor=current_user)
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
    events_services.add_venue(event, contract.body(VenueBody).model_dump(), actor=current_user)
    db.session.expire(event, ["venues", "organisers"])  # the service added or removed the row
    return respond(EventDetail, event_detail_json(event), 201, etag=True)


@bp.route("/events/<int:event_id>/venues/<int:venue_id>", methods=["DELETE"])
@requires(MANAGE_EVENTS)
@doc("Remove a venue no agenda item uses", tags=TAGS, response=EventDetail)
def delete_venue(event_id, venue_id):
    event = _event(event_id)
    venue = db.first_or_404(sa.select(Venue).where(Venue.id == venue_id, Venue.event_id == event.id))
    events_services.delete_venue(venue, actor=current_user)
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
    events_services.add_organiser(event, contract.body(OrganiserBody).model_dump(), actor=current_user)
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
    events_services.delete_organiser(organiser, actor=current_user)
    db.session.expire(event, ["venues", "organisers"])  # the service added or removed the row
    return respond(EventDetail, event_detail_json(event), etag=True)
