"""Invoices by bank transfer: requisites validation, gapless numbering, VAT, payments and acts.

All documents are in Russian (they are Russian accounting documents); the pages around them follow the
user's language.
"""

import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ....audit.services import record, snapshot
from ....core.refusal import Refusal
from ....enterprises.services.identifiers import clean_inn, clean_kpp
from ....extensions import db
from ....tenancy.models import Tenant, utcnow
from ...models import BillingInterval, Plan
from ...services import extend_paid_period
from .models import BillingRequisites, Invoice, InvoiceCounter, InvoiceStatus, Payment

PROVIDER = "invoice"
SELLER_KEYS = ("NAME", "INN", "KPP", "ADDRESS", "BANK", "BIC", "ACCOUNT", "CORR_ACCOUNT")
REQUISITE_FIELDS = ("name", "inn", "kpp", "address", "bank_name", "bic", "account", "corr_account")
_WEIGHTS = ((7, 1, 3) * 8)[:23]


def is_configured(config) -> bool:
    return all(config.get(f"BILLING_SELLER_{key}") for key in ("NAME", "INN", "BIC", "ACCOUNT"))


# --- requisites ----------------------------------------------------------------------------------


def _digits(value: str | None) -> str:
    return re.sub(r"\s", "", value or "")


def clean_bic(value: str) -> str:
    value = _digits(value)
    if not re.fullmatch(r"04\d{7}", value):
        raise Refusal(_("The БИК must be 9 digits starting with 04."))
    return value


def _control_ok(key: str, account: str) -> bool:
    """The Bank of Russia control key: weights 7-1-3 over the 3-digit key and the 20-digit account."""
    digits = key + account
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 10 == 0


def clean_account(value: str, bic: str) -> str:
    """A расчётный счёт: 20 digits whose control digit matches the bank's БИК."""
    value = _digits(value)
    if not re.fullmatch(r"\d{20}", value):
        raise Refusal(_("The settlement account must be 20 digits."))
    if not _control_ok(bic[-3:], value):
        raise Refusal(_("The settlement account does not match the БИК: check both numbers."))
    return value


def clean_corr_account(value: str, bic: str) -> str | None:
    """A корреспондентский счёт (30101…): 20 digits, control key from the БИК's 5th–6th digits."""
    value = _digits(value)
    if not value:
        return None
    if not re.fullmatch(r"301\d{17}", value):
        raise Refusal(_("The correspondent account must be 20 digits starting with 301."))
    if not _control_ok("0" + bic[4:6], value):
        raise Refusal(_("The correspondent account does not match the БИК: check both numbers."))
    return value


def clean_requisites(values: dict) -> dict:
    """Validated requisites; raises :class:`Refusal` naming the first wrong field (``error.field``)."""
    cleaned = {}

    def fail(field, message):
        raise Refusal(message, field)

    for field in ("name", "address", "bank_name"):
        cleaned[field] = " ".join((values.get(field) or "").split())
        if not cleaned[field]:
            fail(field, _("This field is required."))
    try:
        cleaned["inn"] = clean_inn(values.get("inn"))
    except Refusal as exc:
        fail("inn", str(exc))
    kpp = _digits(values.get("kpp"))
    if len(cleaned["inn"]) == 10 and not kpp:
        fail("kpp", _("An organisation has a КПП: give it."))
    try:
        cleaned["kpp"] = clean_kpp(kpp) if kpp else None
    except Refusal as exc:
        fail("kpp", str(exc))
    for field, clean in (("bic", clean_bic),):
        try:
            cleaned[field] = clean(values.get(field))
        except Refusal as exc:
            fail(field, str(exc))
    try:
        cleaned["account"] = clean_account(values.get("account"), cleaned["bic"])
    except Refusal as exc:
        fail("account", str(exc))
    try:
        cleaned["corr_account"] = clean_corr_account(values.get("corr_account"), cleaned["bic"])
    except Refusal as exc:
        fail("corr_account", str(exc))
    return cleaned


def get_requisites() -> BillingRequisites | None:
    """The current tenant's requisites (call inside the tenant's scope)."""
    return db.session.scalar(sa.select(BillingRequisites))


def save_requisites(values: dict, *, actor) -> BillingRequisites:
    cleaned = clean_requisites(values)
    requisites = get_requisites()
    before = snapshot(requisites, REQUISITE_FIELDS) if requisites else None
    if requisites is None:
        requisites = BillingRequisites()
        db.session.add(requisites)
    for field in REQUISITE_FIELDS:
        setattr(requisites, field, cleaned[field])
    db.session.flush()
    record(
        "billing.requisites_saved",
        requisites,
        actor=actor,
        before=before,
        after=snapshot(requisites, REQUISITE_FIELDS),
    )
    return requisites


def seller_requisites() -> dict:
    config = current_app.config
    return {
        "name": config.get("BILLING_SELLER_NAME"),
        "inn": config.get("BILLING_SELLER_INN"),
        "kpp": config.get("BILLING_SELLER_KPP"),
        "address": config.get("BILLING_SELLER_ADDRESS"),
        "bank_name": config.get("BILLING_SELLER_BANK"),
        "bic": config.get("BILLING_SELLER_BIC"),
        "account": config.get("BILLING_SELLER_ACCOUNT"),
        "corr_account": config.get("BILLING_SELLER_CORR_ACCOUNT"),
    }


# --- invoices ------------------------------------------------------------------------------------


def vat_rate() -> int | None:
    raw = str(current_app.config.get("BILLING_VAT_RATE") or "none").strip().lower()
    return None if raw in ("none", "", "0-none") else int(raw)


