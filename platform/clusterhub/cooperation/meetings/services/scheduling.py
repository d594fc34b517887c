"""The schedule of a block: the automatic scheduler's input and run, moves by hand, publishing, each
participant's own schedule. Services add and flush; the request commits (``core.unit_of_work``).

Guarantees: the schedule never puts a person or a table in two places (the service checks first and says
why, the database refuses whatever slips past the check — two staff moving at once); after publishing,
every change of a meeting's place is mailed to both sides.
"""

import sqlalchemy as sa
from flask_babel import gettext as _

from ....audit.services import record
from ....core.refusal import Refusal
from ....events.models import AgendaItem, AgendaSignup, Registration, SignupStatus
from ....extensions import db
from ....tenancy.models import utcnow
from .. import scheduler
from ..models import (
    BlockStatus,
    MeetingBlock,
    MeetingRequest,
    MeetingSeat,
    RequestStatus,
)
from .notifications import _mail, _notify_change
from .places import _flush_places, _place, _unplace, accepted_meetings
from .preferences import preference, preferences_of
from .requests import requests_of


def unavailable_slots(block: MeetingBlock, registration_ids) -> dict[int, set[int]]:
    """Per participant, the block's slots that overlap an agenda item they hold a seat at (a site visit)."""
    rows = db.session.execute(
        sa.select(AgendaSignup.registration_id, AgendaItem.starts_at, AgendaItem.ends_at)
        .join(AgendaItem, AgendaItem.id == AgendaSignup.agenda_item_id)
        .where(
            AgendaSignup.registration_id.in_(list(registration_ids)),
            AgendaSignup.status == SignupStatus.CONFIRMED,
            AgendaItem.event_id == block.event_id,
            AgendaItem.starts_at < block.ends_at,
            AgendaItem.ends_at > block.starts_at,
        )
    ).all()
    busy: dict[int, set[int]] = {}
    for registration_id, starts, ends in rows:
        for slot in range(block.slot_count):
            if starts < block.slot_end(slot) and ends > block.slot_start(slot):
                busy.setdefault(registration_id, set()).add(slot)
    return busy


def problem_for(
    block: MeetingBlock, allow_moving: bool = False, time_limit: float = 1.5
) -> scheduler.Problem:
    """The scheduler's input for the block: its accepted meetings (with their current place), each
    person's agenda items and own breaks, and their own maximum where they set one."""
    meetings = accepted_meetings(block)
    persons = {p for m in meetings for p in (m.requester_id, m.recipient_id)}
    unavailable = unavailable_slots(block, persons) if persons else {}
    maximum = {}
    for pref in preferences_of(block).values():
        if pref.registration_id not in persons:
            continue
        if pref.unavailable_slots:
            unavailable.setdefault(pref.registration_id, set()).update(pref.unavailable_slots)
        if pref.max_meetings is not None:  # the block's limit still binds if staff lowered it since
            maximum[pref.registration_id] = min(pref.max_meetings, block.max_meetings or pref.max_meetings)
    return scheduler.Problem(
        slots=block.slot_count,
        tables=block.table_count,
        meetings=[
            scheduler.Meeting(m.id, (m.requester_id, m.recipient_id), m.slot, m.table_no) for m in meetings
        ],
        unavailable=unavailable,
        max_meetings=maximum,
        default_max=block.max_meetings,
        max_consecutive=block.max_consecutive,
        allow_moving=allow_moving,
        time_limit=time_limit,
    )


def run_scheduler(block: MeetingBlock, allow_moving: bool = False, actor=None) -> scheduler.Schedule:
    """Place the block's accepted meetings; placed ones keep their place unless ``allow_moving``.
    Returns the scheduler's result (placed, unplaced, moved); moved meetings of a published schedule
    are mailed to both sides."""
    problem = problem_for(block, allow_moving)
    result = scheduler.schedule(problem)
    meetings = {m.id: m for m in accepted_meetings(block)}
    changed = [
        mid
        for mid, m in meetings.items()
        if result.placed.get(mid) != ((m.slot, m.table_no) if m.is_scheduled else None)
    ]
    # free every changed place first, then take the new ones: no transient clash inside the flush
    for mid in changed:
        _unplace(meetings[mid])
    db.session.flush()
    for mid in changed:
        if mid in result.placed:
            _place(meetings[mid], *result.placed[mid])
    _flush_places()
    if block.is_published:
        for mid in changed:
            _notify_change(meetings[mid], cancelled=mid not in result.placed)
    record(
        "cooperation.schedule_run",
        block,
        actor=actor,
        after={"placed": len(result.placed), "unplaced": len(result.unplaced), "moved": len(changed)},
    )
    return result


