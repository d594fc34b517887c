"""Enterprise profiles: one per ИНН, shared by every tenant."""

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
