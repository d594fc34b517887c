"""What came of a meeting: each side's answer, kept apart, and the amount of an agreement."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from ....core.refusal import Refusal
from ....events.models import Registration
from ....extensions import db
from ....tenancy.models import utcnow
from ..models import MeetingRequest, Outcome, RequestStatus


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
