"""The signed protocol of a defense round."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...tenancy.models import utcnow
from ...tenancy.scoping import TenantOwned, tenant_fk
from .rounds import DefenseRound


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
