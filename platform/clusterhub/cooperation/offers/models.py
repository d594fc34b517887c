"""Cooperation offers and requests: global rows that live with the enterprise and outlive sessions.

``kind_of_entry`` tells an offer (what the enterprise can do) from a request (what it seeks). Codes are
kept twice: as space-surrounded strings on the row (shown, and read by the matching without a join) and
as one row per code in ``cooperation_offer_codes``, whose (system, class) and (system, group) indexes find
the candidates of a match. On PostgreSQL the table also has a generated ``search_vector`` (migration
0027), which the ORM does not map: it is read as a column of the table in ``services``.
"""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...enterprises.models import Enterprise
from ...extensions import db
from ...tenancy.models import utcnow
from ...tenancy.scoping import TenantOwned


class EntryKind(enum.StrEnum):
    OFFER = "offer"
    REQUEST = "request"


ENTRY_KIND_LABELS = {EntryKind.OFFER: _l("Cooperation offer"), EntryKind.REQUEST: _l("Cooperation request")}


class CooperationKind(enum.StrEnum):
    PRODUCTION_CAPACITY = "production_capacity"
    COMPONENTS_SUPPLY = "components_supply"
    CONTRACT_MANUFACTURING = "contract_manufacturing"
    RND_TECHNOLOGY = "rnd_technology"
    TECHNOPARK_SERVICE = "technopark_service"
    INVESTMENT = "investment"


COOPERATION_KIND_LABELS = {
    CooperationKind.PRODUCTION_CAPACITY: _l("Production capacity"),
    CooperationKind.COMPONENTS_SUPPLY: _l("Components and supply"),
    CooperationKind.CONTRACT_MANUFACTURING: _l("Contract manufacturing"),
    CooperationKind.RND_TECHNOLOGY: _l("R&D and technology"),
    CooperationKind.TECHNOPARK_SERVICE: _l("Technopark service"),
    CooperationKind.INVESTMENT: _l("Investment"),
}


class OfferStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


OFFER_STATUS_LABELS = {
    OfferStatus.DRAFT: _l("Draft"),
    OfferStatus.PUBLISHED: _l("Published"),
    OfferStatus.ARCHIVED: _l("Archived"),
}


def _codes(value: str | None) -> list[str]:
    return (value or "").split()


class CooperationOffer(db.Model):
    """An offer or a request of one enterprise (global: no tenant)."""

    __tablename__ = "cooperation_offers"
    __table_args__ = (
        # Covering on PostgreSQL: the matching's live-counterpart filter reads the index alone.
        sa.Index(
            "ix_cooperation_offers_listing",
            "status",
            "kind_of_entry",
            "valid_until",
            postgresql_include=["id", "enterprise_id"],
        ),
        sa.CheckConstraint("kind_of_entry IN ('offer', 'request')", name="kind_of_entry"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    kind_of_entry: Mapped[str] = mapped_column(sa.String(8), default=EntryKind.OFFER)
    kind: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(16), default=OfferStatus.DRAFT)
    title_ru: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str | None] = mapped_column(sa.String(300))
    description_ru: Mapped[str] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    # Space-separated and surrounded by spaces (" 22.29 22.21.30 "), like an enterprise's ОКВЭД codes.
    okved_codes: Mapped[str] = mapped_column(sa.String(500), default="")
    okpd2_codes: Mapped[str] = mapped_column(sa.String(500), default="")
    # The area served: region ids and federal district codes, space-surrounded; both empty = all Russia.
    served_region_ids: Mapped[str] = mapped_column(sa.String(500), default="")
    served_districts: Mapped[str] = mapped_column(sa.String(100), default="")
    volume: Mapped[str | None] = mapped_column(sa.String(300))
    terms: Mapped[str | None] = mapped_column(sa.Text)
    valid_from: Mapped[date | None] = mapped_column()
    valid_until: Mapped[date | None] = mapped_column()
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    # Lower-cased title and description for SQLite's word match (its LIKE folds only ASCII); PostgreSQL
    # derives search_vector from it.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column(index=True)

    enterprise: Mapped[Enterprise] = relationship()
    codes: Mapped[list["CooperationOfferCode"]] = relationship(
        cascade="all, delete-orphan", back_populates="offer"
    )

    @property
    def okved_list(self) -> list[str]:
        return _codes(self.okved_codes)

    @property
    def okpd2_list(self) -> list[str]:
        return _codes(self.okpd2_codes)

    @property
    def served_region_id_list(self) -> list[int]:
        return [int(v) for v in _codes(self.served_region_ids)]

    @property
    def served_district_list(self) -> list[str]:
        return _codes(self.served_districts)

    @property
    def counterpart(self) -> str:
        return EntryKind.REQUEST if self.kind_of_entry == EntryKind.OFFER else EntryKind.OFFER

    @property
    def kind_label(self) -> str:
        return str(COOPERATION_KIND_LABELS.get(self.kind, self.kind))

    @property
    def entry_label(self) -> str:
        return str(ENTRY_KIND_LABELS.get(self.kind_of_entry, self.kind_of_entry))

    @property
    def status_label(self) -> str:
        return str(OFFER_STATUS_LABELS.get(self.status, self.status))

    def is_expired(self, today: date | None = None) -> bool:
        return self.valid_until is not None and self.valid_until < (today or date.today())

    def __repr__(self):
        return f"<CooperationOffer {self.id} {self.kind_of_entry} {self.title_ru!r}>"


class CooperationOfferCode(db.Model):
    """One classification code of an offer, with its class (2 digits) and group (3 digits) for the match."""

    __tablename__ = "cooperation_offer_codes"
    __table_args__ = (
        sa.UniqueConstraint("offer_id", "system", "code"),
        sa.Index("ix_cooperation_offer_codes_class", "system", "class_code", "offer_id"),
        sa.Index("ix_cooperation_offer_codes_group", "system", "group_code", "offer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperation_offers.id", ondelete="CASCADE"))
    system: Mapped[str] = mapped_column(sa.String(8))  # okpd2 | okved
    code: Mapped[str] = mapped_column(sa.String(16))
    class_code: Mapped[str] = mapped_column(sa.String(2))
    group_code: Mapped[str | None] = mapped_column(sa.String(4))  # "22.2"; None for a bare class

    offer: Mapped[CooperationOffer] = relationship(back_populates="codes")


class DigestSetting(db.Model):
    """A user's weekly digest of new matches: on unless switched off; when it was last sent."""

    __tablename__ = "cooperation_digest_settings"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    last_sent_at: Mapped[datetime | None] = mapped_column()


class FeaturedOffer(TenantOwned, db.Model):
    """An offer or request a center shows on its home page (tenant-owned: each center chooses its own)."""

    __tablename__ = "cooperation_featured_offers"
    __tenant_table_args__ = (sa.UniqueConstraint("tenant_id", "offer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cooperation_offers.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    offer: Mapped[CooperationOffer] = relationship()
