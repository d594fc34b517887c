"""Each participant's own limits in a block (a maximum, slots they are not available in) and the placed meetings that break them."""

import sqlalchemy as sa
from flask_babel import gettext as _

from ....audit.services import record
from ....core.refusal import Refusal
from ....events.models import Registration, RegistrationStatus
from ....extensions import db
from ..models import MeetingBlock, MeetingPreference, MeetingRequest, RequestStatus
from .places import accepted_meetings


def preferences_of(block: MeetingBlock) -> dict[int, MeetingPreference]:
    """Registration id → their own limits in the block (only those who set any)."""
    rows = db.session.scalars(sa.select(MeetingPreference).where(MeetingPreference.block_id == block.id))
    return {p.registration_id: p for p in rows}


def people_statement(block: MeetingBlock, query: str = "") -> sa.Select:
    """The block's confirmed participants who set limits or have an accepted meeting (placed or waiting),
    by organisation and name, narrowed to those whose name or organisation contains ``query``: a
    statement to paginate."""
    accepted = sa.select(MeetingRequest).where(
        MeetingRequest.block_id == block.id, MeetingRequest.status == RequestStatus.ACCEPTED
    )
    involved = sa.union(
        sa.select(MeetingPreference.registration_id).where(MeetingPreference.block_id == block.id),
        accepted.with_only_columns(MeetingRequest.requester_id),
        accepted.with_only_columns(MeetingRequest.recipient_id),
    )
    stmt = (
        sa.select(Registration)
        .where(
            Registration.event_id == block.event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.id.in_(involved.scalar_subquery()),
        )
        .order_by(Registration.organisation, Registration.full_name, Registration.id)
    )
    text = query.strip()
    if text:
        # lower() folds Cyrillic on PostgreSQL but not on SQLite, so the usual spellings are tried as well
        # (as the session's participant list does).
        variants = {text, text.lower(), text.capitalize(), text.title(), text.upper()}
        columns = (Registration.full_name, Registration.organisation)
        stmt = stmt.where(
            sa.or_(
                *(sa.func.lower(column).like(f"%{text.lower()}%") for column in columns),
                *(column.like(f"%{variant}%") for column in columns for variant in variants),
            )
        )
    return stmt


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
