"""Preliminary defense rounds: panel, slots, assignments, conflicts of interest, scores and the protocol.

The link to a session (``event_id`` / ``agenda_item_id`` of an agenda item of type "project defense") is
added when the events module is merged; until then a round stands alone.
"""

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..projects.models import JointProject, SelectionRound
from ..tenancy.models import utcnow
from ..tenancy.scoping import TenantOwned, tenant_fk


class RoundStatus(enum.StrEnum):
    OPEN = "open"  # experts score
    CLOSED = "closed"  # scoring over; results visible, the chair records decisions
    SIGNED = "signed"  # the protocol is signed: nothing changes any more


class PanelRole(enum.StrEnum):
    CHAIR = "chair"
    EXPERT = "expert"
    SECRETARY = "secretary"


PANEL_ROLE_LABELS = {
    PanelRole.CHAIR: _l("Chair"),
    PanelRole.EXPERT: _l("Expert"),
    PanelRole.SECRETARY: _l("Secretary"),
}


class ConflictSource(enum.StrEnum):
    DECLARED = "declared"
    DETECTED = "detected"


class DefenseRound(TenantOwned, db.Model):
    __tablename__ = "defense_rounds"
    __tenant_table_args__ = (
        sa.UniqueConstraint("tenant_id", "selection_round_id", "number"),
        tenant_fk("event_id", "events", ondelete="RESTRICT"),
        tenant_fk("agenda_item_id", "event_agenda_items", ondelete="RESTRICT"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_round_id: Mapped[int] = mapped_column(sa.ForeignKey("selection_rounds.id"), index=True)
    number: Mapped[int] = mapped_column()  # 1st, 2nd preliminary defense of the selection cycle
    title: Mapped[str] = mapped_column(sa.String(300))
    held_on: Mapped[datetime | None] = mapped_column()
    # The session (and its "project defense" agenda item) the round is held at; empty for a standalone round.
    event_id: Mapped[int | None] = mapped_column(index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(index=True)
    location: Mapped[str | None] = mapped_column(sa.String(300))
    blind: Mapped[bool] = mapped_column(default=False)
    min_experts_per_project: Mapped[int] = mapped_column(default=3)
    status: Mapped[str] = mapped_column(sa.String(16), default=RoundStatus.OPEN)
    closed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    selection_round: Mapped[SelectionRound] = relationship()
    criteria: Mapped[list["DefenseCriterion"]] = relationship(
        order_by="DefenseCriterion.position", cascade="all, delete-orphan"
    )
    panel: Mapped[list["PanelMember"]] = relationship(order_by="PanelMember.id", cascade="all, delete-orphan")
    slots: Mapped[list["DefenseSlot"]] = relationship(
        order_by="(DefenseSlot.starts_at, DefenseSlot.id)", cascade="all, delete-orphan"
    )

    @property
    def is_signed(self) -> bool:
        return self.status == RoundStatus.SIGNED


class DefenseCriterion(TenantOwned, db.Model):
    """A criterion copied from the selection round's template when the defense round is created."""

    __tablename__ = "defense_criteria"
    __tenant_table_args__ = (tenant_fk("defense_round_id", "defense_rounds"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    defense_round_id: Mapped[int] = mapped_column(index=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    name_ru: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str] = mapped_column(sa.String(300))
    weight: Mapped[Decimal] = mapped_column(sa.Numeric(6, 3))
    min_score: Mapped[int] = mapped_column(default=0)
    max_score: Mapped[int] = mapped_column(default=10)
    position: Mapped[int] = mapped_column(default=0)


class PanelMember(TenantOwned, db.Model):
    """A user on the panel: chair, expert or secretary; possibly a member of another center."""

    __tablename__ = "defense_panel_members"
    __tenant_table_args__ = (
        tenant_fk("defense_round_id", "defense_rounds"),
        sa.UniqueConstraint("tenant_id", "defense_round_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    defense_round_id: Mapped[int] = mapped_column(index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(sa.String(16), default=PanelRole.EXPERT)
    affiliation: Mapped[str | None] = mapped_column(sa.String(200))  # Минпромторг, АКИТ, the region…
    attended: Mapped[bool | None] = mapped_column()

    user = relationship("User", lazy="joined", innerjoin=True)

    @property
    def scores(self) -> bool:
        return self.role in (PanelRole.CHAIR, PanelRole.EXPERT)


class DefenseSlot(TenantOwned, db.Model):
    """A project's turn at the defense; the chair's decision and remarks are recorded on it."""

    __tablename__ = "defense_slots"
    __tenant_table_args__ = (
        tenant_fk("defense_round_id", "defense_rounds"),
        tenant_fk("joint_project_id", "joint_projects", ondelete="RESTRICT"),
        sa.UniqueConstraint("tenant_id", "defense_round_id", "joint_project_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    defense_round_id: Mapped[int] = mapped_column(index=True)
    joint_project_id: Mapped[int] = mapped_column(index=True)
    starts_at: Mapped[datetime | None] = mapped_column()
    presenter: Mapped[str | None] = mapped_column(sa.String(200))
    code: Mapped[str] = mapped_column(sa.String(10))  # "P-03": how blind reviewers see the project
    decision: Mapped[str | None] = mapped_column(sa.String(40))
    remarks: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    project: Mapped[JointProject] = relationship(lazy="joined", innerjoin=True, overlaps="slots")


class Assignment(TenantOwned, db.Model):
    """An expert assigned to score a project; the expert may decline with a reason."""

    __tablename__ = "defense_assignments"
    __tenant_table_args__ = (
        tenant_fk("defense_slot_id", "defense_slots"),
        tenant_fk("panel_member_id", "defense_panel_members"),
        sa.UniqueConstraint("tenant_id", "defense_slot_id", "panel_member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    defense_slot_id: Mapped[int] = mapped_column(index=True)
    panel_member_id: Mapped[int] = mapped_column(index=True)
    declined_at: Mapped[datetime | None] = mapped_column()
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    slot: Mapped[DefenseSlot] = relationship()
    member: Mapped[PanelMember] = relationship(overlaps="slot")


class Conflict(TenantOwned, db.Model):
    """A conflict of interest between a panel member and a project: declared or detected."""

    __tablename__ = "defense_conflicts"
    __tenant_table_args__ = (
        tenant_fk("defense_slot_id", "defense_slots"),
        tenant_fk("panel_member_id", "defense_panel_members"),
        sa.UniqueConstraint("tenant_id", "defense_slot_id", "panel_member_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    defense_slot_id: Mapped[int] = mapped_column(index=True)
    panel_member_id: Mapped[int] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    slot: Mapped[DefenseSlot] = relationship()
    member: Mapped[PanelMember] = relationship(overlaps="slot")


class Score(TenantOwned, db.Model):
    __tablename__ = "defense_scores"
    __tenant_table_args__ = (
        tenant_fk("defense_slot_id", "defense_slots"),
        tenant_fk("panel_member_id", "defense_panel_members"),
        tenant_fk("defense_criterion_id", "defense_criteria"),
        sa.UniqueConstraint("tenant_id", "defense_slot_id", "panel_member_id", "defense_criterion_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    defense_slot_id: Mapped[int] = mapped_column(index=True)
    panel_member_id: Mapped[int] = mapped_column(index=True)
    defense_criterion_id: Mapped[int] = mapped_column(index=True)
    value: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Protocol(TenantOwned, db.Model):
    """The signed protocol: a frozen snapshot of the round and its SHA-256 (verifiable publicly)."""

    __tablename__ = "defense_protocols"
    __tenant_table_args__ = (
        tenant_fk("defense_round_id", "defense_rounds"),
        sa.UniqueConstraint("tenant_id", "defense_round_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    defense_round_id: Mapped[int] = mapped_column(index=True)
    content: Mapped[dict] = mapped_column(sa.JSON)
    content_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)

    defense_round: Mapped[DefenseRound] = relationship()
    signed_by = relationship("User")
