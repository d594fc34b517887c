"""A joint cluster project's dossier: the project, its products, cost estimate, calendar plan and target
indicators."""

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...enterprises.models import Enterprise
from ...extensions import db
from ...tenancy.models import utcnow
from ...tenancy.scoping import TenantOwned, tenant_fk
from .selection_rounds import SelectionRound
from .workflow import ProjectStatus

if TYPE_CHECKING:
    from .documents import ProjectDocument
    from .participants import ProjectParticipant, ProjectProduct
    from .workflow import ProjectStatusChange


class CostCategory(enum.StrEnum):
    EQUIPMENT = "equipment"
    STARTER_BATCH = "starter_batch"
    RESEARCH = "research"
    CERTIFICATION = "certification"
    TOOLING = "tooling"
    OTHER = "other"


class IndicatorKind(enum.StrEnum):
    OUTPUT = "output"
    NEW_PRODUCTS = "new_products"
    JOBS = "jobs"
    PARTICIPANT_PURCHASES = "participant_purchases"


class JointProject(TenantOwned, db.Model):
    """A joint cluster project dossier prepared with the center's help.

    The cluster link (``cluster_id``) is added when the clusters module is merged.
    """

    __tablename__ = "joint_projects"
    __tenant_table_args__ = (
        sa.Index("ix_joint_projects_tenant_status", "tenant_id", "status"),
        # RESTRICT, not SET NULL: on a composite key SET NULL would also null tenant_id.
        tenant_fk("cluster_id", "clusters", ondelete="RESTRICT"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_round_id: Mapped[int] = mapped_column(sa.ForeignKey("selection_rounds.id"), index=True)
    title_ru: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str | None] = mapped_column(sa.String(300))
    summary_ru: Mapped[str | None] = mapped_column(sa.Text)
    summary_en: Mapped[str | None] = mapped_column(sa.Text)
    lead_enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("enterprises.id"), index=True)
    cluster_id: Mapped[int | None] = mapped_column(index=True)
    requested_subsidy: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # kopecks
    co_financing: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # kopecks, own and partners' money
    status: Mapped[str] = mapped_column(sa.String(20), default=ProjectStatus.DRAFT)
    defense_outcome: Mapped[str | None] = mapped_column(sa.String(40))
    remarks: Mapped[str | None] = mapped_column(sa.Text)  # the panel's remarks, shown to the enterprise
    submitted_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    selection_round: Mapped[SelectionRound] = relationship()
    lead_enterprise: Mapped[Enterprise] = relationship()
    participants: Mapped[list["ProjectParticipant"]] = relationship(
        back_populates="project", order_by="ProjectParticipant.id", cascade="all, delete-orphan"
    )
    products: Mapped[list["ProjectProduct"]] = relationship(
        back_populates="project", order_by="ProjectProduct.id", cascade="all, delete-orphan"
    )
    cost_items: Mapped[list["CostItem"]] = relationship(order_by="CostItem.id", cascade="all, delete-orphan")
    stages: Mapped[list["PlanStage"]] = relationship(
        order_by="(PlanStage.starts_on, PlanStage.id)", cascade="all, delete-orphan"
    )
    indicators: Mapped[list["TargetIndicator"]] = relationship(
        order_by="TargetIndicator.id", cascade="all, delete-orphan"
    )
    status_changes: Mapped[list["ProjectStatusChange"]] = relationship(
        order_by="ProjectStatusChange.id", cascade="all, delete-orphan"
    )
    documents: Mapped[list["ProjectDocument"]] = relationship(
        order_by="ProjectDocument.id", cascade="all, delete-orphan"
    )

    @property
    def total_cost(self) -> int:
        return sum(item.amount for item in self.cost_items)

    @property
    def eligible_cost(self) -> int:
        return sum(item.amount for item in self.cost_items if item.eligible)


class CostItem(TenantOwned, db.Model):
    """A line of the cost estimate (смета). ``eligible``: counts towards the costs the subsidy may cover."""

    __tablename__ = "project_cost_items"
    __tenant_table_args__ = (tenant_fk("joint_project_id", "joint_projects"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    joint_project_id: Mapped[int] = mapped_column(index=True)
    category: Mapped[str] = mapped_column(sa.String(30))
    description: Mapped[str] = mapped_column(sa.String(300))
    amount: Mapped[int] = mapped_column(sa.BigInteger)  # kopecks
    eligible: Mapped[bool] = mapped_column(default=True)


class PlanStage(TenantOwned, db.Model):
    """A stage of the calendar plan."""

    __tablename__ = "project_plan_stages"
    __tenant_table_args__ = (tenant_fk("joint_project_id", "joint_projects"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    joint_project_id: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    starts_on: Mapped[date] = mapped_column()
    ends_on: Mapped[date] = mapped_column()


class TargetIndicator(TenantOwned, db.Model):
    """A target indicator the recipient reports every half-year, with its plan values."""

    __tablename__ = "project_indicators"
    __tenant_table_args__ = (tenant_fk("joint_project_id", "joint_projects"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    joint_project_id: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    unit: Mapped[str] = mapped_column(sa.String(40))

    values: Mapped[list["IndicatorValue"]] = relationship(
        order_by="(IndicatorValue.year, IndicatorValue.half)", cascade="all, delete-orphan"
    )


class IndicatorValue(TenantOwned, db.Model):
    __tablename__ = "project_indicator_values"
    __tenant_table_args__ = (
        tenant_fk("target_indicator_id", "project_indicators"),
        sa.UniqueConstraint("tenant_id", "target_indicator_id", "year", "half"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_indicator_id: Mapped[int] = mapped_column(index=True)
    year: Mapped[int] = mapped_column()
    half: Mapped[int] = mapped_column()  # 1 = January–June, 2 = July–December
    plan: Mapped[Decimal] = mapped_column(sa.Numeric(18, 2))
    # What the subsidy recipient reported for the half-year (after the subsidy; empty until then).
    fact: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 2))
    reported_at: Mapped[datetime | None] = mapped_column()
