"""JSON API of the B2B meetings under /api/v1/tenants/<tenant>: participants read the blocks, their requests
and their schedule, request, answer, cancel and record outcomes; staff read the whole schedule, run the
scheduler and place meetings. The same services as the pages: a refusal is a 422 with its field."""

from flask import Blueprint, abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ...accounts.authz import can, login_required, requires
from ...api.openapi import API_PREFIX, doc
from ...events.models import Event
from ...extensions import csrf, db
from . import services as svc
from .models import MeetingBlock, MeetingRequest
from .views import MANAGE_MEETINGS

bp = Blueprint("meetings_api", __name__, url_prefix=f"{API_PREFIX}/tenants/<tenant>")
csrf.exempt(bp)

BLOCK_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "event_id": {"type": "integer"},
        "title_ru": {"type": "string"},
        "title_en": {"type": ["string", "null"]},
        "starts_at": {"type": "string", "format": "date-time"},
        "slot_minutes": {"type": "integer"},
        "slot_count": {"type": "integer"},
        "tables": {"type": "array", "items": {"type": "string"}},
        "status": {"type": "string", "enum": ["draft", "published"]},
    },
}
PERSON_SCHEMA = {
    "type": "object",
    "properties": {
        "registration_id": {"type": "integer"},
        "full_name": {"type": "string"},
        "organisation": {"type": "string"},
        "region": {"type": "string"},
        "email": {"type": ["string", "null"], "description": "only once the meeting is accepted"},
        "phone": {"type": ["string", "null"], "description": "only once the meeting is accepted"},
    },
}
MEETING_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string", "enum": ["requested", "accepted", "declined", "cancelled"]},
        "requester": PERSON_SCHEMA,
        "recipient": PERSON_SCHEMA,
        "message": {"type": ["string", "null"]},
        "offer_id": {"type": ["integer", "null"]},
        "slot": {"type": ["integer", "null"]},
        "table": {"type": ["integer", "null"]},
        "starts_at": {"type": ["string", "null"], "format": "date-time"},
        "ends_at": {"type": ["string", "null"], "format": "date-time"},
        "requester_outcome": {"type": ["string", "null"]},
        "recipient_outcome": {"type": ["string", "null"]},
        "outcomes_differ": {"type": "boolean"},
    },
}
LIST = {"type": "object", "properties": {"items": {"type": "array", "items": MEETING_SCHEMA}}}


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
    me = svc.participant(block.event_id, current_user)
    if me is None:
        abort(403)
    return me


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise svc.MeetingError(_("Send a JSON object."))
    return data


def _integer(data: dict, key: str, required: bool = True) -> int | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise svc.MeetingError(_("The field %(field)s must be a whole number.", field=key), key)
    return value


@bp.route("/events/<int:event_id>/meeting-blocks")
@login_required
@doc(
    "B2B meeting blocks of a session",
    tags=["meetings"],
    response={"type": "object", "properties": {"items": {"type": "array", "items": BLOCK_SCHEMA}}},
)
def blocks(event_id):
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    return jsonify(items=[block_json(b) for b in svc.blocks_of(event)])


@bp.route("/meeting-blocks/<int:meeting_block_id>/requests")
@login_required
@doc(
    "The token user's meeting requests in a block (contacts once accepted)", tags=["meetings"], response=LIST
)
def my_requests(meeting_block_id):
    block = _block(meeting_block_id)
    me = _me(block)
    return jsonify(
        items=[meeting_json(m, contacts=m.status == "accepted") for m in svc.requests_of(block, me)]
    )


@bp.route("/meeting-blocks/<int:meeting_block_id>/requests", methods=["POST"])
@login_required
@doc(
    "Request a meeting with another confirmed participant of the session",
    tags=["meetings"],
    request_body={
        "type": "object",
        "required": ["recipient_id"],
        "properties": {
            "recipient_id": {"type": "integer", "description": "the other participant's registration id"},
            "message": {"type": "string"},
            "offer_id": {"type": "integer", "description": "an offer or request of the cooperation exchange"},
        },
    },
    response=MEETING_SCHEMA,
    status=201,
)
def create_request(meeting_block_id):
    block = _block(meeting_block_id)
    me = _me(block)
    data = _body()
    message = data.get("message")
    if message is not None and not isinstance(message, str):
        raise svc.MeetingError(_("The field %(field)s must be text.", field="message"), "message")
    meeting = svc.request_meeting(
        block, me, _integer(data, "recipient_id"), message or "", _integer(data, "offer_id", required=False)
    )
    return jsonify(meeting_json(meeting, contacts=False)), 201


