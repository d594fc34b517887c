"""Events («сессии»): the event itself with its venues and organisers.

Every row is tenant-owned; rows that point at one another use composite foreign keys with ``tenant_id``
(:func:`tenant_fk`) so nothing can point into another tenant. Enterprise profiles and regions are global.
Datetimes are naive UTC; dates of the event (``start_date``/``end_date``) are calendar dates in the
tenant's time zone.
"""

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...enterprises.models import Enterprise
from ...extensions import db
from ...regions.models import Region
from ...tenancy.models import Tenant, utcnow
from ...tenancy.scoping import TenantOwned, tenant_fk

if TYPE_CHECKING:
    from .agenda import AgendaItem


class EventKind(enum.StrEnum):
    PRACTICAL_SESSION = "practical_session"
    CONFERENCE = "conference"
    PRELIMINARY_DEFENSE = "preliminary_defense"
    SITE_VISIT = "site_visit"
    WEBINAR = "webinar"


EVENT_KIND_LABELS = {
    EventKind.PRACTICAL_SESSION: _l("Practical session"),
    EventKind.CONFERENCE: _l("Conference"),
    EventKind.PRELIMINARY_DEFENSE: _l("Preliminary defense"),
    EventKind.SITE_VISIT: _l("Site visit"),
    EventKind.WEBINAR: _l("Webinar"),
}


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    REGISTRATION_CLOSED = "registration_closed"
    FINISHED = "finished"
    CANCELLED = "cancelled"


EVENT_STATUS_LABELS = {
    EventStatus.DRAFT: _l("Draft"),
    EventStatus.PUBLISHED: _l("Published"),
    EventStatus.REGISTRATION_CLOSED: _l("Registration closed"),
    EventStatus.FINISHED: _l("Finished"),
    EventStatus.CANCELLED: _l("Cancelled"),
}
# What the staff's buttons say for each move of the workflow.
# (In the order the buttons appear; cancelling last.)
STATUS_TRANSITIONS_LABELS = {
    EventStatus.PUBLISHED: _l("Publish and open registration"),
    EventStatus.REGISTRATION_CLOSED: _l("Close registration"),
    EventStatus.FINISHED: _l("Mark as finished"),
    EventStatus.DRAFT: _l("Back to draft"),
    EventStatus.CANCELLED: _l("Cancel the session"),
}
# The public sees these; drafts stay with the staff.
VISIBLE_STATUSES = (
    EventStatus.PUBLISHED,
    EventStatus.REGISTRATION_CLOSED,
    EventStatus.FINISHED,
    EventStatus.CANCELLED,
)


class OrganiserRole(enum.StrEnum):
    ORGANISER = "organiser"
    CO_ORGANISER = "co_organiser"
    PARTNER = "partner"
    HOST = "host"


ORGANISER_ROLE_LABELS = {
    OrganiserRole.ORGANISER: _l("Organiser"),
    OrganiserRole.CO_ORGANISER: _l("Co-organiser"),
    OrganiserRole.PARTNER: _l("Partner"),
    OrganiserRole.HOST: _l("Host"),
}


def local_today(timezone: str) -> date:
    """Today's date in ``timezone`` (a center's zone)."""
    return datetime.now(ZoneInfo(timezone)).date()


def _pick(obj, field: str) -> str:
    if str(get_locale()) == "en":
        return getattr(obj, f"{field}_en", None) or getattr(obj, f"{field}_ru", None) or ""
    return getattr(obj, f"{field}_ru", None) or ""


class Event(TenantOwned, db.Model):
    __tablename__ = "events"
    __tenant_table_args__ = (
        sa.Index("ix_events_tenant_status_start", "tenant_id", "status", "start_date"),
        sa.CheckConstraint("end_date >= start_date", name="dates_in_order"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title_ru: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str | None] = mapped_column(sa.String(300))
    description_ru: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(32), default=EventKind.PRACTICAL_SESSION)
    city_ru: Mapped[str] = mapped_column(sa.String(120))
    city_en: Mapped[str | None] = mapped_column(sa.String(120))
    # Where the event takes place (for the platform calendar's region filter); the tenant's region by default.
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    start_date: Mapped[date] = mapped_column()
    end_date: Mapped[date] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(24), default=EventStatus.DRAFT)
    capacity: Mapped[int | None] = mapped_column()
    requires_approval: Mapped[bool] = mapped_column(default=False)
    planned_participants: Mapped[int | None] = mapped_column()
    planned_enterprises: Mapped[int | None] = mapped_column()
    planned_regions: Mapped[int | None] = mapped_column()
    # The consent text (152-ФЗ) shown on the form is versioned: each registration records which it accepted.
    consent_version: Mapped[str] = mapped_column(sa.String(20), default="2026-01")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    tenant: Mapped[Tenant] = relationship()
    region: Mapped[Region] = relationship()
    venues: Mapped[list["Venue"]] = relationship(
        back_populates="event", order_by="Venue.id", cascade="all, delete-orphan", overlaps="tenant"
    )
    organisers: Mapped[list["EventOrganiser"]] = relationship(
        back_populates="event",
        order_by="EventOrganiser.position",
        cascade="all, delete-orphan",
        overlaps="tenant",
    )
    agenda_items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="event",
        order_by="AgendaItem.position",
        cascade="all, delete-orphan",
        overlaps="tenant",
    )

    @property
    def title(self) -> str:
        return _pick(self, "title")

    @property
    def description(self) -> str:
        return _pick(self, "description")

    @property
    def city(self) -> str:
        return _pick(self, "city")

    @property
    def kind_label(self) -> str:
        return str(EVENT_KIND_LABELS.get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        return str(EVENT_STATUS_LABELS.get(self.status, self.status))

    @property
    def has_ended(self) -> bool:
        """The last day is over in the center's time zone (whatever the status still says)."""
        return self.end_date < local_today(self.tenant.timezone)

    @property
    def registration_open(self) -> bool:
        return self.status == EventStatus.PUBLISHED and not self.has_ended

    def __repr__(self):
        return f"<Event {self.id} {self.title_ru!r}>"


class Venue(TenantOwned, db.Model):
    __tablename__ = "event_venues"
    __tenant_table_args__ = (tenant_fk("event_id", "events"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(index=True)
    name_ru: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    address_ru: Mapped[str] = mapped_column(sa.String(300))
    address_en: Mapped[str | None] = mapped_column(sa.String(300))

    event: Mapped[Event] = relationship(back_populates="venues", overlaps="tenant")

    @property
    def name(self) -> str:
        return _pick(self, "name")

    @property
    def address(self) -> str:
        return _pick(self, "address")


class EventOrganiser(TenantOwned, db.Model):
    """A co-organiser or partner with its role: a named body, optionally linked to an enterprise profile."""

    __tablename__ = "event_organisers"
    __tenant_table_args__ = (tenant_fk("event_id", "events"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(index=True)
    name_ru: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str | None] = mapped_column(sa.String(300))
    role: Mapped[str] = mapped_column(sa.String(24), default=OrganiserRole.PARTNER)
    enterprise_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enterprises.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="organisers", overlaps="tenant")
    enterprise: Mapped[Enterprise | None] = relationship()

    @property
    def name(self) -> str:
        return _pick(self, "name")

    @property
    def role_label(self) -> str:
        return str(ORGANISER_ROLE_LABELS.get(self.role, self.role))
