"""Stripe operations: customers, Checkout, the Customer Portal and webhook handling.

The secret key and the webhook secret come from configuration (``STRIPE_SECRET_KEY``,
``STRIPE_WEBHOOK_SECRET``) and are never logged: log lines name event ids and tenants only.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ....audit.services import record
from ....core.refusal import Refusal
from ....extensions import db
from ....tenancy.models import Tenant
from ....tenancy.scoping import tenant_scope
from ...models import BillingInterval, Plan, SubscriptionStatus
from ...services import apply_provider_state, get_subscription

if TYPE_CHECKING:
    import stripe
from .models import StripeCustomer, StripeEvent

log = logging.getLogger(__name__)

PROVIDER = "stripe"
# Stripe's subscription statuses → ours. ``incomplete`` (first payment not through yet) changes nothing.
STATUS_MAP = {
    "trialing": SubscriptionStatus.TRIALING,
    "active": SubscriptionStatus.ACTIVE,
    "past_due": SubscriptionStatus.PAST_DUE,
    "unpaid": SubscriptionStatus.PAST_DUE,
    "paused": SubscriptionStatus.PAST_DUE,
    "canceled": SubscriptionStatus.CANCELLED,
    "incomplete_expired": SubscriptionStatus.CANCELLED,
}
HANDLED_EVENTS = {
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
    "invoice.paid",
    "invoice.payment_succeeded",
    "invoice.payment_failed",
}


class WebhookRejected(Exception):
    """The webhook request is not a genuine, fresh Stripe event: answer 400 and change nothing."""


def is_configured(config) -> bool:
    return bool(config.get("STRIPE_SECRET_KEY"))


def get_client() -> stripe.StripeClient:
    """A client for the configured account. Tests plug a fake transport in through
    ``app.extensions["billing.stripe_http_client"]`` (a :class:`stripe.HTTPClient`)."""
    key = current_app.config.get("STRIPE_SECRET_KEY")
    if not key:
        raise Refusal(_("Payment by card is not configured."))
    http_client = current_app.extensions.get("billing.stripe_http_client")
    import stripe  # half a second of import time, paid by centers that use Stripe, not by every start

    return stripe.StripeClient(key, http_client=http_client, max_network_retries=2)


def customer_of(tenant_id: int) -> StripeCustomer | None:
    return db.session.scalar(sa.select(StripeCustomer).where(StripeCustomer.tenant_ref_id == tenant_id))


def ensure_customer(client: stripe.StripeClient, tenant: Tenant) -> StripeCustomer:
    """The center's Stripe customer, created once and recorded in our id table."""
    link = customer_of(tenant.id)
    if link is not None:
        return link
    customer = client.v1.customers.create(
        {
            "name": tenant.name_ru,
            "email": tenant.email or None,
            "metadata": {"tenant_id": str(tenant.id), "tenant_slug": tenant.slug},
        },
        # One customer per center even if the first checkout is retried before our row commits.
        options={"idempotency_key": f"clusterhub-customer-{tenant.id}"},
    )
    link = StripeCustomer(tenant_ref_id=tenant.id, customer_id=customer.id)
    db.session.add(link)
    db.session.flush()
    return link


def start_checkout(
    tenant: Tenant,
    plan: Plan,
    interval: str,
    *,
    attempt: str,
    actor,
    success_url: str,
    cancel_url: str,
    locale: str,
) -> str:
    """Create a Checkout Session to subscribe the center to ``plan`` (or change to it); returns its URL.

    ``attempt`` identifies one press of the button (a token in the form), so a resubmitted form reuses
    the same idempotency key and Stripe returns the same session instead of opening a second one.
    """
    if interval not in set(BillingInterval):
        raise Refusal(_("Unknown billing interval."))
    price = plan.stripe_price_year if interval == BillingInterval.YEAR else plan.stripe_price_month
    if not plan.active or not price:
        raise Refusal(_("This plan cannot be paid by card. Choose another plan or pay by invoice."))
    if not attempt or len(attempt) > 64 or not attempt.replace("-", "").isalnum():
        raise Refusal(_("The form has expired. Reload the page and try again."))
    client = get_client()
    link = ensure_customer(client, tenant)
    metadata = {"tenant_id": str(tenant.id), "plan": plan.code, "interval": interval}
    session = client.v1.checkout.sessions.create(
        {
            "mode": "subscription",
            "customer": link.customer_id,
            "client_reference_id": str(tenant.id),
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
            "line_items": [{"price": price, "quantity": 1}],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "locale": "ru" if locale == "ru" else "en",
        },
        options={"idempotency_key": f"clusterhub-checkout-{tenant.id}-{attempt}"},
    )
    record(
        "billing.stripe_checkout_started",
        ("Tenant", tenant.id),
        tenant_id=tenant.id,
        actor=actor,
        after={"plan": plan.code, "interval": interval, "session": session.id},
    )
    return session.url


def portal_url(tenant: Tenant, *, return_url: str) -> str:
    """A Customer Portal session for this center's own Stripe customer (from our table, never from input)."""
    link = customer_of(tenant.id)
    if link is None:
        raise Refusal(_("The center has not paid by card yet, so there is nothing to manage there."))
    session = get_client().v1.billing_portal.sessions.create(
        {"customer": link.customer_id, "return_url": return_url}
    )
    return session.url


