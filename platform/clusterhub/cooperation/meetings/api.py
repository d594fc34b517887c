"""JSON API of the B2B meetings under /api/v1/tenants/<tenant>: participants read the blocks, their requests
and their schedule, request, answer, cancel and record outcomes; staff read the whole schedule, run the
scheduler and place meetings. The same services as the pages: a refusal is a 422 with its field."""

from typing import Literal

from flask import Blueprint, abort, request
from flask_login import current_user
from pydantic import Field

from ...api import openapi as contract
from ...api.openapi import API_PREFIX, Body, Payload, doc, items_of, respond
from ...core.access import can, login_required, requires
from ...events.models import Event, Registration
from ...extensions import csrf, db
from .models import MeetingBlock, MeetingRequest
from .services import blocks as block_services
from .services import outcomes, places, preferences, requests, scheduling
from .views import MANAGE_MEETINGS

bp = Blueprint("meetings_api", __name__, url_prefix=f"{API_PREFIX}/tenants/<tenant>")
csrf.exempt(bp)

TAGS = ["meetings"]


class Block(Payload):
    id: int
    event_id: int
    title_ru: str
    title_en: str | None
    starts_at: str = Field(description="UTC, ISO 8601")
    slot_minutes: int
    slot_count: int
    tables: list[str]
    status: Literal["draft", "published"]


class Person(Payload):
    registration_id: int
    full_name: str
    organisation: str
    region: str = Field(description="tax-authority region code")
    email: str | None = Field(description="only once the meeting is accepted")
    phone: str | None = Field(description="only once the meeting is accepted")


class Meeting(Payload):
    id: int
    status: Literal["requested", "accepted", "declined", "cancelled"]
    requester: Person
    recipient: Person
    message: str | None
    offer_id: int | None
    slot: int | None
    table: int | None
    starts_at: str | None = Field(description="UTC, ISO 8601; once the schedule is published")
    ends_at: str | None
    requester_outcome: str | None
    recipient_outcome: str | None
    outcomes_differ: bool


class NewRequest(Body):
    recipient_id: int = Field(description="the other participant's registration id")
    message: str | None = Field(None, max_length=2000)
    offer_id: int | None = Field(None, description="an offer or request of the cooperation exchange")


class Answer(Body):
    accept: bool


class Outcome(Body):
    outcome: Literal["not_held", "no_interest", "further_talks", "nda_or_loi", "agreement"]
    amount_kopecks: int | None = Field(None, ge=0)


class Run(Body):
    allow_moving: bool = False


class RunResult(Payload):
    placed: int
    unplaced: list[int]
    moved: list[int]
    released: list[int] = Field(
        description="announced meetings whose place broke a participant's own limits (placed elsewhere if they fit)"
    )


class Limits(Payload):
    registration_id: int
    max_meetings: int | None = Field(description="the participant's own maximum; null: the block's")
    block_max_meetings: int | None = Field(description="the block's maximum per participant; null: none")
    unavailable_slots: list[int] = Field(description="slots (0-based) the participant is not available in")


class LimitsBody(Body):
    max_meetings: int | None = Field(
        None, ge=1, description="not above the block's maximum; null: the block's"
    )
    unavailable_slots: list[int] = Field(default_factory=list, description="0-based slot numbers")


class Place(Body):
    slot: int = Field(ge=0)
    table: int = Field(ge=0)


BlockList = items_of(Block, "MeetingBlockList")
MeetingList = items_of(Meeting, "MeetingList")


def _iso(value):
    return value.isoformat() + "Z" if value is not None else None


def block_json(block: MeetingBlock) -> dict:
    return {
        "id": block.id,
        "event_id": block.event_id,
        "title_ru": block.title_ru,
        "title_en": block.title_en,
        "starts_at": _iso(block.starts_at),
        "slot_minutes": block.slot_minutes,
        "slot_count": block.slot_count,
        "tables": block.table_labels,
        "status": block.status,
    }


def _person(registration, contacts: bool) -> dict:
    return {
        "registration_id": registration.id,
        "full_name": registration.full_name,
        "organisation": registration.organisation,
        "region": registration.region.tax_code,
        "email": registration.email if contacts else None,
        "phone": registration.phone if contacts else None,
    }


