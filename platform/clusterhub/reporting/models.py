import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..tenancy.models import Tenant, utcnow
from ..tenancy.scoping import TenantOwned


class KpiPlan(TenantOwned, db.Model):
    """A center's plan (and, for facts no module records, its reported fact) of one KPI for one year."""

    __tablename__ = "kpi_plans"
    __tenant_table_args__ = (sa.UniqueConstraint("tenant_id", "year", "indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column()
    indicator: Mapped[str] = mapped_column(sa.String(64))
    plan: Mapped[float | None] = mapped_column(sa.Numeric(16, 2))
    fact: Mapped[float | None] = mapped_column(sa.Numeric(16, 2))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReportStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class PeriodReport(TenantOwned, db.Model):
    """A center's report for a period: the indicators frozen as submitted, its plans and a narrative."""

    __tablename__ = "period_reports"
    __tenant_table_args__ = (sa.UniqueConstraint("tenant_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(16), default=ReportStatus.DRAFT)
    narrative: Mapped[str] = mapped_column(sa.Text, default="")
    snapshot: Mapped[dict | None] = mapped_column(sa.JSON)
    submitted_at: Mapped[datetime | None] = mapped_column()
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    review_comment: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    tenant: Mapped[Tenant] = relationship()
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])


class ExportPreset(db.Model):
    """A saved dashboard export (filters, indicators, grouping, format) that its owner can rerun."""

    __tablename__ = "export_presets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    parameters: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IndicatorSummary(db.Model):
    """Every indicator of one period for the whole country, at every grouping, as last computed.

    A summary table of the federal layer (see :mod:`.summaries`): the dashboard, the exports and the API
    cut the area they show out of it instead of aggregating hundreds of thousands of records per request.
    Not tenant-owned: it holds aggregates, only read in the federal read scope.
    """

    __tablename__ = "indicator_summaries"
    __table_args__ = (sa.UniqueConstraint("period", "specialisation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(sa.String(32))
    specialisation: Mapped[str] = mapped_column(sa.String(16), default="")
    figures: Mapped[dict] = mapped_column(sa.JSON)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    compute_ms: Mapped[int] = mapped_column(default=0)
