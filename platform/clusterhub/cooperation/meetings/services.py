"""Operations on B2B meetings: blocks, requests and answers, the automatic schedule, moves by hand,
publishing, outcomes. Services add and flush; the request commits (``core.unit_of_work``).

Guarantees: a participant only requests a meeting with another confirmed participant of the same session,
once per pair; only the recipient answers; the schedule never puts a person or a table in two places (the
service checks first and says why, the database refuses whatever slips past the check — two staff moving at
once); after publishing, every change of a meeting's place is mailed to both sides.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ...audit.services import record
from ...core.refusal import Refusal
from ...events.models import AgendaItem, AgendaSignup, Event, Registration, RegistrationStatus, SignupStatus
from ...extensions import db
from ...outbox.services import enqueue_template
from ...tenancy.models import utcnow
from ..offers.models import CooperationOffer
from ..offers.services import entries
from . import scheduler
from .models import (
    BlockStatus,
    MeetingBlock,
    MeetingPreference,
    MeetingRequest,
    MeetingSeat,
    Outcome,
    RequestStatus,
)

OPEN_STATUSES = (RequestStatus.REQUESTED, RequestStatus.ACCEPTED)


# --- blocks ---------------------------------------------------------------------------------------------


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


# --- participants ---------------------------------------------------------------------------------------


def participant(event_id: int, user) -> Registration | None:
    """The user's confirmed registration at the session (by account, or else by e-mail), if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(Registration)
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
            sa.or_(Registration.user_id == user.id, Registration.email == user.email),
        )
        .order_by(Registration.user_id.is_(None), Registration.id)
        .limit(1)
    )


def directory(
    block: MeetingBlock, exclude: Registration | None = None, query: str = ""
) -> list[Registration]:
    """The session's confirmed participants a participant may ask to meet (no contact details here)."""
    stmt = (
        sa.select(Registration)
        .where(Registration.event_id == block.event_id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.organisation, Registration.full_name)
        .options(sa.orm.selectinload(Registration.region))
    )
    if exclude is not None:
        stmt = stmt.where(Registration.id != exclude.id)
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Registration.full_name).like(like),
                sa.func.lower(Registration.organisation).like(like),
            )
        )
    return db.session.scalars(stmt).all()


def requests_of(block: MeetingBlock, registration: Registration) -> list[MeetingRequest]:
    """Every request the participant sent or received in the block, newest first."""
    return db.session.scalars(
        sa.select(MeetingRequest)
        .where(
            MeetingRequest.block_id == block.id,
            sa.or_(
                MeetingRequest.requester_id == registration.id, MeetingRequest.recipient_id == registration.id
            ),
        )
        .order_by(MeetingRequest.created_at.desc(), MeetingRequest.id.desc())
        .options(sa.orm.selectinload(MeetingRequest.requester), sa.orm.selectinload(MeetingRequest.recipient))
    ).all()


def enterprises_of(registration: Registration) -> set[int]:
    """The enterprises a participant stands for: the one they registered for and those whose confirmed
    representative their account is."""
    ids = entries.enterprise_ids_represented(registration.user_id)
    if registration.enterprise_id is not None:
        ids.add(registration.enterprise_id)
    return ids


def citable_entries(
    requester: Registration, recipient: Registration
) -> tuple[list[CooperationOffer], list[CooperationOffer]]:
    """What a meeting request may cite: the published offers and requests of the requester's enterprises
    and of the other side's (an enterprise both stand for counts as the requester's)."""
    mine = enterprises_of(requester)
    theirs = enterprises_of(recipient) - mine
    return entries.live_entries_of(mine), entries.live_entries_of(theirs)