def meeting_json(m: MeetingRequest, contacts: bool) -> dict:
    block = m.block
    # the place is news only once published, except for the staff who make it
    shown = m.is_scheduled and (block.is_published or can(MANAGE_MEETINGS))
    return {
        "id": m.id,
        "status": m.status,
        "requester": _person(m.requester, contacts),
        "recipient": _person(m.recipient, contacts),
        "message": m.message,
        "offer_id": m.offer_id,
        "slot": m.slot if shown else None,
        "table": m.table_no if shown else None,
        "starts_at": _iso(block.slot_start(m.slot)) if shown else None,
        "ends_at": _iso(block.slot_end(m.slot)) if shown else None,
        "requester_outcome": m.requester_outcome,
        "recipient_outcome": m.recipient_outcome,
        "outcomes_differ": m.outcomes_differ,
    }


def _block(meeting_block_id) -> MeetingBlock:
    block = db.session.get(MeetingBlock, meeting_block_id)
    if block is None:
        abort(404)
    return block


def _me(block: MeetingBlock):
    me = requests.participant(block.event_id, current_user)
    if me is None:
        abort(403)
    return me


@bp.route("/events/<int:event_id>/meeting-blocks")
@login_required
@doc("B2B meeting blocks of a session", tags=TAGS, response=BlockList)
def blocks(event_id):
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    return respond(BlockList, {"items": [block_json(b) for b in block_services.blocks_of(event)]})


@bp.route("/meeting-blocks/<int:meeting_block_id>/requests")
@login_required
@doc("The token user's meeting requests in a block (contacts once accepted)", tags=TAGS, response=MeetingList)
def my_requests(meeting_block_id):
    block = _block(meeting_block_id)
    me = _me(block)
    items = [meeting_json(m, contacts=m.status == "accepted") for m in requests.requests_of(block, me)]
    return respond(MeetingList, {"items": items})


@bp.route("/meeting-blocks/<int:meeting_block_id>/requests", methods=["POST"])
@login_required
@doc(
    "Request a meeting with another confirmed participant of the session",
    tags=TAGS,
    body=NewRequest,
    response=Meeting,
    status=201,
)
def create_request(meeting_block_id):
    block = _block(meeting_block_id)
    me = _me(block)
    data = contract.body(NewRequest)
    meeting = requests.request_meeting(block, me, data.recipient_id, data.message or "", data.offer_id)
    return respond(Meeting, meeting_json(meeting, contacts=False), 201)


@bp.route("/meeting-blocks/<int:meeting_block_id>/requests/<int:meeting_request_id>/answer", methods=["POST"])
@login_required
@doc(
    "Accept or decline a meeting request addressed to the token user",
    tags=TAGS,
    body=Answer,
    response=Meeting,
)
def answer(meeting_block_id, meeting_request_id):
    block = _block(meeting_block_id)
    me = _me(block)
    meeting = _meeting(block, meeting_request_id)
    accept = contract.body(Answer).accept
    requests.answer(meeting, me, accept)
    return respond(Meeting, meeting_json(meeting, contacts=accept))


@bp.route(
    "/meeting-blocks/<int:meeting_block_id>/requests/<int:meeting_request_id>/outcome", methods=["POST"]
)
@login_required
@doc("Record the token user's outcome of a meeting", tags=TAGS, body=Outcome, response=Meeting)
def outcome(meeting_block_id, meeting_request_id):
    block = _block(meeting_block_id)
    me = _me(block)
    meeting = _meeting(block, meeting_request_id)
    data = contract.body(Outcome)
    outcomes.record_outcome(meeting, me, data.outcome, data.amount_kopecks)
    return respond(Meeting, meeting_json(meeting, contacts=True))


@bp.route("/meeting-blocks/<int:meeting_block_id>/schedule")
@login_required
@doc(
    "The schedule: the whole grid for staff, the token user's own meetings for a participant",
    tags=TAGS,
    response=MeetingList,
)
def schedule(meeting_block_id):
    block = _block(meeting_block_id)
    if can(MANAGE_MEETINGS):
        placed = sorted(places.grid(block).values(), key=lambda m: (m.slot, m.table_no))
        return respond(MeetingList, {"items": [meeting_json(m, contacts=False) for m in placed]})
    me = _me(block)
    own = scheduling.personal_schedule(block, me) if block.is_published else []
    return respond(MeetingList, {"items": [meeting_json(m, contacts=True) for m in own]})


