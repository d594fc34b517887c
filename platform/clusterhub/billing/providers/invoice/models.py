"""The center's requisites, invoices and payments (tenant-owned), and the platform's invoice counter."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ....extensions import db
from ....tenancy.models import utcnow
from ....tenancy.scoping import TenantOwned, tenant_fk
from ...models import Plan


class BillingRequisites(TenantOwned, db.Model):
    """The center's legal requisites, printed on its invoices and acts as the buyer."""

    __tablename__ = "billing_requisites"
    __tenant_table_args__ = (sa.UniqueConstraint("tenant_id", name="uq_billing_requisites_tenant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    inn: Mapped[str] = mapped_column(sa.String(12))
    kpp: Mapped[str | None] = mapped_column(sa.String(9))
    address: Mapped[str] = mapped_column(sa.String(500))
    bank_name: Mapped[str] = mapped_column(sa.String(300))
    bic: Mapped[str] = mapped_column(sa.String(9))
    account: Mapped[str] = mapped_column(sa.String(20))
    corr_account: Mapped[str | None] = mapped_column(sa.String(20))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InvoiceCounter(db.Model):
    """The last invoice number issued in a year. Its row is locked while a number is taken, so numbers
    are consecutive without gaps even when invoices are issued at the same moment."""

    __tablename__ = "billing_invoice_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class InvoiceStatus:
    ISSUED = "issued"
    PAID = "paid"
    CANCELLED = "cancelled"


class Invoice(TenantOwned, db.Model):
    """A счёт на оплату. Buyer and seller are snapshots: a later change of requisites never rewrites it."""

    __tablename__ = "billing_invoices"
    __tenant_table_args__ = (
        sa.UniqueConstraint("year", "seq", name="uq_billing_invoices_year_seq"),
        sa.CheckConstraint("amount > 0", name="positive_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    year: Mapped[int] = mapped_column()
    seq: Mapped[int] = mapped_column()
    issued_on: Mapped[date] = mapped_column()
    due_on: Mapped[date] = mapped_column()
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("billing_plans.id", ondelete="RESTRICT"), index=True)
    interval: Mapped[str] = mapped_column(sa.String(8))
    amount: Mapped[int] = mapped_column(sa.BigInteger)  # kopecks, VAT included
    currency: Mapped[str] = mapped_column(sa.String(3), default="RUB")
    vat_rate: Mapped[int | None] = mapped_column()  # percent; None = without VAT (simplified taxation)
    vat_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    purpose: Mapped[str] = mapped_column(sa.String(500))
    buyer: Mapped[dict] = mapped_column(sa.JSON)
    seller: Mapped[dict] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(16), default=InvoiceStatus.ISSUED, index=True)
    paid_at: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[Plan] = relationship(lazy="joined", innerjoin=True)


class Payment(TenantOwned, db.Model):
    """A bank payment recorded by the platform admin; it covers one period, closed by an act."""

    __tablename__ = "billing_payments"
    __tenant_table_args__ = (
        tenant_fk("invoice_id", "billing_invoices", ondelete="RESTRICT"),
        sa.CheckConstraint("amount > 0", name="positive_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(index=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    paid_on: Mapped[date] = mapped_column()
    order_number: Mapped[str] = mapped_column(sa.String(40))
    period_start: Mapped[date] = mapped_column()
    period_end: Mapped[date] = mapped_column()
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    invoice: Mapped[Invoice] = relationship(
        lazy="joined",
        innerjoin=True,
        primaryjoin="and_(Payment.invoice_id == Invoice.id, Payment.tenant_id == Invoice.tenant_id)",
        foreign_keys="[Payment.invoice_id, Payment.tenant_id]",
    )
