"""Meeting requests and answers: a participant only requests a meeting with another confirmed participant
of the same session, once per pair; only the recipient answers; either side cancels. Services add and
flush; the request commits (``core.unit_of_work``)."""

import sqlalchemy as sa
from flask_babel import gettext as _

from ....audit.services import record
from ....core.refusal import Refusal
from ....events.models import Registration, RegistrationStatus
from ....extensions import db
from ....tenancy.models import utcnow
from ...offers.models import CooperationOffer
from ...offers.services import entries
from ..models import MeetingBlock, MeetingRequest, RequestStatus
from .notifications import _mail, _notify_change
from .places import _unplace

OPEN_STATUSES = (RequestStatus.REQUESTED, RequestStatus.ACCEPTED)


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