@bp.route("/meeting-blocks/<int:meeting_block_id>/schedule/run", methods=["POST"])
@requires(MANAGE_MEETINGS)
@doc(
    "Place the accepted meetings (staff); placed ones stay unless allow_moving",
    tags=TAGS,
    body=Run,
    response=RunResult,
)
def run(meeting_block_id):
    block = _block(meeting_block_id)
    allow_moving = contract.body(Run).allow_moving if request.get_data() else False
    result = scheduling.run_scheduler(block, allow_moving=allow_moving, actor=current_user)
    return respond(
        RunResult,
        {
            "placed": len(result.placed),
            "unplaced": result.unplaced,
            "moved": result.moved,
            "released": result.released,
        },
    )


@bp.route("/meeting-blocks/<int:meeting_block_id>/requests/<int:meeting_request_id>/place", methods=["POST"])
@requires(MANAGE_MEETINGS)
@doc(
    "Place an accepted meeting at a slot and a table (staff); a clash is refused",
    tags=TAGS,
    body=Place,
    response=Meeting,
)
def place(meeting_block_id, meeting_request_id):
    block = _block(meeting_block_id)
    meeting = _meeting(block, meeting_request_id)
    data = contract.body(Place)
    scheduling.move(meeting, data.slot, data.table, actor=current_user)
    return respond(Meeting, meeting_json(meeting, contacts=False))


def _meeting(block: MeetingBlock, meeting_request_id: int) -> MeetingRequest:
    meeting = db.session.get(MeetingRequest, meeting_request_id)
    if meeting is None or meeting.block_id != block.id:
        abort(404)
    return meeting


def limits_json(block: MeetingBlock, registration) -> dict:
    pref = preferences.preference(block, registration)
    return {
        "registration_id": registration.id,
        "max_meetings": None if pref is None else pref.max_meetings,
        "block_max_meetings": block.max_meetings,
        "unavailable_slots": [] if pref is None else sorted(pref.unavailable_slots),
    }


@bp.route("/meeting-blocks/<int:meeting_block_id>/limits")
@login_required
@doc(
    "The token user's own limits in the block: most meetings and slots not available",
    tags=TAGS,
    response=Limits,
)
def my_limits(meeting_block_id):
    block = _block(meeting_block_id)
    return respond(Limits, limits_json(block, _me(block)))


@bp.route("/meeting-blocks/<int:meeting_block_id>/limits", methods=["PUT"])
@login_required
@doc(
    "Set the token user's own limits; placed meetings stay until the scheduler runs again",
    tags=TAGS,
    body=LimitsBody,
    response=Limits,
)
def set_my_limits(meeting_block_id):
    block = _block(meeting_block_id)
    me = _me(block)
    data = contract.body(LimitsBody)
    preferences.set_preferences(block, me, data.max_meetings, data.unavailable_slots, actor=current_user)
    return respond(Limits, limits_json(block, me))


def _registration(block: MeetingBlock, registration_id: int):
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != block.event_id:
        abort(404)
    return registration


@bp.route("/meeting-blocks/<int:meeting_block_id>/participants/<int:registration_id>/limits")
@requires(MANAGE_MEETINGS)
@doc("A participant's own limits in the block (staff)", tags=TAGS, response=Limits)
def person_limits(meeting_block_id, registration_id):
    block = _block(meeting_block_id)
    return respond(Limits, limits_json(block, _registration(block, registration_id)))


@bp.route("/meeting-blocks/<int:meeting_block_id>/participants/<int:registration_id>/limits", methods=["PUT"])
@requires(MANAGE_MEETINGS)
@doc("Set a participant's own limits in the block (staff)", tags=TAGS, body=LimitsBody, response=Limits)
def set_person_limits(meeting_block_id, registration_id):
    block = _block(meeting_block_id)
    person = _registration(block, registration_id)
    data = contract.body(LimitsBody)
    preferences.set_preferences(block, person, data.max_meetings, data.unavailable_slots, actor=current_user)
    return respond(Limits, limits_json(block, person))
