"""The panel of a defense round: its members, who is assigned to score which project, and the conflicts
of interest that keep a member away from a project."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...tenancy.models import utcnow
from ...tenancy.scoping import TenantOwned, tenant_fk
from .rounds import DefenseSlot


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