# --- webhook -------------------------------------------------------------------------------------


def _id(value) -> str | None:
    """An id from a field that holds either the id or the expanded object."""
    if value is None or isinstance(value, str):
        return value
    return value.get("id")


def _subscription_id_of(obj) -> str | None:
    kind = obj.get("object")
    if kind == "subscription":
        return obj.get("id")
    if obj.get("subscription"):
        return _id(obj.get("subscription"))
    if kind == "invoice":  # newer API versions: invoice.parent.subscription_details.subscription
        details = (obj.get("parent") or {}).get("subscription_details") or {}
        return _id(details.get("subscription"))
    return None


def _timestamp(value) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(int(value), UTC).replace(tzinfo=None)


def _plan_and_interval(stripe_sub) -> tuple[Plan | None, str | None]:
    items = (stripe_sub.get("items") or {}).get("data") or []
    if not items:
        return None, None
    price = items[0].get("price") or {}
    price_id = _id(price)
    plan = db.session.scalar(
        sa.select(Plan).where(sa.or_(Plan.stripe_price_month == price_id, Plan.stripe_price_year == price_id))
    )
    if plan is None:
        return None, None
    interval = BillingInterval.YEAR if plan.stripe_price_year == price_id else BillingInterval.MONTH
    return plan, interval


def _period(stripe_sub) -> tuple[datetime | None, datetime | None]:
    # Since API version 2025-03-31 the period lives on the subscription items.
    items = (stripe_sub.get("items") or {}).get("data") or []
    source = items[0] if items and items[0].get("current_period_end") else stripe_sub
    return _timestamp(source.get("current_period_start")), _timestamp(source.get("current_period_end"))


def handle_webhook(payload: bytes, sig_header: str | None) -> str:
    """Verify, record and apply one webhook event. Returns the outcome; raises :class:`WebhookRejected`.

    Guarantees: a bad or stale signature changes nothing; an event id is handled once; the tenant comes
    from our :class:`StripeCustomer` table only; the subscription's state is re-read from Stripe, so
    events arriving out of order still end in Stripe's current state.
    """
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret or not is_configured(current_app.config):
        raise WebhookRejected("webhook secret not configured")
    client = get_client()
    from stripe import SignatureVerificationError

    try:
        event = client.construct_event(payload, sig_header, secret)
    except (ValueError, SignatureVerificationError) as exc:
        raise WebhookRejected("signature verification failed") from exc

    if db.session.scalar(sa.select(StripeEvent.id).where(StripeEvent.event_id == event.id)) is not None:
        return "duplicate"
    entry = StripeEvent(event_id=event.id, type=event.type, outcome="received")
    db.session.add(entry)
    db.session.flush()  # claims the event id: a concurrent replay fails on the unique index

    if event.type not in HANDLED_EVENTS:
        entry.outcome = "ignored"
        return entry.outcome
    obj = event.data.object.to_dict()  # plain dicts from here on
    link = db.session.scalar(
        sa.select(StripeCustomer).where(StripeCustomer.customer_id == _id(obj.get("customer")))
    )
    if link is None:
        log.warning("Stripe event %s (%s) for a customer we do not know; ignored", event.id, event.type)
        entry.outcome = "unknown_customer"
        return entry.outcome
    entry.tenant_ref_id = link.tenant_ref_id
    with tenant_scope(db.session, link.tenant_ref_id):
        entry.outcome = _sync_subscription(client, link, _subscription_id_of(obj) or link.subscription_id)
    log.info(
        "Stripe event %s (%s) for tenant %s: %s", event.id, event.type, link.tenant_ref_id, entry.outcome
    )
    return entry.outcome


def _sync_subscription(client: stripe.StripeClient, link: StripeCustomer, subscription_id: str | None) -> str:
    if not subscription_id:
        return "no_subscription"
    stripe_sub = client.v1.subscriptions.retrieve(subscription_id).to_dict()
    if _id(stripe_sub.get("customer")) != link.customer_id:
        log.warning(
            "Stripe subscription %s does not belong to tenant %s's customer",
            subscription_id,
            link.tenant_ref_id,
        )
        return "customer_mismatch"
    status = STATUS_MAP.get(stripe_sub.get("status"))
    if subscription_id != link.subscription_id:
        if status not in (
            SubscriptionStatus.ACTIVE,
            SubscriptionStatus.TRIALING,
            SubscriptionStatus.PAST_DUE,
        ):
            return "stale_subscription"  # an old subscription's late news must not cancel the current one
        previous = link.subscription_id
        link.subscription_id = subscription_id
        if previous:
            # A plan change through Checkout: the center pays for one subscription only.
            client.v1.subscriptions.cancel(
                previous, options={"idempotency_key": f"clusterhub-replace-{previous}"}
            )
    if status is None:
        return "pending"
    plan, interval = _plan_and_interval(stripe_sub)
    if plan is None and get_subscription(link.tenant_ref_id) is None:
        return "unknown_price"
    start, end = _period(stripe_sub)
    apply_provider_state(
        link.tenant_ref_id,
        provider=PROVIDER,
        status=status,
        plan=plan,
        interval=interval,
        period_start=start,
        period_end=end,
    )
    return "applied"
