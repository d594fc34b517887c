"""Time bookings and maintenance blocks of equipment."""

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...enterprises.models import Enterprise
from ...extensions import db
from ...tenancy.models import utcnow
from ...tenancy.scoping import TenantOwned, tenant_fk
from .equipment import Equipment


class BookingKind(enum.StrEnum):
    BOOKING = "booking"
    MAINTENANCE = "maintenance"


class BookingStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


BOOKING_STATUS_LABELS = {
    BookingStatus.PENDING: _l("Awaiting confirmation"),
    BookingStatus.CONFIRMED: _l("Confirmed"),
    BookingStatus.CANCELLED: _l("Cancelled"),
}


class EquipmentBooking(TenantOwned, db.Model):
    """A period of a piece of equipment: an enterprise's booking or a maintenance block.

    Confirmed rows of the same equipment never overlap: the booking service checks under a row lock on
    the equipment, and on PostgreSQL an exclusion constraint (``technopark_bookings_no_overlap``, created
    by the migration) guarantees it whatever writes the rows.
    """

    __tablename__ = "technopark_equipment_bookings"
    __tenant_table_args__ = (
        tenant_fk("equipment_id", "technopark_equipment"),
        tenant_fk("request_id", "technopark_service_requests", ondelete=None),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.Index("ix_technopark_equipment_bookings_slot", "tenant_id", "equipment_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_id: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default=BookingKind.BOOKING)
    status: Mapped[str] = mapped_column(sa.String(16), default=BookingStatus.PENDING)
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    enterprise_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enterprises.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    equipment: Mapped[Equipment] = relationship(
        primaryjoin="and_(EquipmentBooking.equipment_id == Equipment.id, "
        "EquipmentBooking.tenant_id == Equipment.tenant_id)",
        foreign_keys="[EquipmentBooking.equipment_id, EquipmentBooking.tenant_id]",
        viewonly=True,
    )
    enterprise: Mapped[Enterprise | None] = relationship()

    @property
    def hours(self) -> Decimal:
        return Decimal((self.ends_at - self.starts_at).total_seconds()) / 3600
