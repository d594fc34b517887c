"""Meeting blocks in a session's programme: created, changed (meetings placed outside taken out on request), listed. Services add and flush; the request commits (``core.unit_of_work``)."""

import sqlalchemy as sa
from flask_babel import gettext as _

from ....audit.services import record
from ....core.refusal import Refusal
from ....events.models import Event
from ....extensions import db
from ..models import MeetingBlock, MeetingRequest
from .notifications import _notify_change
from .places import _unplace, accepted_meetings

BLOCK_FIELDS = (
    "title_ru",
    "title_en",
    "place_ru",
    "place_en",
    "starts_at",
    "slot_minutes",
    "slot_count",
    "table_count",
    "table_names",
    "max_meetings",
    "max_consecutive",
)


def _check_block(event: Event, values: dict) -> None:
    if not (values.get("title_ru") or "").strip():
        raise Refusal(_("Give the block a title in Russian."), "title_ru")
    for name in ("slot_minutes", "slot_count", "table_count"):
        if not values.get(name) or values[name] <= 0:
            raise Refusal(_("This must be a positive number."), name)
    for name in ("max_meetings", "max_consecutive"):
        if values.get(name) is not None and values[name] <= 0:
            raise Refusal(_("Leave it empty or give a positive number."), name)


def create_block(event: Event, values: dict, actor=None) -> MeetingBlock:
    """A new meeting block in ``event``'s programme (a draft until its schedule is published)."""
    _check_block(event, values)
    block = MeetingBlock(event_id=event.id, **{k: values.get(k) for k in BLOCK_FIELDS})
    db.session.add(block)
    db.session.flush()
    record("cooperation.block_created", block, actor=actor)
    return block


def update_block(block: MeetingBlock, values: dict, actor=None) -> MeetingBlock:
    """Change a block. Fewer slots or tables than the meetings already placed need is refused unless
    ``values["take_out"]`` says to take those meetings out (they wait for a place again). Once the schedule
    is published, both sides of every meeting whose time or table changes (a new start, slot length, table
    name) or that is taken out get one e-mail; unchanged meetings get none."""
    _check_block(block.event, values)
    placed = [m for m in accepted_meetings(block) if m.is_scheduled]
    outside = [m for m in placed if m.slot >= values["slot_count"] or m.table_no >= values["table_count"]]
    if outside and not values.get("take_out"):
        if any(m.slot >= values["slot_count"] for m in outside):
            raise Refusal(_("Meetings are placed in later slots: move them first."), "slot_count")
        raise Refusal(_("Meetings are placed at higher tables: move them first."), "table_count")
    before = {m.id: _place_words(m) for m in placed}
    for key in BLOCK_FIELDS:
        setattr(block, key, values.get(key))
    for meeting in outside:
        _unplace(meeting)
    db.session.flush()
    if block.is_published:
        for meeting in placed:
            if not meeting.is_scheduled or _place_words(meeting) != before[meeting.id]:
                _notify_change(meeting)
    record(
        "cooperation.block_updated",
        block,
        actor=actor,
        after={"taken_out": len(outside)} if outside else None,
    )
    return block


def _place_words(meeting: MeetingRequest) -> tuple:
    """What a participant reads of a meeting's place: start, end and the table's name."""
    block = meeting.block
    return block.slot_start(meeting.slot), block.slot_end(meeting.slot), block.table_labels[meeting.table_no]


def blocks_of(event: Event) -> list[MeetingBlock]:
    return db.session.scalars(
        sa.select(MeetingBlock).where(MeetingBlock.event_id == event.id).order_by(MeetingBlock.starts_at)
    ).all()
