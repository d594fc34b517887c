"""Technopark catalogues (tenant-owned): the technopark, its zones, equipment and priced services, the
service requests enterprises send and the time bookings of equipment.

Money is ``Numeric(14, 2)`` roubles (``Decimal``), areas ``Numeric(12, 2)`` m², datetimes naive UTC.
"""

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.files import StoredFile
from ..enterprises.models import Enterprise
from ..extensions import db
from ..regions.models import Region
from ..tenancy.models import Tenant, utcnow
from ..tenancy.scoping import TenantOwned, tenant_fk

MONEY = sa.Numeric(14, 2)
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


class ServiceCategory(enum.StrEnum):
    SPACE_RENTAL = "space_rental"
    EQUIPMENT_TIME = "equipment_time"
    PROTOTYPING = "prototyping"
    TESTING = "testing"
    ENGINEERING = "engineering"
    TRAINING = "training"
    CONSULTING = "consulting"
    STATE_SUPPORT = "state_support"
    OTHER = "other"


SERVICE_CATEGORY_LABELS = {
    ServiceCategory.SPACE_RENTAL: _l("Space rental"),
    ServiceCategory.EQUIPMENT_TIME: _l("Shared equipment time"),
    ServiceCategory.PROTOTYPING: _l("Prototyping and pilot runs"),
    ServiceCategory.TESTING: _l("Testing and certification"),
    ServiceCategory.ENGINEERING: _l("Engineering and design"),
    ServiceCategory.TRAINING: _l("Training"),
    ServiceCategory.CONSULTING: _l("Consulting"),
    ServiceCategory.STATE_SUPPORT: _l("Help with state support"),
    ServiceCategory.OTHER: _l("Other services"),
}


class ServiceUnit(enum.StrEnum):
    HOUR = "hour"
    DAY = "day"
    PIECE = "piece"
    SQM_MONTH = "sqm_month"
    PROJECT = "project"


SERVICE_UNIT_LABELS = {
    ServiceUnit.HOUR: _l("hour"),
    ServiceUnit.DAY: _l("day"),
    ServiceUnit.PIECE: _l("piece"),
    ServiceUnit.SQM_MONTH: _l("m² per month"),
    ServiceUnit.PROJECT: _l("project"),
}


class VatTreatment(enum.StrEnum):
    """How the price relates to VAT (НДС)."""

    PLUS_20 = "plus_20"  # the price is net, 20% VAT is added on top
    INCLUDED_20 = "included_20"  # the price already includes 20% VAT
    EXEMPT = "exempt"  # a VAT-exempt operation (Tax Code art. 149)
    NOT_SUBJECT = "not_subject"  # the operator is not a VAT payer (simplified tax system, УСН)


VAT_LABELS = {
    VatTreatment.PLUS_20: _l("plus VAT 20%"),
    VatTreatment.INCLUDED_20: _l("VAT included (20%)"),
    VatTreatment.EXEMPT: _l("VAT exempt"),
    VatTreatment.NOT_SUBJECT: _l("not subject to VAT (simplified tax system)"),
}
VAT_RATE = Decimal("0.20")


def gross_price(price: Decimal | None, vat: str) -> Decimal | None:
    """What the customer pays per unit, VAT included where VAT applies."""
    if price is None:
        return None
    if vat == VatTreatment.PLUS_20:
        return (price * (1 + VAT_RATE)).quantize(Decimal("0.01"))
    return price


class Audience(enum.StrEnum):
    ANYONE = "anyone"
    RESIDENTS = "residents"


AUDIENCE_LABELS = {
    Audience.ANYONE: _l("Anyone"),
    Audience.RESIDENTS: _l("Residents only"),
}


class OfferStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


OFFER_STATUS_LABELS = {OfferStatus.DRAFT: _l("Draft"), OfferStatus.PUBLISHED: _l("Published")}


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


