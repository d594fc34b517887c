"""B2B meetings at a session: a meeting block on the session's agenda, meeting requests between two
registered participants, their place in the schedule, and what each side says came of them.

Every row is tenant-owned (composite foreign keys with ``tenant_id``). A clash is impossible in the
database itself: a request's place is unique per (block, slot, table), and each scheduled meeting holds one
:class:`MeetingSeat` per participant, unique per (block, slot, participant) — so two staff moving meetings at
the same time cannot put one person or one table in two places.

``offer_id`` cites an offer or request of the cooperation exchange (``cooperation_offers``, global rows);
when the entry is deleted the meeting request stays, without the citation.
"""

import enum
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...events.models import Event, Registration
from ...extensions import db
from ...tenancy.models import utcnow
from ...tenancy.scoping import TenantOwned, tenant_fk
from ..offers.models import CooperationOffer


class BlockStatus(enum.StrEnum):
    DRAFT = "draft"  # staff configure and schedule; participants request and answer
    PUBLISHED = "published"  # the schedule is announced: later changes are mailed to both sides


class RequestStatus(enum.StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


REQUEST_STATUS_LABELS = {
    RequestStatus.REQUESTED: _l("Awaiting an answer"),
    RequestStatus.ACCEPTED: _l("Accepted"),
    RequestStatus.DECLINED: _l("Declined"),
    RequestStatus.CANCELLED: _l("Cancelled"),
}


class Outcome(enum.StrEnum):
    NOT_HELD = "not_held"
    NO_INTEREST = "no_interest"
    FURTHER_TALKS = "further_talks"
    NDA_OR_LOI = "nda_or_loi"
    AGREEMENT = "agreement"


OUTCOME_LABELS = {
    Outcome.NOT_HELD: _l("The meeting did not take place"),
    Outcome.NO_INTEREST: _l("No interest"),
    Outcome.FURTHER_TALKS: _l("Further talks"),
    Outcome.NDA_OR_LOI: _l("NDA or letter of intent"),
    Outcome.AGREEMENT: _l("Contract or cooperation agreement"),
}


def _pick(obj, name: str) -> str:
    locale = str(get_locale() or "ru")
    value = getattr(obj, f"{name}_en") if locale.startswith("en") else None
    return value or getattr(obj, f"{name}_ru") or ""


class MeetingBlock(TenantOwned, db.Model):
    """A block of B2B meetings in a session's programme: ``slot_count`` slots of ``slot_minutes`` from
    ``starts_at`` (naive UTC) at ``table_count`` tables."""

    __tablename__ = "cooperation_meeting_blocks"
    __tenant_table_args__ = (
        tenant_fk("event_id", "events"),
        sa.CheckConstraint("slot_minutes > 0", name="slot_minutes_positive"),
        sa.CheckConstraint("slot_count > 0", name="slot_count_positive"),
        sa.CheckConstraint("table_count > 0", name="table_count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(index=True)
    title_ru: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str | None] = mapped_column(sa.String(300))
    place_ru: Mapped[str | None] = mapped_column(sa.String(300))  # the hall
    place_en: Mapped[str | None] = mapped_column(sa.String(300))
    starts_at: Mapped[datetime] = mapped_column()
    slot_minutes: Mapped[int] = mapped_column()
    slot_count: Mapped[int] = mapped_column()
    table_count: Mapped[int] = mapped_column()
    table_names: Mapped[str | None] = mapped_column(sa.Text)  # one per line; "Стол N" where missing
    max_meetings: Mapped[int | None] = mapped_column()  # per participant
    max_consecutive: Mapped[int | None] = mapped_column()  # meetings in a row before a free slot
    status: Mapped[str] = mapped_column(sa.String(16), default=BlockStatus.DRAFT)
    published_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[Event] = relationship(overlaps="tenant")

    @property
    def title(self) -> str:
        return _pick(self, "title")

    @property
    def place(self) -> str:
        return _pick(self, "place")

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.slot_minutes * self.slot_count)

    def slot_start(self, slot: int) -> datetime:
        return self.starts_at + timedelta(minutes=self.slot_minutes * slot)

    def slot_end(self, slot: int) -> datetime:
        return self.slot_start(slot + 1)

    @property
    def table_labels(self) -> list[str]:
        names = [line.strip() for line in (self.table_names or "").splitlines() if line.strip()]
        return [
            names[t] if t < len(names) else str(_l("Table %(number)s", number=t + 1))
            for t in range(self.table_count)
        ]

    @property
    def is_published(self) -> bool:
        return self.status == BlockStatus.PUBLISHED


class MeetingRequest(TenantOwned, db.Model):
    """A request by one participant to meet another in a block; once accepted and scheduled, the meeting."""

    __tablename__ = "cooperation_meeting_requests"
    __tenant_table_args__ = (
        tenant_fk("block_id", "cooperation_meeting_blocks"),
        tenant_fk("requester_id", "event_registrations"),
        tenant_fk("recipient_id", "event_registrations"),
        # one table holds one meeting per slot (NULLs, i.e. unscheduled requests, never clash)
        sa.UniqueConstraint("tenant_id", "block_id", "slot", "table_no", name="uq_cooperation_meeting_place"),
        sa.Index("ix_cooperation_meeting_requests_block_status", "tenant_id", "block_id", "status"),
        sa.CheckConstraint("requester_id <> recipient_id", name="two_sides"),
        sa.CheckConstraint("(slot IS NULL) = (table_no IS NULL)", name="slot_with_table"),
        sa.CheckConstraint(
            "requester_amount_kopecks IS NULL OR requester_amount_kopecks >= 0",
            name="requester_amount_positive",
        ),
        sa.CheckConstraint(
            "recipient_amount_kopecks IS NULL OR recipient_amount_kopecks >= 0",
            name="recipient_amount_positive",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    block_id: Mapped[int] = mapped_column(index=True)
    requester_id: Mapped[int] = mapped_column(index=True)
    recipient_id: Mapped[int] = mapped_column(index=True)
    message: Mapped[str | None] = mapped_column(sa.Text)
    offer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cooperation_offers.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(16), default=RequestStatus.REQUESTED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column()
    slot: Mapped[int | None] = mapped_column()
    table_no: Mapped[int | None] = mapped_column()
    scheduled_at: Mapped[datetime | None] = mapped_column()
    requester_outcome: Mapped[str | None] = mapped_column(sa.String(16))
    requester_amount_kopecks: Mapped[int | None] = mapped_column(sa.BigInteger)
    recipient_outcome: Mapped[str | None] = mapped_column(sa.String(16))
    recipient_amount_kopecks: Mapped[int | None] = mapped_column(sa.BigInteger)

    block: Mapped[MeetingBlock] = relationship(overlaps="tenant")
    requester: Mapped[Registration] = relationship(foreign_keys=[requester_id], overlaps="tenant,block")
    recipient: Mapped[Registration] = relationship(
        foreign_keys=[recipient_id], overlaps="tenant,block,requester"
    )
    offer: Mapped[CooperationOffer | None] = relationship()  # the cited entry (global)
    seats: Mapped[list["MeetingSeat"]] = relationship(
        back_populates="request", cascade="all, delete-orphan", overlaps="tenant"
    )

    @property
    def status_label(self) -> str:
        return str(REQUEST_STATUS_LABELS.get(self.status, self.status))

    @property
    def is_scheduled(self) -> bool:
        return self.slot is not None

    def other_side(self, registration_id: int) -> Registration:
        return self.recipient if registration_id == self.requester_id else self.requester

    def side_of(self, registration_id: int) -> str | None:
        if registration_id == self.requester_id:
            return "requester"
        if registration_id == self.recipient_id:
            return "recipient"
        return None

    def outcome_of(self, side: str) -> tuple[str | None, Decimal | None]:
        kopecks = getattr(self, f"{side}_amount_kopecks")
        return getattr(self, f"{side}_outcome"), (None if kopecks is None else Decimal(kopecks) / 100)

    @property
    def outcomes_differ(self) -> bool:
        """Both sides answered, differently (shown as such: the two answers are never averaged)."""
        mine, theirs = self.requester_outcome, self.recipient_outcome
        return mine is not None and theirs is not None and mine != theirs


class MeetingSeat(TenantOwned, db.Model):
    """A participant's place in one slot of a block: one row per side of a scheduled meeting, unique per
    (block, slot, participant), so a person cannot be in two meetings at once whatever the application does."""

    __tablename__ = "cooperation_meeting_seats"
    __tenant_table_args__ = (
        tenant_fk("request_id", "cooperation_meeting_requests"),
        tenant_fk("block_id", "cooperation_meeting_blocks"),
        tenant_fk("registration_id", "event_registrations"),
        sa.UniqueConstraint(
            "tenant_id", "block_id", "slot", "registration_id", name="uq_cooperation_meeting_seat"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(index=True)
    block_id: Mapped[int] = mapped_column(index=True)
    registration_id: Mapped[int] = mapped_column(index=True)
    slot: Mapped[int] = mapped_column()

    request: Mapped[MeetingRequest] = relationship(back_populates="seats", overlaps="tenant")


class MeetingPreference(TenantOwned, db.Model):
    """A participant's own limits in one block: their most meetings (never above the block's) and the slots
    they are not available in (breaks). Set by the participant or by staff; the scheduler respects them.

    Breaks are slot numbers of the block: when staff shift the block's start, a break shifts with it."""

    __tablename__ = "cooperation_meeting_preferences"
    __tenant_table_args__ = (
        tenant_fk("block_id", "cooperation_meeting_blocks"),
        tenant_fk("registration_id", "event_registrations"),
        sa.UniqueConstraint(
            "tenant_id", "block_id", "registration_id", name="uq_cooperation_meeting_preference"
        ),
        sa.CheckConstraint("max_meetings IS NULL OR max_meetings > 0", name="max_meetings_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    block_id: Mapped[int] = mapped_column(index=True)
    registration_id: Mapped[int] = mapped_column(index=True)
    max_meetings: Mapped[int | None] = mapped_column()  # None: the block's limit
    unavailable: Mapped[str] = mapped_column(sa.String(500), default="")  # slot numbers, "2 5 6"
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship(overlaps="tenant")

    @property
    def unavailable_slots(self) -> set[int]:
        return {int(v) for v in (self.unavailable or "").split() if v.isdigit()}