@bp.route("/meeting-blocks/<int:meeting_block_id>/requests/<int:meeting_request_id>/answer", methods=["POST"])
@login_required
@doc(
    "Accept or decline a meeting request addressed to the token user",
    tags=["meetings"],
    request_body={"type": "object", "required": ["accept"], "properties": {"accept": {"type": "boolean"}}},
    response=MEETING_SCHEMA,
)
def answer(meeting_block_id, meeting_request_id):
    block = _block(meeting_block_id)
    me = _me(block)
    meeting = _meeting(block, meeting_request_id)
    accept = _body().get("accept")
    if not isinstance(accept, bool):
        raise svc.MeetingError(_("The field %(field)s must be true or false.", field="accept"), "accept")
    svc.answer(meeting, me, accept)
    return jsonify(meeting_json(meeting, contacts=accept))


@bp.route(
    "/meeting-blocks/<int:meeting_block_id>/requests/<int:meeting_request_id>/outcome", methods=["POST"]
)
@login_required
@doc(
    "Record the token user's outcome of a meeting",
    tags=["meetings"],
    request_body={
        "type": "object",
        "required": ["outcome"],
        "properties": {
            "outcome": {
                "type": "string",
                "enum": ["not_held", "no_interest", "further_talks", "nda_or_loi", "agreement"],
            },
            "amount_kopecks": {"type": "integer", "minimum": 0},
        },
    },
    response=MEETING_SCHEMA,
)
def outcome(meeting_block_id, meeting_request_id):
    block = _block(meeting_block_id)
    me = _me(block)
    meeting = _meeting(block, meeting_request_id)
    data = _body()
    amount = _integer(data, "amount_kopecks", required=False)
    if amount is not None and amount < 0:
        raise svc.MeetingError(_("Give the amount in roubles, e.g. 1 500 000,00."), "amount_kopecks")
    svc.record_outcome(meeting, me, str(data.get("outcome") or ""), amount)
    return jsonify(meeting_json(meeting, contacts=True))


@bp.route("/meeting-blocks/<int:meeting_block_id>/schedule")
@login_required
@doc(
    "The schedule: the whole grid for staff, the token user's own meetings for a participant",
    tags=["meetings"],
    response=LIST,
)
def schedule(meeting_block_id):
    block = _block(meeting_block_id)
    if can(MANAGE_MEETINGS):
        placed = sorted(svc.grid(block).values(), key=lambda m: (m.slot, m.table_no))
        return jsonify(items=[meeting_json(m, contacts=False) for m in placed])
    me = _me(block)
    own = svc.personal_schedule(block, me) if block.is_published else []
    return jsonify(items=[meeting_json(m, contacts=True) for m in own])


@bp.route("/meeting-blocks/<int:meeting_block_id>/schedule/run", methods=["POST"])
@requires(MANAGE_MEETINGS)
@doc(
    "Place the accepted meetings (staff); placed ones stay unless allow_moving",
    tags=["meetings"],
    request_body={"type": "object", "properties": {"allow_moving": {"type": "boolean"}}},
    response={
        "type": "object",
        "properties": {
            "placed": {"type": "integer"},
            "unplaced": {"type": "array", "items": {"type": "integer"}},
            "moved": {"type": "array", "items": {"type": "integer"}},
        },
    },
)
def run(meeting_block_id):
    block = _block(meeting_block_id)
    data = request.get_json(silent=True) or {}
    result = svc.run_scheduler(block, allow_moving=data.get("allow_moving") is True, actor=current_user)
    return jsonify(placed=len(result.placed), unplaced=result.unplaced, moved=result.moved)


@bp.route("/meeting-blocks/<int:meeting_block_id>/requests/<int:meeting_request_id>/place", methods=["POST"])
@requires(MANAGE_MEETINGS)
@doc(
    "Place an accepted meeting at a slot and a table (staff); a clash is refused",
    tags=["meetings"],
    request_body={
        "type": "object",
        "required": ["slot", "table"],
        "properties": {"slot": {"type": "integer"}, "table": {"type": "integer"}},
    },
    response=MEETING_SCHEMA,
)
def place(meeting_block_id, meeting_request_id):
    block = _block(meeting_block_id)
    meeting = _meeting(block, meeting_request_id)
    data = _body()
    svc.move(meeting, _integer(data, "slot"), _integer(data, "table"), actor=current_user)
    return jsonify(meeting_json(meeting, contacts=False))


def _meeting(block: MeetingBlock, meeting_request_id: int) -> MeetingRequest:
    meeting = db.session.get(MeetingRequest, meeting_request_id)
    if meeting is None or meeting.block_id != block.id:
        abort(404)
    return meeting
