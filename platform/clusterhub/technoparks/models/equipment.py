"""The equipment of a technopark with its key specifications."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...tenancy.models import utcnow
from ...tenancy.scoping import TenantOwned, tenant_fk
from .technoparks import Technopark, Zone


class EquipmentCategory(enum.StrEnum):
    MACHINING = "machining"
    ADDITIVE = "additive"
    MEASUREMENT = "measurement"
    TESTING = "testing"
    ELECTRONICS = "electronics"
    LABORATORY = "laboratory"
    WOODWORKING = "woodworking"
    OTHER = "other"


EQUIPMENT_CATEGORY_LABELS = {
    EquipmentCategory.MACHINING: _l("Machining (CNC)"),
    EquipmentCategory.ADDITIVE: _l("Additive manufacturing"),
    EquipmentCategory.MEASUREMENT: _l("Measurement and metrology"),
    EquipmentCategory.TESTING: _l("Testing"),
    EquipmentCategory.ELECTRONICS: _l("Electronics"),
    EquipmentCategory.LABORATORY: _l("Laboratory"),
    EquipmentCategory.WOODWORKING: _l("Woodworking"),
    EquipmentCategory.OTHER: _l("Other equipment"),
}


class Equipment(TenantOwned, db.Model):
    __tablename__ = "technopark_equipment"
    __tenant_table_args__ = (
        tenant_fk("technopark_id", "technoparks"),
        # RESTRICT: a zone with equipment in it is emptied by the service before it can be deleted.
        tenant_fk("zone_id", "technopark_zones", ondelete=None),
        sa.CheckConstraint("quantity >= 1", name="quantity_positive"),
        # The platform-wide search lists bookable equipment of every tenant.
        sa.Index("ix_technopark_equipment_bookable_category", "bookable", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    technopark_id: Mapped[int] = mapped_column(index=True)
    zone_id: Mapped[int | None] = mapped_column(index=True)
    name_ru: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str | None] = mapped_column(sa.String(300))
    category: Mapped[str] = mapped_column(sa.String(20))
    manufacturer: Mapped[str | None] = mapped_column(sa.String(200))
    model: Mapped[str | None] = mapped_column(sa.String(200))
    quantity: Mapped[int] = mapped_column(default=1)
    bookable: Mapped[bool] = mapped_column(default=False)
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    technopark: Mapped[Technopark] = relationship(
        primaryjoin="and_(Equipment.technopark_id == Technopark.id, "
        "Equipment.tenant_id == Technopark.tenant_id)",
        foreign_keys="[Equipment.technopark_id, Equipment.tenant_id]",
        viewonly=True,
    )
    zone: Mapped[Zone | None] = relationship(
        primaryjoin="and_(Equipment.zone_id == Zone.id, Equipment.tenant_id == Zone.tenant_id)",
        foreign_keys="[Equipment.zone_id, Equipment.tenant_id]",
        viewonly=True,
    )
    specs: Mapped[list["EquipmentSpec"]] = relationship(
        primaryjoin="and_(EquipmentSpec.equipment_id == Equipment.id, "
        "EquipmentSpec.tenant_id == Equipment.tenant_id)",
        foreign_keys="[EquipmentSpec.equipment_id, EquipmentSpec.tenant_id]",
        order_by="EquipmentSpec.position",
        viewonly=True,
    )


class EquipmentSpec(TenantOwned, db.Model):
    """One key specification of a piece of equipment: free key, value and unit."""

    __tablename__ = "technopark_equipment_specs"
    __tenant_table_args__ = (tenant_fk("equipment_id", "technopark_equipment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_id: Mapped[int] = mapped_column(index=True)
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(sa.String(120))
    value: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str | None] = mapped_column(sa.String(40))
