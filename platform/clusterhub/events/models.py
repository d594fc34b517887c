"""Events («сессии»): a multi-day event with venues, organisers, an agenda and registrations.

Every row is tenant-owned; rows that point at one another use composite foreign keys with ``tenant_id``
(:func:`tenant_fk`) so nothing can point into another tenant. Enterprise profiles and regions are global.
Datetimes are naive UTC; dates of the event (``start_date``/``end_date``) are calendar dates in the
tenant's time zone.
"""

import enum
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..enterprises.models import Enterprise
from ..extensions import db
from ..regions.models import Region
from ..tenancy.models import Tenant, utcnow
from ..tenancy.scoping import TenantOwned, tenant_fk


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


class ParticipantCategory(enum.StrEnum):
    ENTERPRISE = "enterprise"
    EXECUTIVE_AUTHORITY = "executive_authority"
    CLUSTER_CENTER = "cluster_center"
    CLUSTER_ORGANISATION = "cluster_organisation"
    EXPERT = "expert"
    MEDIA = "media"
    OTHER = "other"


CATEGORY_LABELS = {
    ParticipantCategory.ENTERPRISE: _l("Enterprise"),
    ParticipantCategory.EXECUTIVE_AUTHORITY: _l("Executive authority"),
    ParticipantCategory.CLUSTER_CENTER: _l("Cluster development center"),
    ParticipantCategory.CLUSTER_ORGANISATION: _l("Specialised cluster organisation"),
    ParticipantCategory.EXPERT: _l("Expert"),
    ParticipantCategory.MEDIA: _l("Media"),
    ParticipantCategory.OTHER: _l("Other"),
}


class RegistrationStatus(enum.StrEnum):
    UNCONFIRMED = "unconfirmed"  # a guest who has not clicked the e-mail link yet: holds no seat
    PENDING = "pending"  # awaiting staff approval: holds a seat, so approving never oversells
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"
    CANCELLED = "cancelled"


REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.UNCONFIRMED: _l("E-mail not confirmed"),
    RegistrationStatus.PENDING: _l("Awaiting approval"),
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("Waiting list"),
    RegistrationStatus.DECLINED: _l("Declined"),
    RegistrationStatus.CANCELLED: _l("Cancelled"),
}
SEAT_HOLDING = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED)
ACTIVE_STATUSES = (
    RegistrationStatus.UNCONFIRMED,
    RegistrationStatus.PENDING,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
)


class SignupStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


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


class Registration(TenantOwned, db.Model):
    """One participant of one event (a person, maybe without an account)."""

    __tablename__ = "event_registrations"
    __tenant_table_args__ = (
        tenant_fk("event_id", "events"),
        sa.Index("ix_event_registrations_event_status", "tenant_id", "event_id", "status"),
        sa.Index("ix_event_registrations_event_email", "tenant_id", "event_id", "email"),
        sa.UniqueConstraint("tenant_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(16))
    full_name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    locale: Mapped[str] = mapped_column(sa.String(5), default="ru")
    category: Mapped[str] = mapped_column(sa.String(32))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    organisation: Mapped[str] = mapped_column(sa.String(500))
    enterprise_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enterprises.id", ondelete="SET NULL"), index=True
    )
    position_title: Mapped[str | None] = mapped_column(sa.String(200))
    consent_version: Mapped[str] = mapped_column(sa.String(20))
    consent_at: Mapped[datetime] = mapped_column()
    # A random code: typed at check-in and part of the signed ticket, so a ticket cannot be guessed from an id.
    code: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    checked_in_at: Mapped[datetime | None] = mapped_column()
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reminded_at: Mapped[datetime | None] = mapped_column()

    event: Mapped[Event] = relationship(overlaps="tenant")
    region: Mapped[Region] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
    signups: Mapped[list["AgendaSignup"]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", overlaps="tenant"
    )

    @property
    def status_label(self) -> str:
        return str(REGISTRATION_STATUS_LABELS.get(self.status, self.status))

    @property
    def category_label(self) -> str:
        return str(CATEGORY_LABELS.get(self.category, self.category))

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class AgendaSignup(TenantOwned, db.Model):
    """A registrant's place on one agenda item (the personal agenda; seats for seat-limited items)."""

    __tablename__ = "event_agenda_signups"
    __tenant_table_args__ = (
        tenant_fk("registration_id", "event_registrations"),
        tenant_fk("agenda_item_id", "event_agenda_items"),
        sa.UniqueConstraint("tenant_id", "registration_id", "agenda_item_id"),
        sa.Index("ix_event_agenda_signups_item_status", "tenant_id", "agenda_item_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column()
    agenda_item_id: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_in_at: Mapped[datetime | None] = mapped_column()

    registration: Mapped[Registration] = relationship(back_populates="signups", overlaps="tenant")
    agenda_item: Mapped[AgendaItem] = relationship(overlaps="tenant,registration,signups")
