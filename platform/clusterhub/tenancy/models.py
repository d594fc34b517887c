import enum
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import get_locale
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..regions.models import Region


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class TenantStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Tenant(db.Model):
    """A regional cluster development center (ЦКР)."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_ru: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    default_locale: Mapped[str] = mapped_column(sa.String(5), default="ru")
    status: Mapped[str] = mapped_column(sa.String(16), default=TenantStatus.ACTIVE, index=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    address_ru: Mapped[str | None] = mapped_column(sa.String(300))
    address_en: Mapped[str | None] = mapped_column(sa.String(300))
    website: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    region: Mapped[Region] = relationship(lazy="joined", innerjoin=True)

    @property
    def name(self) -> str:
        return self.name_ru if str(get_locale()) == "ru" else self.name_en

    @property
    def address(self) -> str | None:
        return self.address_ru if str(get_locale()) == "ru" else (self.address_en or self.address_ru)

    @property
    def is_active(self) -> bool:
        return self.status == TenantStatus.ACTIVE

    def public_summary(self) -> dict[str, Any]:
        """How every API names a center: its slug, names and region (never its internal id)."""
        region = self.region
        return {
            "slug": self.slug,
            "name_ru": self.name_ru,
            "name_en": self.name_en,
            "region": {
                "tax_code": region.tax_code,
                "iso_code": region.iso_code,
                "name_ru": region.name_ru,
                "name_en": region.name_en,
                "federal_district": region.federal_district,
            },
        }

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"
