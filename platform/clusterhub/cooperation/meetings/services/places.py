"""A meeting's place in a block's grid: the accepted meetings, a place taken and freed (with its seats,
whose unique constraints refuse a clash), and the grid."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ....core.refusal import Refusal
from ....extensions import db
from ....tenancy.models import utcnow
from ..models import MeetingBlock, MeetingRequest, MeetingSeat, RequestStatus


def accepted_meetings(block: MeetingBlock) -> list[MeetingRequest]:
    return db.session.scalars(
        sa.select(MeetingRequest)
        .where(MeetingRequest.block_id == block.id, MeetingRequest.status == RequestStatus.ACCEPTED)
        .order_by(MeetingRequest.id)
        .options(sa.orm.selectinload(MeetingRequest.requester), sa.orm.selectinload(MeetingRequest.recipient))
    ).all()


def _place(meeting: MeetingRequest, slot: int, table: int) -> None:
    meeting.slot, meeting.table_no, meeting.scheduled_at = slot, table, utcnow()
    for person_id in (meeting.requester_id, meeting.recipient_id):
        db.session.add(
            MeetingSeat(
                request_id=meeting.id, block_id=meeting.block_id, registration_id=person_id, slot=slot
            )
        )


def _unplace(meeting: MeetingRequest) -> None:
    meeting.slot = meeting.table_no = meeting.scheduled_at = None
    db.session.execute(sa.delete(MeetingSeat).where(MeetingSeat.request_id == meeting.id))
    db.session.expire(meeting, ["seats"])


def _flush_places() -> None:
    """Flush new places; the database's unique constraints refuse a clash another request made meanwhile."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise Refusal(
            _("Someone else has just taken this place or this person's time. Reload the grid and try again.")
        ) from error


def grid(block: MeetingBlock) -> dict[tuple[int, int], MeetingRequest]:
    """(slot, table) → the meeting placed there."""
    return {(m.slot, m.table_no): m for m in accepted_meetings(block) if m.is_scheduled}
