import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..tenancy.models import utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry; kept for staff to see and resend
    WITHHELD = "withheld"  # not sent: the recipient withdrew consent to mail (152-ФЗ), checked at send time


class OutboxKind(enum.StrEnum):
    MAIL = "mail"
    WEBHOOK = "webhook"  # a ticket for a webhooks.WebhookDelivery of tenant ``webhook_tenant_id``


class OutboxMessage(db.Model):
    """An e-mail (or a webhook delivery's ticket) written in the same transaction as the change that caused
    it, sent later by the worker."""

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable Message-ID: a receiving server can drop a duplicate if a send is retried after a crash.
    message_id: Mapped[str] = mapped_column(sa.String(120), unique=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    tenant_slug: Mapped[str | None] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    kind: Mapped[str] = mapped_column(sa.String(16), default=OutboxKind.MAIL, server_default=OutboxKind.MAIL)
    # A webhook ticket names its delivery; the delivery (tenant-owned, with the body) is read in the scope
    # of its tenant, so the worker never reads across tenants. (Not "tenant_id": the outbox is a
    # platform-level queue, and a tenant_id column would be a tenant-owned table, RLS and all.)
    webhook_tenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"))
    webhook_delivery_id: Mapped[int | None] = mapped_column()
