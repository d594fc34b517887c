"""A technopark, its residents (enterprises placed in it for a period) and its zones.

Areas are ``Numeric(12, 2)`` m², datetimes naive UTC.
"""

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...enterprises.models import Enterprise
from ...extensions import db
from ...regions.models import Region
from ...tenancy.models import Tenant, utcnow
from ...tenancy.scoping import TenantOwned, tenant_fk

AREA = sa.Numeric(12, 2)


class TechnoparkKind(enum.StrEnum):
    INDUSTRIAL = "industrial"
    HIGH_TECH = "high_tech"
    PRIVATE = "private"


TECHNOPARK_KIND_LABELS = {
    TechnoparkKind.INDUSTRIAL: _l("Industrial technopark"),
    TechnoparkKind.HIGH_TECH: _l("High-tech technopark"),
    TechnoparkKind.PRIVATE: _l("Private technopark"),
}


class RegisterStatus(enum.StrEnum):
    """Standing in the Ministry of Industry and Trade's register of industrial technoparks (Decree 1863)."""

    NOT_LISTED = "not_listed"
    APPLIED = "applied"
    LISTED = "listed"
    EXCLUDED = "excluded"


REGISTER_STATUS_LABELS = {
    RegisterStatus.NOT_LISTED: _l("Not in the register"),
    RegisterStatus.APPLIED: _l("Application to the register filed"),
    RegisterStatus.LISTED: _l("In the register of the Ministry of Industry and Trade"),
    RegisterStatus.EXCLUDED: _l("Excluded from the register"),
}


class ZoneKind(enum.StrEnum):
    PRODUCTION = "production"
    OFFICE = "office"
    LABORATORY = "laboratory"
    WAREHOUSE = "warehouse"
    SHARED_EQUIPMENT = "shared_equipment"


ZONE_KIND_LABELS = {
    ZoneKind.PRODUCTION: _l("Production"),
    ZoneKind.OFFICE: _l("Office"),
    ZoneKind.LABORATORY: _l("Laboratory"),
    ZoneKind.WAREHOUSE: _l("Warehouse"),
    ZoneKind.SHARED_EQUIPMENT: _l("Shared equipment center"),
}


class Technopark(TenantOwned, db.Model):
    __tablename__ = "technoparks"
    __tenant_table_args__ = (
        sa.CheckConstraint("total_area IS NULL OR total_area >= 0", name="total_area_not_negative"),
        sa.CheckConstraint("useful_area IS NULL OR useful_area >= 0", name="useful_area_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name_ru: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str | None] = mapped_column(sa.String(300))
    operator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enterprises.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default=TechnoparkKind.INDUSTRIAL)
    register_status: Mapped[str] = mapped_column(sa.String(16), default=RegisterStatus.NOT_LISTED)
    address_ru: Mapped[str | None] = mapped_column(sa.String(300))
    address_en: Mapped[str | None] = mapped_column(sa.String(300))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    description_ru: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    website: Mapped[str | None] = mapped_column(sa.String(200))
    total_area: Mapped[Decimal | None] = mapped_column(AREA)
    useful_area: Mapped[Decimal | None] = mapped_column(AREA)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    operator: Mapped[Enterprise | None] = relationship()
    region: Mapped[Region] = relationship()
    tenant: Mapped[Tenant] = relationship()


class Resident(TenantOwned, db.Model):
    __tablename__ = "technopark_residents"
    __tenant_table_args__ = (
        tenant_fk("technopark_id", "technoparks"),
        sa.UniqueConstraint("tenant_id", "technopark_id", "enterprise_id", "since"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    technopark_id: Mapped[int] = mapped_column(index=True)
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("enterprises.id"), index=True)
    since: Mapped[date] = mapped_column()
    until: Mapped[date | None] = mapped_column()

    enterprise: Mapped[Enterprise] = relationship()

    def active_on(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day <= self.until)


class Zone(TenantOwned, db.Model):
    __tablename__ = "technopark_zones"
    __tenant_table_args__ = (
        tenant_fk("technopark_id", "technoparks"),
        sa.CheckConstraint("area >= 0 AND free_area >= 0 AND free_area <= area", name="areas_consistent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    technopark_id: Mapped[int] = mapped_column(index=True)
    name_ru: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20))
    area: Mapped[Decimal] = mapped_column(AREA)
    free_area: Mapped[Decimal] = mapped_column(AREA, default=Decimal("0"))
    suitable_for_ru: Mapped[str | None] = mapped_column(sa.String(500))
    suitable_for_en: Mapped[str | None] = mapped_column(sa.String(500))
