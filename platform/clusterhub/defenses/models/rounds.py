"""A defense round, its criteria and its programme: the projects' slots, where the chair's decisions are
recorded.

The round is held at a session's «project defense» agenda item (``event_id`` / ``agenda_item_id``), or
stands alone when both are empty.
"""

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...projects.models import JointProject, SelectionRound
from ...tenancy.models import utcnow
from ...tenancy.scoping import TenantOwned, tenant_fk

if TYPE_CHECKING:
    from .panel import PanelMember


class RoundStatus(enum.StrEnum):
    OPEN = "open"  # experts score
    CLOSED = "closed"  # scoring over; results visible, the chair records decisions
    SIGNED = "signed"  # the protocol is signed: nothing changes any more


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
