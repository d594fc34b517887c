"""The priced services a technopark offers, and the equipment each is performed on.

Money is ``Numeric(14, 2)`` roubles (``Decimal``).
"""

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...extensions import db
from ...tenancy.models import utcnow
from ...tenancy.scoping import TenantOwned, tenant_fk
from .technoparks import Technopark

MONEY = sa.Numeric(14, 2)


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