class ServiceOffer(TenantOwned, db.Model):
    """A priced service of a technopark."""

    __tablename__ = "technopark_services"
    __tenant_table_args__ = (
        tenant_fk("technopark_id", "technoparks"),
        sa.CheckConstraint("price IS NULL OR price >= 0", name="price_not_negative"),
        sa.CheckConstraint("price_on_request OR price IS NOT NULL", name="price_or_on_request"),
        sa.CheckConstraint("lead_time_days IS NULL OR lead_time_days >= 0", name="lead_time_not_negative"),
        # The platform-wide search reads published services of every tenant (no tenant_id prefix there).
        sa.Index("ix_technopark_services_status_category_gross", "status", "category", "gross_price"),
        sa.Index("ix_technopark_services_status_gross", "status", "gross_price"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    technopark_id: Mapped[int] = mapped_column(index=True)
    name_ru: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str | None] = mapped_column(sa.String(300))
    description_ru: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    category: Mapped[str] = mapped_column(sa.String(20))
    unit: Mapped[str] = mapped_column(sa.String(16))
    price: Mapped[Decimal | None] = mapped_column(MONEY)
    price_on_request: Mapped[bool] = mapped_column(default=False)
    vat: Mapped[str] = mapped_column(sa.String(16), default=VatTreatment.PLUS_20)
    # What the customer pays per unit with VAT where it applies (kept by the service, for search by price).
    gross_price: Mapped[Decimal | None] = mapped_column(MONEY)
    lead_time_days: Mapped[int | None] = mapped_column()
    audience: Mapped[str] = mapped_column(sa.String(16), default=Audience.ANYONE)
    status: Mapped[str] = mapped_column(sa.String(16), default=OfferStatus.DRAFT)
    # Lower-cased names and description in both languages: the text the search matches.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    technopark: Mapped[Technopark] = relationship(
        primaryjoin="and_(ServiceOffer.technopark_id == Technopark.id, "
        "ServiceOffer.tenant_id == Technopark.tenant_id)",
        foreign_keys="[ServiceOffer.technopark_id, ServiceOffer.tenant_id]",
        viewonly=True,
    )

    @property
    def is_published(self) -> bool:
        return self.status == OfferStatus.PUBLISHED


class ServiceEquipment(TenantOwned, db.Model):
    """The equipment a service is performed on."""

    __tablename__ = "technopark_service_equipment"
    __tenant_table_args__ = (
        tenant_fk("service_id", "technopark_services"),
        tenant_fk("equipment_id", "technopark_equipment"),
        sa.UniqueConstraint("tenant_id", "service_id", "equipment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(index=True)
    equipment_id: Mapped[int] = mapped_column(index=True)


class RequestStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


REQUEST_STATUS_LABELS = {
    RequestStatus.SUBMITTED: _l("Submitted"),
    RequestStatus.CHANGES_REQUESTED: _l("Changes requested"),
    RequestStatus.ACCEPTED: _l("Accepted"),
    RequestStatus.REJECTED: _l("Rejected"),
    RequestStatus.COMPLETED: _l("Completed"),
    RequestStatus.CANCELLED: _l("Cancelled"),
}


class ServiceRequest(TenantOwned, db.Model):
    __tablename__ = "technopark_service_requests"
    __tenant_table_args__ = (
        tenant_fk("service_id", "technopark_services", ondelete=None),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("quote IS NULL OR quote >= 0", name="quote_not_negative"),
        sa.Index("ix_technopark_service_requests_tenant_status", "tenant_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(index=True)
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("enterprises.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    desired_start: Mapped[date | None] = mapped_column()
    desired_end: Mapped[date | None] = mapped_column()
    comment: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default=RequestStatus.SUBMITTED)
    quote: Mapped[Decimal | None] = mapped_column(MONEY)
    scheduled_start: Mapped[date | None] = mapped_column()
    scheduled_end: Mapped[date | None] = mapped_column()
    staff_note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    service: Mapped[ServiceOffer] = relationship(
        primaryjoin="and_(ServiceRequest.service_id == ServiceOffer.id, "
        "ServiceRequest.tenant_id == ServiceOffer.tenant_id)",
        foreign_keys="[ServiceRequest.service_id, ServiceRequest.tenant_id]",
        viewonly=True,
    )
    enterprise: Mapped[Enterprise] = relationship()
    requested_by = relationship("User")
    history: Mapped[list["ServiceRequestEvent"]] = relationship(
        primaryjoin="and_(ServiceRequestEvent.request_id == ServiceRequest.id, "
        "ServiceRequestEvent.tenant_id == ServiceRequest.tenant_id)",
        foreign_keys="[ServiceRequestEvent.request_id, ServiceRequestEvent.tenant_id]",
        order_by="ServiceRequestEvent.id",
        viewonly=True,
    )


class ServiceRequestEvent(TenantOwned, db.Model):
    """One step of a request's status history: who moved it, when, from where to where, and why."""

    __tablename__ = "technopark_service_request_events"
    __tenant_table_args__ = (tenant_fk("request_id", "technopark_service_requests"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor = relationship("User")


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


class TechnoparkPhoto(StoredFile, TenantOwned, db.Model):
    """A photo of the technopark, shown on its public page."""

    __tablename__ = "technopark_photos"
    __tenant_table_args__ = (tenant_fk("technopark_id", "technoparks"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    technopark_id: Mapped[int] = mapped_column(index=True)


class RequestAttachment(StoredFile, TenantOwned, db.Model):
    """A file attached to a service request by the enterprise or the technopark; seen only by the two."""

    __tablename__ = "technopark_request_attachments"
    __tenant_table_args__ = (tenant_fk("request_id", "technopark_service_requests"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(index=True)
