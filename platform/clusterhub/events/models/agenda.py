"""An event's agenda: its items (at a venue or an enterprise site) and the enterprises hosting them."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...enterprises.models import Enterprise
from ...extensions import db
from ...tenancy.models import utcnow
from ...tenancy.scoping import TenantOwned, tenant_fk
from .events import Event, Venue, _pick


class AgendaKind(enum.StrEnum):
    SITE_VISIT = "site_visit"
    PRESENTATION = "presentation"
    WORKSHOP = "workshop"
    PROJECT_DEFENSE = "project_defense"
    PLENARY = "plenary"
    CULTURAL = "cultural"
    TRANSFER = "transfer"
    MEAL = "meal"


AGENDA_KIND_LABELS = {
    AgendaKind.SITE_VISIT: _l("Site visit"),
    AgendaKind.PRESENTATION: _l("Presentation"),
    AgendaKind.WORKSHOP: _l("Workshop"),
    AgendaKind.PROJECT_DEFENSE: _l("Project defense"),
    AgendaKind.PLENARY: _l("Plenary"),
    AgendaKind.CULTURAL: _l("Cultural programme"),
    AgendaKind.TRANSFER: _l("Transfer"),
    AgendaKind.MEAL: _l("Meal"),
}


class AgendaItem(TenantOwned, db.Model):
    __tablename__ = "event_agenda_items"
    __tenant_table_args__ = (
        tenant_fk("event_id", "events"),
        tenant_fk("venue_id", "event_venues", ondelete=None),
        tenant_fk("technopark_id", "technoparks", ondelete="RESTRICT"),
        tenant_fk("joint_project_id", "joint_projects", ondelete="RESTRICT"),
        sa.Index("ix_event_agenda_items_event_position", "tenant_id", "event_id", "position"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("seat_limit IS NULL OR seat_limit >= 0", name="seat_limit_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(sa.String(24), default=AgendaKind.PRESENTATION)
    title_ru: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str | None] = mapped_column(sa.String(300))
    description_ru: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    starts_at: Mapped[datetime] = mapped_column()  # naive UTC
    ends_at: Mapped[datetime] = mapped_column()
    venue_id: Mapped[int | None] = mapped_column(index=True)
    # Or an enterprise site (a site visit): the enterprise and the address of the site.
    site_enterprise_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enterprises.id", ondelete="SET NULL")
    )
    site_address_ru: Mapped[str | None] = mapped_column(sa.String(300))
    site_address_en: Mapped[str | None] = mapped_column(sa.String(300))
    speakers: Mapped[str | None] = mapped_column(sa.Text)  # one per line: "Name, position"
    # A technopark or joint project shown next to the item, until those modules provide their own links.
    # The center's technopark visited or joint project presented at this item (links into those modules).
    technopark_id: Mapped[int | None] = mapped_column(index=True)
    joint_project_id: Mapped[int | None] = mapped_column(index=True)
    linked_title: Mapped[str | None] = mapped_column(sa.String(300))
    linked_url: Mapped[str | None] = mapped_column(sa.String(500))
    seat_limit: Mapped[int | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="agenda_items", overlaps="tenant")
    venue: Mapped[Venue | None] = relationship(overlaps="event,tenant,agenda_items")
    site_enterprise: Mapped[Enterprise | None] = relationship(foreign_keys=[site_enterprise_id])
    host_links: Mapped[list["AgendaItemHost"]] = relationship(
        back_populates="agenda_item", cascade="all, delete-orphan", overlaps="tenant"
    )

    @property
    def hosts(self) -> list[Enterprise]:
        return sorted((link.enterprise for link in self.host_links), key=lambda e: e.name)

    @property
    def title(self) -> str:
        return _pick(self, "title")

    @property
    def description(self) -> str:
        return _pick(self, "description")

    @property
    def site_address(self) -> str:
        return _pick(self, "site_address")

    @property
    def kind_label(self) -> str:
        return str(AGENDA_KIND_LABELS.get(self.kind, self.kind))

    @property
    def place_label(self) -> str:
        if self.venue is not None:
            return self.venue.name
        if self.site_enterprise is not None:
            return self.site_enterprise.name
        return ""  # only an address: it is shown as the address

    @property
    def place_address(self) -> str:
        if self.venue is not None:
            return self.venue.address
        return self.site_address

    @property
    def speaker_list(self) -> list[str]:
        return [line.strip() for line in (self.speakers or "").splitlines() if line.strip()]

    technopark = relationship(
        "Technopark",
        primaryjoin="and_(foreign(AgendaItem.technopark_id) == Technopark.id, "
        "AgendaItem.tenant_id == Technopark.tenant_id)",
        viewonly=True,
        lazy="joined",
    )
    joint_project = relationship(
        "JointProject",
        primaryjoin="and_(foreign(AgendaItem.joint_project_id) == JointProject.id, "
        "AgendaItem.tenant_id == JointProject.tenant_id)",
        viewonly=True,
        lazy="joined",
    )


class AgendaItemHost(TenantOwned, db.Model):
    """An enterprise hosting an agenda item (e.g. the three member enterprises visited on day one)."""

    __tablename__ = "event_agenda_item_hosts"
    __tenant_table_args__ = (
        tenant_fk("agenda_item_id", "event_agenda_items"),
        sa.UniqueConstraint("tenant_id", "agenda_item_id", "enterprise_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(index=True)
    enterprise_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )

    agenda_item: Mapped[AgendaItem] = relationship(back_populates="host_links", overlaps="tenant")
    enterprise: Mapped[Enterprise] = relationship()
