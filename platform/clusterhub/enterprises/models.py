"""Enterprise profiles: one per ИНН, shared by every tenant, with their yearly figures, products and
representatives."""

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..regions.models import Region
from ..tenancy.models import utcnow


class SizeCategory(enum.StrEnum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


SIZE_LABELS = {
    SizeCategory.MICRO: _l("Micro enterprise"),
    SizeCategory.SMALL: _l("Small enterprise"),
    SizeCategory.MEDIUM: _l("Medium-sized enterprise"),
    SizeCategory.LARGE: _l("Large enterprise"),
}

# Fields anyone (also anonymous visitors and the API) may see. Everything else is for representatives.
PUBLIC_FIELDS = (
    "inn",
    "ogrn",
    "kpp",
    "full_name",
    "short_name",
    "legal_form",
    "region_id",
    "legal_address",
    "actual_address",
    "okved_main",
    "okved_additional",
    "size_category",
    "website",
    "email",
    "phone",
    "description",
)


FIELD_LABELS = {
    "inn": _l("ИНН"),
    "ogrn": _l("ОГРН"),
    "kpp": _l("КПП"),
    "full_name": _l("Full name of the organisation"),
    "short_name": _l("Short name"),
    "legal_form": _l("Legal form"),
    "region_id": _l("Region"),
    "legal_address": _l("Legal address"),
    "actual_address": _l("Actual address"),
    "okved_main": _l("Main ОКВЭД 2"),
    "okved_additional": _l("Additional ОКВЭД 2"),
    "size_category": _l("Size category"),
    "website": _l("Website"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "description": _l("Description"),
    "year": _l("Year"),
    "headcount": _l("Headcount"),
    "revenue": _l("Revenue"),
    "name": _l("Product"),
    "okpd2": _l("ОКПД2"),
    "user": _l("User"),
    "role": _l("Role"),
    "status": _l("Status"),
    "filename": _l("File"),
    "moved": _l("Records moved"),
}

ACTION_LABELS = {
    "enterprise.created": _l("Profile created"),
    "enterprise.updated": _l("Profile edited"),
    "enterprise.figures_set": _l("Figures of a year saved"),
    "enterprise.figures_removed": _l("Figures of a year removed"),
    "enterprise.product_added": _l("Product added"),
    "enterprise.product_removed": _l("Product removed"),
    "enterprise.claimed": _l("Claim sent"),
    "enterprise.claim_confirmed": _l("First claim confirmed by a center"),
    "enterprise.claim_approved": _l("Claim approved"),
    "enterprise.claim_rejected": _l("Claim rejected"),
    "enterprise.representative_added": _l("Representative added"),
    "enterprise.representative_role_changed": _l("Representative's role changed"),
    "enterprise.representative_removed": _l("Representative removed"),
    "enterprise.representative_left": _l("Representative left"),
    "enterprise.merged": _l("Duplicate profile merged into this one"),
    "enterprise.logo_changed": _l("Logo replaced"),
}


class Enterprise(db.Model):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    inn: Mapped[str] = mapped_column(sa.String(12), unique=True)
    ogrn: Mapped[str | None] = mapped_column(sa.String(15), index=True)
    kpp: Mapped[str | None] = mapped_column(sa.String(9))
    full_name: Mapped[str] = mapped_column(sa.String(500))
    short_name: Mapped[str | None] = mapped_column(sa.String(200))
    legal_form: Mapped[str | None] = mapped_column(sa.String(100))
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    # The region was read from the ИНН/ОГРН (where the number was issued), not given by a person.
    region_derived: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    legal_address: Mapped[str | None] = mapped_column(sa.String(500))
    actual_address: Mapped[str | None] = mapped_column(sa.String(500))
    okved_main: Mapped[str | None] = mapped_column(sa.String(8), index=True)
    # Additional ОКВЭД 2 codes, space-separated and surrounded by spaces (" 16.10 16.21 ") so that one
    # code is found with LIKE '% 16.10%' on both databases without a join.
    okved_additional: Mapped[str | None] = mapped_column(sa.String(1000))
    size_category: Mapped[str | None] = mapped_column(sa.String(16))
    website: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    description: Mapped[str | None] = mapped_column(sa.Text)
    # Lower-cased names and identifiers, kept by the services: SQLite's LIKE folds only ASCII case, so
    # Cyrillic search needs a pre-folded column (on PostgreSQL a trigram GIN index makes it fast).
    search_text: Mapped[str] = mapped_column(sa.String(800), default="")
    # The logo's bytes live in the storage backend under this key (PNG or JPEG).
    logo_key: Mapped[str | None] = mapped_column(sa.String(300))
    logo_content_type: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column()

    region: Mapped[Region | None] = relationship()
    figures: Mapped[list["EnterpriseFigure"]] = relationship(
        order_by="EnterpriseFigure.year.desc()", cascade="all, delete-orphan", back_populates="enterprise"
    )
    products: Mapped[list["EnterpriseProduct"]] = relationship(
        order_by="EnterpriseProduct.name", cascade="all, delete-orphan", back_populates="enterprise"
    )

    @property
    def name(self) -> str:
        return self.short_name or self.full_name

    @property
    def okved_additional_list(self) -> list[str]:
        return (self.okved_additional or "").split()

    @property
    def size_label(self) -> str:
        return str(SIZE_LABELS.get(self.size_category, "")) if self.size_category else ""

    def __repr__(self):
        return f"<Enterprise {self.inn} {self.name}>"


class EnterpriseFigure(db.Model):
    """Headcount and revenue of one year: a history, never one overwritten number."""

    __tablename__ = "enterprise_figures"
    __table_args__ = (sa.UniqueConstraint("enterprise_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("enterprises.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column()
    headcount: Mapped[int | None] = mapped_column()
    revenue: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))  # roubles

    enterprise: Mapped[Enterprise] = relationship(back_populates="figures")


class EnterpriseProduct(db.Model):
    __tablename__ = "enterprise_products"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(300))
    okpd2: Mapped[str | None] = mapped_column(sa.String(16))
    description: Mapped[str | None] = mapped_column(sa.Text)

    enterprise: Mapped[Enterprise] = relationship(back_populates="products")


class RepresentativeRole(enum.StrEnum):
    OWNER = "owner"
    EDITOR = "editor"


REPRESENTATIVE_ROLE_LABELS = {
    RepresentativeRole.OWNER: _l("Owner"),
    RepresentativeRole.EDITOR: _l("Editor"),
}


class RepresentativeStatus(enum.StrEnum):
    PENDING = "pending"  # a claim awaiting confirmation (by center staff for the first, by an owner later)
    CONFIRMED = "confirmed"


REPRESENTATIVE_STATUS_LABELS = {
    RepresentativeStatus.PENDING: _l("Awaiting a decision"),
    RepresentativeStatus.CONFIRMED: _l("Confirmed"),
}


class EnterpriseRepresentative(db.Model):
    """A user who speaks for an enterprise (global, like the enterprise itself)."""

    __tablename__ = "enterprise_representatives"
    __table_args__ = (sa.UniqueConstraint("enterprise_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(16), default=RepresentativeRole.EDITOR)
    status: Mapped[str] = mapped_column(sa.String(16), default=RepresentativeStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column()

    enterprise: Mapped[Enterprise] = relationship()
    user = relationship("User")

    @property
    def role_label(self) -> str:
        return str(REPRESENTATIVE_ROLE_LABELS.get(self.role, self.role))
