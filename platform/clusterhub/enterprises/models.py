"""Enterprise profiles: one per ИНН, shared by every tenant."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..regions.models import Region
from ..tenancy.models import utcnow


class Enterprise(db.Model):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    inn: Mapped[str] = mapped_column(sa.String(12), unique=True)
    ogrn: Mapped[str | None] = mapped_column(sa.String(15))
    kpp: Mapped[str | None] = mapped_column(sa.String(9))
    full_name: Mapped[str] = mapped_column(sa.String(500))
    short_name: Mapped[str | None] = mapped_column(sa.String(200))
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    region: Mapped[Region | None] = relationship()

    @property
    def name(self) -> str:
        return self.short_name or self.full_name

    def __repr__(self):
        return f"<Enterprise {self.inn} {self.name}>"


class RepresentativeRole(enum.StrEnum):
    OWNER = "owner"
    EDITOR = "editor"


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
