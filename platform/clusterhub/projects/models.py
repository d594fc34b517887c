"""Selection rounds (federal, global) and joint cluster projects (tenant-owned dossiers)."""

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.files import StoredFile
from ..enterprises.models import Enterprise
from ..extensions import db
from ..tenancy.models import utcnow
from ..tenancy.scoping import TenantOwned, tenant_fk


class SelectionRound(db.Model):
    """One round of Минпромторг's competitive selection under Decree 41, with the rules it applies.

    Caps, shares and criteria change from round to round, so they are data here: a new round needs no code.
    """

    __tablename__ = "selection_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    year: Mapped[int] = mapped_column()
    legal_edition: Mapped[str] = mapped_column(sa.String(200))
    applicant_cap: Mapped[int] = mapped_column(sa.BigInteger)  # kopecks
    max_subsidy_share: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4))  # 0.5000 = 50 % of eligible costs
    min_participants: Mapped[int] = mapped_column(default=2)
    deadline: Mapped[date | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    criteria: Mapped[list["SelectionCriterion"]] = relationship(
        back_populates="selection_round", order_by="SelectionCriterion.position", cascade="all, delete-orphan"
    )


class SelectionCriterion(db.Model):
    """A scoring criterion of a selection round: the template a defense round copies."""

    __tablename__ = "selection_criteria"
    __table_args__ = (
        sa.UniqueConstraint("selection_round_id", "code"),
        sa.CheckConstraint("max_score > min_score", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("selection_rounds.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(40))
    name_ru: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str] = mapped_column(sa.String(300))
    weight: Mapped[Decimal] = mapped_column(sa.Numeric(6, 3))
    min_score: Mapped[int] = mapped_column(default=0)
    max_score: Mapped[int] = mapped_column(default=10)
    position: Mapped[int] = mapped_column(default=0)

    selection_round: Mapped[SelectionRound] = relationship(back_populates="criteria")


class ProjectStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ADMITTED = "admitted"
    DEFENDED = "defended"
    FILED = "filed"
    GRANTED = "granted"
    REFUSED = "refused"


class DefenseOutcome(enum.StrEnum):
    RECOMMENDED = "recommended"
    RECOMMENDED_WITH_REVISIONS = "recommended_with_revisions"
    NOT_RECOMMENDED = "not_recommended"


class ParticipantRole(enum.StrEnum):
    LEAD = "lead"
    COMPONENT_SUPPLIER = "component_supplier"
    BUYER = "buyer"
    TECHNOLOGY_PARTNER = "technology_partner"
    OTHER = "other"


#: The names of stored values, for forms, pages, reports and the audit log.
ROLE_LABELS = {
    ParticipantRole.LEAD: _l("Lead enterprise"),
    ParticipantRole.COMPONENT_SUPPLIER: _l("Supplier of components"),
    ParticipantRole.BUYER: _l("Buyer"),
    ParticipantRole.TECHNOLOGY_PARTNER: _l("Technology partner"),
    ParticipantRole.OTHER: _l("Other participant"),
}
STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "admitted": _l("Admitted to defense"),
    "defended": _l("Defended"),
    "filed": _l("Filed for federal selection"),
    "granted": _l("Subsidy granted"),
    "refused": _l("Subsidy refused"),
}
OUTCOME_LABELS = {
    DefenseOutcome.RECOMMENDED: _l("Recommended"),
    DefenseOutcome.RECOMMENDED_WITH_REVISIONS: _l("Recommended with revisions"),
    DefenseOutcome.NOT_RECOMMENDED: _l("Not recommended"),
}


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


class ProjectParticipant(TenantOwned, db.Model):
    __tablename__ = "project_participants"
    __tenant_table_args__ = (
        tenant_fk("joint_project_id", "joint_projects"),
        sa.UniqueConstraint("tenant_id", "joint_project_id", "enterprise_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    joint_project_id: Mapped[int] = mapped_column(index=True)
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("enterprises.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(30), default=ParticipantRole.OTHER)

    project: Mapped[JointProject] = relationship(back_populates="participants")
    enterprise: Mapped[Enterprise] = relationship(lazy="joined", innerjoin=True)


class ProjectProduct(TenantOwned, db.Model):
    """An import-substituting product: made by one participant (``maker``) for another (``buyer``)."""

    __tablename__ = "project_products"
    __tenant_table_args__ = (
        tenant_fk("joint_project_id", "joint_projects"),
        tenant_fk("maker_id", "project_participants", ondelete="RESTRICT"),
        tenant_fk("buyer_id", "project_participants", ondelete="RESTRICT"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    joint_project_id: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    okpd2: Mapped[str] = mapped_column(sa.String(12))
    import_substitution: Mapped[bool] = mapped_column(default=True)
    maker_id: Mapped[int | None] = mapped_column()
    buyer_id: Mapped[int | None] = mapped_column()

    project: Mapped[JointProject] = relationship(back_populates="products")
    maker: Mapped[ProjectParticipant | None] = relationship(foreign_keys=[maker_id], overlaps="buyer")
    buyer: Mapped[ProjectParticipant | None] = relationship(foreign_keys=[buyer_id], overlaps="maker")


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


class ProjectStatusChange(TenantOwned, db.Model):
    """Who moved the project from one status to another, and when."""

    __tablename__ = "project_status_changes"
    __tenant_table_args__ = (tenant_fk("joint_project_id", "joint_projects"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    joint_project_id: Mapped[int] = mapped_column(index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    outcome: Mapped[str | None] = mapped_column(sa.String(40))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    remark: Mapped[str | None] = mapped_column(sa.Text)

    actor = relationship("User")


class DocumentKind(enum.StrEnum):
    BUSINESS_PLAN = "business_plan"
    PRESENTATION = "presentation"
    COST_ESTIMATE = "cost_estimate"
    OTHER = "other"


class ProjectDocument(StoredFile, TenantOwned, db.Model):
    """An uploaded file of the dossier; the bytes live in the storage under ``storage_key``."""

    __tablename__ = "project_documents"
    __tenant_table_args__ = (tenant_fk("joint_project_id", "joint_projects"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    joint_project_id: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
