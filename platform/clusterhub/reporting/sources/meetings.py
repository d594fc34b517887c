"""Indicators read from the B2B meetings at the centers' sessions (``cooperation.meetings``).

A meeting counts where it happened: the center that ran the session (its region and district). It is dated
by the start of its meeting block. Each side records its own outcome; the indicators never average the two:

* held — accepted, placed in a published schedule, at least one side recorded an outcome and neither side
  said it did not take place;
* agreement — held, and BOTH sides recorded a contract or cooperation agreement (when the sides differ,
  the meeting is shown as a mismatch on the center's page and is not counted);
* between regions — an agreement whose two participants come from different regions (the region each gave
  when registering for the session).
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from ...cooperation.meetings.models import BlockStatus, MeetingBlock, MeetingRequest, Outcome, RequestStatus
from ...core import signals
from ...events.models import Registration
from ..registry import Source
from ..sql import execute, group_column, grouped, in_period, scoped

source = Source()


def _meetings(scope, grouping, *conditions):
    statement = sa.select(group_column(grouping), sa.func.count(MeetingRequest.id)).select_from(
        MeetingRequest
    )
    statement = statement.join(
        MeetingBlock,
        sa.and_(
            MeetingBlock.id == MeetingRequest.block_id, MeetingBlock.tenant_id == MeetingRequest.tenant_id
        ),
    )
    statement = scoped(statement, scope, MeetingRequest.tenant_id).where(
        MeetingRequest.status == RequestStatus.ACCEPTED,
        MeetingRequest.slot.is_not(None),
        MeetingBlock.status == BlockStatus.PUBLISHED,
        in_period(MeetingBlock.starts_at, scope),
        sa.or_(MeetingRequest.requester_outcome.is_not(None), MeetingRequest.recipient_outcome.is_not(None)),
        sa.func.coalesce(MeetingRequest.requester_outcome, "") != Outcome.NOT_HELD,
        sa.func.coalesce(MeetingRequest.recipient_outcome, "") != Outcome.NOT_HELD,
        *conditions,
    )
    return statement


def _agreed():
    return sa.and_(
        MeetingRequest.requester_outcome == Outcome.AGREEMENT,
        MeetingRequest.recipient_outcome == Outcome.AGREEMENT,
    )


@source.indicator(
    "b2b_meetings_held",
    "sessions",
    _l("B2B meetings held"),
    _l(
        "B2B meetings at the period's sessions that took place: accepted by both sides, placed in a published "
        "schedule, with an outcome recorded by at least one side and neither side saying it did not take "
        "place. Dated by the start of the meeting block."
    ),
)
def b2b_meetings_held(scope, grouping):
    return execute(grouped(_meetings(scope, grouping), grouping))


@source.indicator(
    "b2b_agreements",
    "sessions",
    _l("Agreements reached at B2B meetings"),
    _l(
        "B2B meetings held in the period after which both sides recorded a contract or a cooperation "
        "agreement. When the two sides' answers differ, the meeting is not counted (the center sees the "
        "mismatch)."
    ),
)
def b2b_agreements(scope, grouping):
    return execute(grouped(_meetings(scope, grouping, _agreed()), grouping))


@source.indicator(
    "b2b_agreements_interregional",
    "sessions",
    _l("Agreements between enterprises of different regions"),
    _l(
        "Agreements reached at B2B meetings (both sides recorded a contract or a cooperation agreement) "
        "whose two participants come from different regions, by the region each gave when registering."
    ),
)
def b2b_agreements_interregional(scope, grouping):
    requester, recipient = aliased(Registration), aliased(Registration)
    statement = _meetings(scope, grouping, _agreed(), requester.region_id != recipient.region_id)
    statement = statement.join(
        requester,
        sa.and_(requester.id == MeetingRequest.requester_id, requester.tenant_id == MeetingRequest.tenant_id),
    ).join(
        recipient,
        sa.and_(recipient.id == MeetingRequest.recipient_id, recipient.tenant_id == MeetingRequest.tenant_id),
    )
    return execute(grouped(statement, grouping))


def connect_signals() -> None:
    """Answer ``signals.indicator_sources`` with this module's definitions (called from ``create_app``)."""
    signals.indicator_sources.connect(source.answer)
