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
