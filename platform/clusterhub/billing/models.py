"""Plans (platform-level, shared by every center) and subscriptions (tenant-owned, one per center).

A subscription carries ``tenant_id`` and Row-Level Security like every other row of a center: the lapse
guard reads it inside the request's tenant scope, and a payment provider's webhook reaches it only after
resolving the tenant through the provider's own id table and opening that tenant's scope.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..tenancy.models import Tenant, utcnow
from ..tenancy.scoping import TenantOwned


class SubscriptionStatus(enum.StrEnum):
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELLED = "cancelled"


class BillingInterval(enum.StrEnum):
    MONTH = "month"
    YEAR = "year"


# The limits a plan can set; ``None`` on the plan means unlimited.
LIMIT_NAMES = ("staff_seats", "sessions_per_year", "technoparks", "storage_mb")


class Plan(db.Model):
    """A subscription plan: prices in minor units (kopecks, cents) and limits. Editable by the platform admin."""

    __tablename__ = "billing_plans"
    __table_args__ = (sa.CheckConstraint("price_month >= 0 AND price_year >= 0", name="non_negative_prices"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_ru: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120))
    currency: Mapped[str] = mapped_column(sa.String(3), default="RUB")
    price_month: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    price_year: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    staff_seats: Mapped[int | None] = mapped_column()
    sessions_per_year: Mapped[int | None] = mapped_column()
    technoparks: Mapped[int | None] = mapped_column()
    storage_mb: Mapped[int | None] = mapped_column()
    api_access: Mapped[bool] = mapped_column(default=True)
    # The provider-side price ids (Stripe ``price_...``); empty means the plan cannot be bought by card.
    stripe_price_month: Mapped[str | None] = mapped_column(sa.String(100))
    stripe_price_year: Mapped[str | None] = mapped_column(sa.String(100))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def price(self, interval: str) -> int:
        return self.price_year if interval == BillingInterval.YEAR else self.price_month

    def limit(self, name: str) -> int | None:
        return getattr(self, name)

    def __repr__(self):
        return f"<Plan {self.code}>"


class Subscription(TenantOwned, db.Model):
    """A center's subscription: one per tenant. ``past_due_since`` starts the grace period."""

    __tablename__ = "billing_subscriptions"
    __tenant_table_args__ = (sa.UniqueConstraint("tenant_id", name="uq_billing_subscriptions_tenant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("billing_plans.id", ondelete="RESTRICT"), index=True)
    provider: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16), default=SubscriptionStatus.TRIALING, index=True)
    interval: Mapped[str] = mapped_column(sa.String(8), default=BillingInterval.MONTH)
    current_period_start: Mapped[datetime | None] = mapped_column()
    current_period_end: Mapped[datetime | None] = mapped_column()
    next_payment_at: Mapped[datetime | None] = mapped_column()
    past_due_since: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    plan: Mapped[Plan] = relationship(lazy="joined", innerjoin=True)
    tenant: Mapped[Tenant] = relationship()

    def __repr__(self):
        return f"<Subscription tenant={self.tenant_id} {self.status}>"