def request_meeting(
    block: MeetingBlock,
    requester: Registration,
    recipient_id: int,
    message: str = "",
    offer_id: int | None = None,
) -> MeetingRequest:
    """A request from ``requester`` to another confirmed participant of the same session; one open
    request per pair (either direction)."""
    if requester.event_id != block.event_id or requester.status != RegistrationStatus.CONFIRMED:
        raise Refusal(_("Only confirmed participants of the session can request meetings."))
    recipient = db.session.get(Registration, recipient_id) if recipient_id else None
    if (
        recipient is None
        or recipient.event_id != block.event_id
        or recipient.status != RegistrationStatus.CONFIRMED
    ):
        raise Refusal(_("Choose a confirmed participant of this session."), "recipient_id")
    if recipient.id == requester.id:
        raise Refusal(_("You cannot request a meeting with yourself."), "recipient_id")
    if offer_id is not None:
        mine, theirs = citable_entries(requester, recipient)
        if offer_id not in {entry.id for entry in (*mine, *theirs)}:
            raise Refusal(
                _("Cite a published offer or request of your enterprise or of the other side's."), "offer_id"
            )
    pair = sa.or_(
        sa.and_(MeetingRequest.requester_id == requester.id, MeetingRequest.recipient_id == recipient.id),
        sa.and_(MeetingRequest.requester_id == recipient.id, MeetingRequest.recipient_id == requester.id),
    )
    existing = db.session.scalar(
        sa.select(MeetingRequest.id).where(
            MeetingRequest.block_id == block.id, pair, MeetingRequest.status.in_(OPEN_STATUSES)
        )
    )
    if existing:
        raise Refusal(
            _("There is already a meeting request between you and this participant."), "recipient_id"
        )
    meeting = MeetingRequest(
        block_id=block.id,
        requester_id=requester.id,
        recipient_id=recipient.id,
        message=(message or "").strip() or None,
        offer_id=offer_id,
        status=RequestStatus.REQUESTED,
    )
    db.session.add(meeting)
    db.session.flush()
    _mail(recipient, "cooperation_meeting_requested", meeting, other=requester)
    return meeting


def answer(meeting: MeetingRequest, registration: Registration, accept: bool) -> MeetingRequest:
    """The recipient accepts or declines a request awaiting an answer."""
    if meeting.recipient_id != registration.id:
        raise Refusal(_("Only the participant who was asked can answer."))
    if meeting.status != RequestStatus.REQUESTED:
        raise Refusal(_("This request has already been answered."))
    meeting.status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    meeting.answered_at = utcnow()
    db.session.flush()
    _mail(meeting.requester, "cooperation_meeting_answered", meeting, other=registration)
    return meeting


def cancel(meeting: MeetingRequest, registration: Registration | None, actor=None) -> MeetingRequest:
    """Either side (or staff, with ``registration`` None) cancels an open request; its place is freed and,
    once the schedule is published, both sides are told."""
    if registration is not None and meeting.side_of(registration.id) is None:
        raise Refusal(_("This is not your meeting."))
    if meeting.status not in OPEN_STATUSES:
        raise Refusal(_("This request is no longer open."))
    was_scheduled = meeting.is_scheduled
    _unplace(meeting)
    meeting.status = RequestStatus.CANCELLED
    db.session.flush()
    if was_scheduled and meeting.block.is_published:
        _notify_change(meeting, cancelled=True)
    record("cooperation.meeting_cancelled", meeting, actor=actor)
    return meeting


# --- each participant's own limits ---------------------------------------------------------------------


def preferences_of(block: MeetingBlock) -> dict[int, MeetingPreference]:
    """Registration id → their own limits in the block (only those who set any)."""
    rows = db.session.scalars(sa.select(MeetingPreference).where(MeetingPreference.block_id == block.id))
    return {p.registration_id: p for p in rows}


def preference(block: MeetingBlock, registration: Registration) -> MeetingPreference | None:
    return db.session.scalar(
        sa.select(MeetingPreference).where(
            MeetingPreference.block_id == block.id, MeetingPreference.registration_id == registration.id
        )
    )


def set_preferences(
    block: MeetingBlock,
    registration: Registration,
    max_meetings: int | None,
    unavailable: list[int] | set[int],
    actor=None,
) -> MeetingPreference:
    """A participant's own maximum (not above the block's) and the slots they are not available in.
    Meetings already placed are not moved here: those that now break a limit show as conflicts on the
    staff's grid, and the next run of the scheduler respects the new limits."""
    if registration.event_id != block.event_id or registration.status != RegistrationStatus.CONFIRMED:
        raise Refusal(_("Only confirmed participants of the session have meetings."))
    if max_meetings is not None:
        if max_meetings < 1:
            raise Refusal(_("Leave it empty or give a positive number."), "max_meetings")
        if block.max_meetings is not None and max_meetings > block.max_meetings:
            raise Refusal(
                _("The block allows at most %(count)s meetings per participant.", count=block.max_meetings),
                "max_meetings",
            )
    slots = sorted({int(s) for s in unavailable})
    if any(not (0 <= s < block.slot_count) for s in slots):
        raise Refusal(_("There is no such slot in this block."), "unavailable")
    if len(slots) >= block.slot_count:
        raise Refusal(_("Leave at least one slot free for meetings."), "unavailable")
    pref = preference(block, registration)
    before = None if pref is None else {"max": pref.max_meetings, "breaks": pref.unavailable}
    if pref is None:
        pref = MeetingPreference(block_id=block.id, registration_id=registration.id)
        db.session.add(pref)
    pref.max_meetings = max_meetings
    pref.unavailable = " ".join(str(s) for s in slots)
    db.session.flush()
    record(
        "cooperation.preferences_set",
        pref,
        actor=actor,
        before=before,
        after={"max": pref.max_meetings, "breaks": pref.unavailable},
    )
    return pref


