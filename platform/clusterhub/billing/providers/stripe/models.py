"""Stripe ids mapped to tenants, and the webhook events already handled.

Both tables are platform-level on purpose: the webhook must resolve the tenant *before* any tenant scope
exists, and it may never trust the payload's metadata to do so. They hold ids only, no data of a center.
Their reference to the center is deliberately not called ``tenant_id``: by the schema's convention every
``tenant_id`` column is under Row-Level Security, which would hide these rows from the webhook.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ....extensions import db
from ....tenancy.models import utcnow


class StripeCustomer(db.Model):
    """Our record of which Stripe customer (and subscription) is which center."""

    __tablename__ = "billing_stripe_customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_ref_id: Mapped[int] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), unique=True)
    customer_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    subscription_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StripeEvent(db.Model):
    """A webhook event handled once: a replay finds its id here and changes nothing."""

    __tablename__ = "billing_stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    tenant_ref_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("tenants.id", ondelete="SET NULL"), index=True
    )
    outcome: Mapped[str] = mapped_column(sa.String(40))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
