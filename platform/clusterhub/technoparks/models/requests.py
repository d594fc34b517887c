"""Service requests an enterprise sends a technopark, with the history of their status."""

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...enterprises.models import Enterprise
from ...extensions import db
from ...tenancy.models import utcnow
from ...tenancy.scoping import TenantOwned, tenant_fk
from .offers import MONEY, ServiceOffer


class RequestStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


REQUEST_STATUS_LABELS = {
    RequestStatus.SUBMITTED: _l("Submitted"),
    RequestStatus.CHANGES_REQUESTED: _l("Changes requested"),
    RequestStatus.ACCEPTED: _l("Accepted"),
    RequestStatus.REJECTED: _l("Rejected"),
    RequestStatus.COMPLETED: _l("Completed"),
    RequestStatus.CANCELLED: _l("Cancelled"),
}


class ServiceRequest(TenantOwned, db.Model):
    __tablename__ = "technopark_service_requests"
    __tenant_table_args__ = (
        tenant_fk("service_id", "technopark_services", ondelete=None),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("quote IS NULL OR quote >= 0", name="quote_not_negative"),
        sa.Index("ix_technopark_service_requests_tenant_status", "tenant_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(index=True)
    enterprise_id: Mapped[int] = mapped_column(sa.ForeignKey("enterprises.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    desired_start: Mapped[date | None] = mapped_column()
    desired_end: Mapped[date | None] = mapped_column()
    comment: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default=RequestStatus.SUBMITTED)
    quote: Mapped[Decimal | None] = mapped_column(MONEY)
    scheduled_start: Mapped[date | None] = mapped_column()
    scheduled_end: Mapped[date | None] = mapped_column()
    staff_note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    service: Mapped[ServiceOffer] = relationship(
        primaryjoin="and_(ServiceRequest.service_id == ServiceOffer.id, "
        "ServiceRequest.tenant_id == ServiceOffer.tenant_id)",
        foreign_keys="[ServiceRequest.service_id, ServiceRequest.tenant_id]",
        viewonly=True,
    )
    enterprise: Mapped[Enterprise] = relationship()
    requested_by = relationship("User")
    history: Mapped[list["ServiceRequestEvent"]] = relationship(
        primaryjoin="and_(ServiceRequestEvent.request_id == ServiceRequest.id, "
        "ServiceRequestEvent.tenant_id == ServiceRequest.tenant_id)",
        foreign_keys="[ServiceRequestEvent.request_id, ServiceRequestEvent.tenant_id]",
        order_by="ServiceRequestEvent.id",
        viewonly=True,
    )


class ServiceRequestEvent(TenantOwned, db.Model):
    """One step of a request's status history: who moved it, when, from where to where, and why."""

    __tablename__ = "technopark_service_request_events"
    __tenant_table_args__ = (tenant_fk("request_id", "technopark_service_requests"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor = relationship("User")