def conflicts(block: MeetingBlock) -> dict[int, list[str]]:
    """Placed meetings that break a person's own limits set after they were placed: meeting id → the
    reasons, in words. Nothing is taken out by itself; staff move the meeting or re-run the scheduler."""
    found: dict[int, list[str]] = {}
    prefs = preferences_of(block)
    if not prefs:
        return found
    placed = [m for m in accepted_meetings(block) if m.is_scheduled]
    seen: dict[int, int] = {}
    for m in sorted(placed, key=lambda m: (m.slot, m.id)):
        for person in (m.requester, m.recipient):
            pref = prefs.get(person.id)
            if pref is None:
                continue
            if m.slot in pref.unavailable_slots:
                found.setdefault(m.id, []).append(
                    _("%(name)s is not available in this slot.", name=person.full_name)
                )
            seen[person.id] = seen.get(person.id, 0) + 1
            if pref.max_meetings is not None and seen[person.id] > pref.max_meetings:
                found.setdefault(m.id, []).append(
                    _(
                        "%(name)s wants at most %(count)s meetings.",
                        name=person.full_name,
                        count=pref.max_meetings,
                    )
                )
    return found


# --- the schedule ---------------------------------------------------------------------------------------


def accepted_meetings(block: MeetingBlock) -> list[MeetingRequest]:
    return db.session.scalars(
        sa.select(MeetingRequest)
        .where(MeetingRequest.block_id == block.id, MeetingRequest.status == RequestStatus.ACCEPTED)
        .order_by(MeetingRequest.id)
        .options(sa.orm.selectinload(MeetingRequest.requester), sa.orm.selectinload(MeetingRequest.recipient))
    ).all()


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


# --- outcomes -------------------------------------------------------------------------------------------


def parse_amount(text: str | None) -> int | None:
    """Roubles as typed ("1 500 000,50") → kopecks; empty → None."""
    if text is None or not str(text).strip():
        return None
    cleaned = str(text).replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise Refusal(_("Give the amount in roubles, e.g. 1 500 000,00."), "amount") from None
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise Refusal(_("Give the amount in roubles, e.g. 1 500 000,00."), "amount")
    return int(value * 100)


def record_outcome(
    meeting: MeetingRequest,
    registration: Registration,
    outcome: str,
    amount_kopecks: int | None = None,
    now: datetime | None = None,
) -> MeetingRequest:
    """One side's answer to "what came of it" for a scheduled meeting that has begun; the other side's
    answer is kept apart (a mismatch is shown, never averaged)."""
    side = meeting.side_of(registration.id)
    if side is None:
        raise Refusal(_("This is not your meeting."))
    if meeting.status != RequestStatus.ACCEPTED or not meeting.is_scheduled:
        raise Refusal(_("Only a scheduled meeting has an outcome."))
    if (now or utcnow()) < meeting.block.slot_start(meeting.slot):
        raise Refusal(_("The outcome can be recorded once the meeting has begun."))
    if outcome not in set(Outcome):
        raise Refusal(_("Choose an outcome."), "outcome")
    if amount_kopecks is not None and outcome not in (Outcome.NDA_OR_LOI, Outcome.AGREEMENT):
        amount_kopecks = None  # an amount only means something for an agreement
    setattr(meeting, f"{side}_outcome", outcome)
    setattr(meeting, f"{side}_amount_kopecks", amount_kopecks)
    db.session.flush()
    return meeting


# --- mail -----------------------------------------------------------------------------------------------


def _mail(
    person: Registration,
    template: str,
    meeting: MeetingRequest | None,
    block: MeetingBlock | None = None,
    **context,
) -> None:
    from ...events.services.common import to_local
    from ...events.services.links import absolute_url

    block = block or meeting.block
    tenant = block.event.tenant
    slug = tenant.slug
    enqueue_template(
        person.email,
        template,
        person.locale,
        tenant_slug=slug,
        person=person,
        meeting=meeting,
        block=block,
        link=absolute_url("meetings.mine", tenant=slug, meeting_block_id=block.id),
        local=lambda value: to_local(value, tenant).strftime("%d.%m.%Y %H:%M"),
        **context,
    )


def _notify_change(meeting: MeetingRequest, cancelled: bool = False) -> None:
    """A late change of a published schedule, mailed to both sides."""
    for person in (meeting.requester, meeting.recipient):
        _mail(
            person,
            "cooperation_meeting_changed",
            meeting,
            other=meeting.other_side(person.id),
            cancelled=cancelled or not meeting.is_scheduled,
        )