def vat_included(amount: int, rate: int | None) -> int:
    """The VAT contained in ``amount`` (kopecks) at ``rate`` percent, rounded half up to a kopeck."""
    if not rate:
        return 0
    return int((Decimal(amount) * rate / (100 + rate)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def next_invoice_number(year: int) -> int:
    """Take the next number of ``year``. The counter row stays locked (FOR UPDATE on PostgreSQL, the
    database write lock on SQLite) until the transaction ends, and a rolled-back invoice gives its
    number back, so the numbers have no gaps and no duplicates."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(InvoiceCounter).values(year=year, last_number=0).on_conflict_do_nothing())
    counter = db.session.execute(
        sa.select(InvoiceCounter)
        .where(InvoiceCounter.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    counter.last_number += 1
    db.session.flush()
    return counter.last_number


def _purpose(number: str, plan: Plan, interval: str, issued_on: date, rate: int | None, vat: int) -> str:
    period = "1 год" if interval == BillingInterval.YEAR else "1 месяц"
    vat_text = (
        "НДС не облагается" if rate is None else f"в т.ч. НДС {rate}% {vat // 100}.{vat % 100:02d} руб."
    )
    return (
        f"Оплата по счёту № {number} от {issued_on:%d.%m.%Y} за доступ к платформе ClusterHub, "
        f"тариф «{plan.name_ru}», {period}. {vat_text}"
    )


def issue_invoice(tenant: Tenant, plan: Plan, interval: str, *, actor, today: date | None = None) -> Invoice:
    """Issue a счёт на оплату for one period of ``plan`` to the current tenant (inside its scope)."""
    if interval not in set(BillingInterval):
        raise Refusal(_("Unknown billing interval."))
    if not plan.active:
        raise Refusal(_("This plan is no longer offered."))
    amount = plan.price(interval)
    if amount <= 0:
        raise Refusal(_("This plan has no price for this period, so there is nothing to invoice."))
    if plan.currency != "RUB":
        raise Refusal(_("Invoices for bank transfer are issued in roubles only."))
    if not is_configured(current_app.config):
        raise Refusal(_("Payment by invoice is not configured."))
    requisites = get_requisites()
    if requisites is None:
        raise Refusal(_("Fill in the center's requisites first: they are printed on the invoice."))
    today = today or utcnow().date()
    seq = next_invoice_number(today.year)
    number = f"{today.year}-{seq:05d}"
    rate = vat_rate()
    vat = vat_included(amount, rate)
    invoice = Invoice(
        tenant_id=tenant.id,
        number=number,
        year=today.year,
        seq=seq,
        issued_on=today,
        due_on=today + timedelta(days=int(current_app.config.get("BILLING_INVOICE_DUE_DAYS", 10))),
        plan=plan,
        interval=interval,
        amount=amount,
        currency="RUB",
        vat_rate=rate,
        vat_amount=vat,
        purpose=_purpose(number, plan, interval, today, rate, vat),
        buyer=snapshot(requisites, REQUISITE_FIELDS),
        seller=seller_requisites(),
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(invoice)
    db.session.flush()
    record(
        "billing.invoice_issued",
        invoice,
        actor=actor,
        after={"number": number, "amount": amount, "plan": plan.code},
    )
    return invoice


def cancel_invoice(invoice: Invoice, *, actor) -> None:
    """Cancel an unpaid invoice. Its number stays used (and visible), so the sequence keeps no gaps."""
    if invoice.status != InvoiceStatus.ISSUED:
        raise Refusal(_("Only an unpaid invoice can be cancelled."))
    invoice.status = InvoiceStatus.CANCELLED
    record("billing.invoice_cancelled", invoice, actor=actor, after={"number": invoice.number})


def parse_amount(raw: str) -> int:
    """Roubles as typed ("12 000,50") → kopecks."""
    text = re.sub(r"[\s\u00a0]", "", raw or "").replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", text):
        raise Refusal(_("Enter the amount in roubles, for example 12000.00."))
    return int(Decimal(text) * 100)


def record_payment(invoice: Invoice, *, amount: int, paid_on: date, order_number: str, actor) -> Payment:
    """The platform admin records a bank payment for ``invoice`` (inside the invoice's tenant scope):
    the invoice becomes paid and the subscription is activated or extended by one period."""
    if invoice.status != InvoiceStatus.ISSUED:
        raise Refusal(_("This invoice is not awaiting payment."))
    if amount != invoice.amount:
        raise Refusal(
            _(
                "The amount paid differs from the invoice total; record the exact amount or issue a new invoice."
            )
        )
    order_number = (order_number or "").strip()
    if not order_number:
        raise Refusal(_("Give the number of the payment order."))
    if paid_on > utcnow().date():
        raise Refusal(_("The payment date cannot be in the future."))
    _sub, start, end = extend_paid_period(
        invoice.tenant_id,
        plan=invoice.plan,
        interval=invoice.interval,
        provider=PROVIDER,
        paid_on=datetime.combine(paid_on, datetime.min.time()),
        actor=actor,
    )
    invoice.status = InvoiceStatus.PAID
    invoice.paid_at = utcnow()
    payment = Payment(
        tenant_id=invoice.tenant_id,
        invoice_id=invoice.id,
        amount=amount,
        paid_on=paid_on,
        order_number=order_number,
        period_start=start.date(),
        period_end=(end - timedelta(days=1)).date(),
        recorded_by_id=getattr(actor, "id", None),
    )
    db.session.add(payment)
    db.session.flush()
    record(
        "billing.payment_recorded",
        payment,
        actor=actor,
        after={
            "invoice": invoice.number,
            "amount": amount,
            "order": order_number,
            "period_end": payment.period_end,
        },
    )
    return payment


def act_available(payment: Payment, today: date | None = None) -> bool:
    """An act closes a period once the period is over (the service has been rendered)."""
    return payment.period_end <= (today or utcnow().date())