def move(meeting: MeetingRequest, slot: int, table: int, actor=None) -> MeetingRequest:
    """Put an accepted meeting at ``(slot, table)`` by hand; a taken table, a side already busy in that
    slot or at an agenda item, is refused with the reason."""
    block = meeting.block
    if meeting.status != RequestStatus.ACCEPTED:
        raise Refusal(_("Only accepted meetings can be placed."))
    if not (0 <= slot < block.slot_count):
        raise Refusal(_("There is no such slot in this block."), "slot")
    if not (0 <= table < block.table_count):
        raise Refusal(_("There is no such table in this block."), "table")
    if (meeting.slot, meeting.table_no) == (slot, table):
        return meeting
    occupant = db.session.scalar(
        sa.select(MeetingRequest).where(
            MeetingRequest.block_id == block.id,
            MeetingRequest.slot == slot,
            MeetingRequest.table_no == table,
            MeetingRequest.id != meeting.id,
        )
    )
    if occupant is not None:
        raise Refusal(
            _(
                "%(table)s is taken in this slot by %(first)s and %(second)s.",
                table=block.table_labels[table],
                first=occupant.requester.full_name,
                second=occupant.recipient.full_name,
            ),
            "table",
        )
    for person in (meeting.requester, meeting.recipient):
        busy = db.session.scalar(
            sa.select(MeetingSeat.id).where(
                MeetingSeat.block_id == block.id,
                MeetingSeat.slot == slot,
                MeetingSeat.registration_id == person.id,
                MeetingSeat.request_id != meeting.id,
            )
        )
        if busy:
            raise Refusal(
                _("%(name)s already has another meeting in this slot.", name=person.full_name), "slot"
            )
    unavailable = unavailable_slots(block, [meeting.requester_id, meeting.recipient_id])
    for person in (meeting.requester, meeting.recipient):
        if slot in unavailable.get(person.id, ()):
            raise Refusal(
                _("%(name)s is at another item of the programme at that time.", name=person.full_name), "slot"
            )
    for person in (meeting.requester, meeting.recipient):
        pref = preference(block, person)
        if pref is not None and slot in pref.unavailable_slots:
            raise Refusal(_("%(name)s is not available in this slot.", name=person.full_name), "slot")
        limit = (
            pref.max_meetings if pref is not None and pref.max_meetings is not None else block.max_meetings
        )
        if not meeting.is_scheduled and limit is not None and _placed_count(block, person) >= limit:
            raise Refusal(
                _(
                    "%(name)s already has %(count)s meetings, their maximum.",
                    name=person.full_name,
                    count=limit,
                ),
                "slot",
            )
    previous = meeting.slot
    _unplace(meeting)
    db.session.flush()
    _place(meeting, slot, table)
    _flush_places()
    if block.is_published:
        _notify_change(meeting)
    record(
        "cooperation.meeting_moved",
        meeting,
        actor=actor,
        before={"slot": previous},
        after={"slot": slot, "table": table},
    )
    return meeting


def _placed_count(block: MeetingBlock, person: Registration) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(MeetingSeat)
        .where(MeetingSeat.block_id == block.id, MeetingSeat.registration_id == person.id)
    )


def unschedule(meeting: MeetingRequest, actor=None) -> MeetingRequest:
    """Take a meeting out of the schedule (it stays accepted and waits for a place)."""
    if not meeting.is_scheduled:
        return meeting
    _unplace(meeting)
    db.session.flush()
    if meeting.block.is_published:
        _notify_change(meeting, cancelled=True)
    record("cooperation.meeting_unscheduled", meeting, actor=actor)
    return meeting


def publish(block: MeetingBlock, actor=None) -> MeetingBlock:
    """Announce the schedule: each participant with meetings gets their personal schedule by e-mail;
    from now on every change is mailed to both sides."""
    if block.is_published:
        raise Refusal(_("The schedule is already published."))
    block.status = BlockStatus.PUBLISHED
    block.published_at = utcnow()
    db.session.flush()
    people: dict[int, Registration] = {}
    for m in accepted_meetings(block):
        if m.is_scheduled:
            people[m.requester_id] = m.requester
            people[m.recipient_id] = m.recipient
    for person in people.values():
        _mail(
            person,
            "cooperation_schedule_published",
            None,
            block=block,
            meetings=personal_schedule(block, person),
        )
    record("cooperation.schedule_published", block, actor=actor)
    return block


def personal_schedule(block: MeetingBlock, registration: Registration) -> list[MeetingRequest]:
    """The participant's placed meetings in the block, in time order."""
    return sorted(
        (
            m
            for m in requests_of(block, registration)
            if m.status == RequestStatus.ACCEPTED and m.is_scheduled
        ),
        key=lambda m: m.slot,
    )
