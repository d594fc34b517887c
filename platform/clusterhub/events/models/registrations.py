"""Registrations of participants (a person, maybe without an account) and their places on agenda items."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...enterprises.models import Enterprise
from ...extensions import db
from ...regions.models import Region
from ...tenancy.models import utcnow
from ...tenancy.scoping import TenantOwned, tenant_fk
from .agenda import AgendaItem
from .events import Event


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
