"""An expert's score of a project on one criterion."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ...extensions import db
from ...tenancy.models import utcnow
from ...tenancy.scoping import TenantOwned, tenant_fk


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
