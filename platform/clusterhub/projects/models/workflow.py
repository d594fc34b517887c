"""The statuses a joint project goes through, the panel's outcome, and the record of each move."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...tenancy.models import utcnow
from ...tenancy.scoping import TenantOwned, tenant_fk


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


#: The names of stored values, for forms, pages, reports and the audit log.
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
