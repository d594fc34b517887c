import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..tenancy.models import utcnow
from ..tenancy.scoping import TenantOwned, tenant_fk


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # queued, or waiting for its next retry
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # gave up after the last attempt; staff can resend


class WebhookSubscription(TenantOwned, db.Model):
    """A center's subscription: the URL that receives the chosen events, signed with its secret."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(100))
    url: Mapped[str] = mapped_column(sa.String(500))
    # The HMAC key of the signature header, encrypted (sealing.py): decrypted to sign a delivery and to
    # show it once to the staff who created or renewed it.
    secret_encrypted: Mapped[str] = mapped_column(sa.Text)
    events: Mapped[list] = mapped_column(sa.JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def wants(self, event: str) -> bool:
        return self.active and isinstance(self.events, list) and event in self.events


class WebhookDelivery(TenantOwned, db.Model):
    """One event for one subscription: the body (``event_id`` stays the same on every retry and resend,
    so a receiver can drop duplicates) and what happened to it. The outbox carries the queue ticket."""

    __tablename__ = "webhook_deliveries"
    __tenant_table_args__ = (
        tenant_fk("subscription_id", "webhook_subscriptions"),
        sa.Index("ix_webhook_deliveries_subscription_created", "tenant_id", "subscription_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column()
    event_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    event: Mapped[str] = mapped_column(sa.String(60))
    data: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    last_attempt_at: Mapped[datetime | None] = mapped_column()
    last_status_code: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    delivered_at: Mapped[datetime | None] = mapped_column()

    subscription: Mapped[WebhookSubscription] = relationship(overlaps="tenant")
