from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..tenancy.models import utcnow


class AuditEntry(db.Model):
    """One state change: who did what to which object, with the values before and after.

    Append-only: the ORM refuses to update or delete entries, and on PostgreSQL the application role has
    no UPDATE or DELETE privilege on the table. ``tenant_id`` is empty for platform-level actions.
    """

    __tablename__ = "audit_log"
    # No INSERT ... RETURNING: on PostgreSQL a returned row must also pass the SELECT policy, which hides
    # platform-level entries (tenant_id NULL) from tenant scopes. The id comes from the sequence instead.
    __table_args__ = (
        sa.Index("ix_audit_log_tenant_created", "tenant_id", "created_at"),
        {"implicit_returning": False},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenants.id", ondelete="RESTRICT"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The API token the change was made with ("CRM (chubc_AbCd…)"), as it was labelled then: a center
    # token has no person behind it, so this is the only "who" of its changes.
    token_label: Mapped[str | None] = mapped_column(sa.String(140))
    action: Mapped[str] = mapped_column(sa.String(64))
    target_type: Mapped[str] = mapped_column(sa.String(64))
    target_id: Mapped[str | None] = mapped_column(sa.String(64))
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor = relationship("User", lazy="joined")
