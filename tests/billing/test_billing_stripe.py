"""Stripe through a fake transport: Checkout, the Customer Portal and the verified, idempotent webhook."""

import logging
import time

import sqlalchemy as sa

from clusterhub.audit.models import AuditEntry
from clusterhub.billing import services as billing
from clusterhub.billing.providers.stripe.models import StripeCustomer, StripeEvent
from clusterhub.extensions import db
from clusterhub.outbox.models import OutboxMessage
from tests.fixtures.billing import STRIPE_KEY, WEBHOOK_SECRET


def _plan(make_plan):
    return make_plan(
        "pro",
        name_ru="Профи",
        name_en="Pro",
        stripe_price_month="price_pro_m",
        stripe_price_year="price_pro_y",
    )


def _link(tenant, customer, subscription=None):
    link = StripeCustomer(tenant_ref_id=tenant.id, customer_id=customer, subscription_id=subscription)
    db.session.add(link)
    db.session.commit()
    return link


def test_checkout_sends_the_tenant_and_one_idempotency_key_per_attempt(
    client, login, make_tenant, billing_user, make_plan, fake_stripe
):
    komi = make_tenant("komi")
    plan = _plan(make_plan)
    login(billing_user("center_admin", komi))

    form = {"plan_id": plan.id, "interval": "year", "attempt": "attempt1"}
    response = client.post("/komi/staff/billing/stripe/checkout", data=form)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://checkout.stripe.test/")

    [customer_call] = fake_stripe.calls_to("/v1/customers")
    assert customer_call["headers"]["Idempotency-Key"] == f"clusterhub-customer-{komi.id}"
    assert customer_call["params"]["metadata[tenant_id]"] == str(komi.id)
    [checkout] = fake_stripe.calls_to("/v1/checkout/sessions")
    sent = checkout["params"]
    assert sent["mode"] == "subscription"
    assert sent["client_reference_id"] == str(komi.id)
    assert sent["metadata[tenant_id]"] == str(komi.id)
    assert sent["subscription_data[metadata][tenant_id]"] == str(komi.id)
    assert sent["line_items[0][price]"] == "price_pro_y"
    link = db.session.scalar(sa.select(StripeCustomer))
    assert sent["customer"] == link.customer_id and link.tenant_ref_id == komi.id
    assert checkout["headers"]["Idempotency-Key"] == f"clusterhub-checkout-{komi.id}-attempt1"
    assert checkout["headers"]["Authorization"] == f"Bearer {STRIPE_KEY}"

    # The same press of the button resent: the same key (Stripe answers with the same session).
    client.post("/komi/staff/billing/stripe/checkout", data=form)
    # A new attempt: a new key, and still one customer for the center.
    client.post("/komi/staff/billing/stripe/checkout", data={**form, "attempt": "attempt2"})
    keys = [c["headers"]["Idempotency-Key"] for c in fake_stripe.calls_to("/v1/checkout/sessions")]
    assert keys == [keys[0], keys[0], f"clusterhub-checkout-{komi.id}-attempt2"]
    assert len(fake_stripe.calls_to("/v1/customers")) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeCustomer)) == 1


def test_checkout_refuses_a_plan_without_a_stripe_price(
    client, login, make_tenant, billing_user, make_plan, fake_stripe
):
    komi = make_tenant("komi")
    plan = make_plan("bank-only")
    login(billing_user("center_admin", komi))
    response = client.post(
        "/komi/staff/billing/stripe/checkout",
        data={"plan_id": plan.id, "interval": "month", "attempt": "a"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 302
    assert fake_stripe.calls == []
    page = client.get("/komi/staff/billing/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "cannot be paid by card" in page


def test_portal_opens_only_for_the_current_tenants_customer(
    client, login, make_tenant, billing_user, fake_stripe
):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    _link(komi, "cus_komi")
    _link(tatarstan, "cus_tatarstan")
    login(billing_user("center_admin", komi))

    response = client.post("/komi/staff/billing/stripe/portal", data={"customer": "cus_tatarstan"})
    assert response.status_code == 303
    [call] = fake_stripe.calls_to("/v1/billing_portal/sessions")
    assert call["params"]["customer"] == "cus_komi"
    assert call["params"]["return_url"].endswith("/komi/staff/billing/")

    assert client.post("/tatarstan/staff/billing/stripe/portal").status_code == 403
    assert len(fake_stripe.calls_to("/v1/billing_portal/sessions")) == 1


def test_portal_without_a_customer_explains(client, login, make_tenant, billing_user, fake_stripe):
    komi = make_tenant("komi")
    login(billing_user("center_admin", komi))
    response = client.post("/komi/staff/billing/stripe/portal", headers={"Accept-Language": "en"})
    assert response.status_code == 302
    assert fake_stripe.calls == []


def test_bad_or_stale_signature_is_refused_and_changes_nothing(
    make_tenant, make_plan, fake_stripe, send_webhook
):
    komi = make_tenant("komi")
    _plan(make_plan)
    _link(komi, "cus_komi")
    fake_stripe.set_subscription("sub_1", "cus_komi", "active", "price_pro_m")
    sub = {"id": "sub_1", "object": "subscription", "customer": "cus_komi", "status": "active"}

    assert send_webhook("customer.subscription.created", sub, secret="whsec_wrong").status_code == 400
    stale = int(time.time()) - 3600
    assert send_webhook("customer.subscription.created", sub, timestamp=stale).status_code == 400
    assert send_webhook("customer.subscription.created", sub, signature="t=1,v1=deadbeef").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 0
    assert billing.get_subscription(komi.id) is None
    assert fake_stripe.calls_to("/v1/subscriptions/sub_1", "get") == []


def test_a_replayed_event_has_no_second_effect(make_tenant, make_plan, fake_stripe, send_webhook):
    komi = make_tenant("komi")
    _plan(make_plan)
    _link(komi, "cus_komi")
    fake_stripe.set_subscription("sub_1", "cus_komi", "active", "price_pro_m")
    obj = {"id": "sub_1", "object": "subscription", "customer": "cus_komi", "status": "active"}

    first = send_webhook("customer.subscription.created", obj, event_id="evt_once")
    assert first.status_code == 200 and first.json["outcome"] == "applied"
    assert billing.get_subscription(komi.id).status == "active"
    audit_count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))

    # Meanwhile Stripe's state changed; a replay of the old event must not re-read or re-apply anything.
    fake_stripe.set_subscription("sub_1", "cus_komi", "past_due", "price_pro_m")
    again = send_webhook("customer.subscription.created", obj, event_id="evt_once")
    assert again.status_code == 200 and again.json["outcome"] == "duplicate"
    assert billing.get_subscription(komi.id).status == "active"
    assert len(fake_stripe.calls_to("/v1/subscriptions/sub_1", "get")) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == audit_count


def test_events_out_of_order_end_in_stripes_current_state(
    make_tenant, billing_user, make_plan, fake_stripe, send_webhook
):
    komi = make_tenant("komi")
    admin = billing_user("center_admin", komi)
    plan = _plan(make_plan)
    _link(komi, "cus_komi")
    fake_stripe.set_subscription("sub_1", "cus_komi", "active", "price_pro_y", period_days=365)

    # The update arrives before the create, and the create's payload is older ("incomplete").
    updated = {"id": "sub_1", "object": "subscription", "customer": "cus_komi", "status": "active"}
    created = {"id": "sub_1", "object": "subscription", "customer": "cus_komi", "status": "incomplete"}
    assert send_webhook("customer.subscription.updated", updated).json["outcome"] == "applied"
    assert send_webhook("customer.subscription.created", created).json["outcome"] == "applied"
    sub = billing.get_subscription(komi.id)
    assert (sub.status, sub.plan_id, sub.interval, sub.provider) == ("active", plan.id, "year", "stripe")
    assert sub.current_period_end is not None

    # A failed renewal, then a late "active" update from before it: the re-read keeps past due.
    fake_stripe.set_subscription("sub_1", "cus_komi", "past_due", "price_pro_y")
    invoice = {
        "id": "in_1",
        "object": "invoice",
        "customer": "cus_komi",
        "parent": {"subscription_details": {"subscription": "sub_1"}},
    }
    send_webhook("invoice.payment_failed", invoice)
    send_webhook("customer.subscription.updated", updated)
    sub = billing.get_subscription(komi.id)
    assert sub.status == "past_due" and sub.past_due_since is not None
    [mail] = db.session.scalars(sa.select(OutboxMessage)).all()  # once, not for the late duplicate news
    assert mail.recipient == admin.email and "ЦКР komi" in mail.subject
    assert "/komi/staff/billing/" in mail.body_text and "только для чтения" in mail.body_text

    # Payment arrives: active again, grace cleared.
    fake_stripe.set_subscription("sub_1", "cus_komi", "active", "price_pro_y")
    send_webhook("invoice.paid", invoice)
    sub = billing.get_subscription(komi.id)
    assert sub.status == "active" and sub.past_due_since is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 2


def test_unknown_customer_is_ignored_even_with_a_tenant_in_metadata(
    make_tenant, make_plan, fake_stripe, send_webhook
):
    komi = make_tenant("komi")
    _plan(make_plan)
    fake_stripe.set_subscription("sub_x", "cus_stranger", "active", "price_pro_m")
    obj = {
        "id": "sub_x",
        "object": "subscription",
        "customer": "cus_stranger",
        "status": "active",
        "metadata": {"tenant_id": str(komi.id)},
    }
    response = send_webhook("customer.subscription.created", obj)
    assert response.status_code == 200 and response.json["outcome"] == "unknown_customer"
    assert billing.get_subscription(komi.id) is None
    assert fake_stripe.calls_to("/v1/subscriptions/sub_x", "get") == []


def test_metadata_never_chooses_the_tenant(make_tenant, make_plan, fake_stripe, send_webhook):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    _plan(make_plan)
    _link(tatarstan, "cus_tatarstan")
    fake_stripe.set_subscription("sub_t", "cus_tatarstan", "active", "price_pro_m")
    obj = {
        "id": "cs_1",
        "object": "checkout.session",
        "customer": "cus_tatarstan",
        "subscription": "sub_t",
        "client_reference_id": str(komi.id),
        "metadata": {"tenant_id": str(komi.id)},
    }
    assert send_webhook("checkout.session.completed", obj).json["outcome"] == "applied"
    assert billing.get_subscription(komi.id) is None
    assert billing.get_subscription(tatarstan.id).status == "active"


def test_a_subscription_of_another_customer_is_not_linked(make_tenant, make_plan, fake_stripe, send_webhook):
    komi = make_tenant("komi")
    _plan(make_plan)
    _link(komi, "cus_komi")
    fake_stripe.set_subscription("sub_other", "cus_other", "active", "price_pro_m")
    obj = {"id": "cs_1", "object": "checkout.session", "customer": "cus_komi", "subscription": "sub_other"}
    assert send_webhook("checkout.session.completed", obj).json["outcome"] == "customer_mismatch"
    assert billing.get_subscription(komi.id) is None


def test_changing_plan_through_checkout_cancels_the_previous_subscription(
    make_tenant, make_plan, fake_stripe, send_webhook
):
    komi = make_tenant("komi")
    _plan(make_plan)
    big = make_plan("max", stripe_price_month="price_max_m")
    _link(komi, "cus_komi", "sub_old")
    fake_stripe.set_subscription("sub_old", "cus_komi", "active", "price_pro_m")
    fake_stripe.set_subscription("sub_new", "cus_komi", "active", "price_max_m")
    obj = {"id": "cs_2", "object": "checkout.session", "customer": "cus_komi", "subscription": "sub_new"}
    assert send_webhook("checkout.session.completed", obj).json["outcome"] == "applied"
    [cancel] = fake_stripe.calls_to("/v1/subscriptions/sub_old", "delete")
    assert cancel["headers"]["Idempotency-Key"] == "clusterhub-replace-sub_old"
    assert billing.get_subscription(komi.id).plan_id == big.id
    # The old subscription's late cancellation notice does not cancel the center.
    deleted = {"id": "sub_old", "object": "subscription", "customer": "cus_komi", "status": "canceled"}
    assert send_webhook("customer.subscription.deleted", deleted).json["outcome"] == "stale_subscription"
    assert billing.get_subscription(komi.id).status == "active"


def test_keys_are_never_logged(
    caplog, monkeypatch, client, login, make_tenant, billing_user, make_plan, fake_stripe, send_webhook
):
    # Alembic's logging set-up during the test database's migration disables existing loggers.
    for name in ("clusterhub.billing.providers.stripe.views", "clusterhub.billing.providers.stripe.services"):
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)
    caplog.set_level(logging.DEBUG)
    komi = make_tenant("komi")
    plan = _plan(make_plan)
    login(billing_user("center_admin", komi))
    client.post(
        "/komi/staff/billing/stripe/checkout", data={"plan_id": plan.id, "interval": "month", "attempt": "a"}
    )
    send_webhook(
        "customer.subscription.updated", {"id": "sub_1", "object": "subscription", "customer": "cus_nobody"}
    )
    send_webhook("customer.subscription.updated", {"id": "sub_1", "customer": "c"}, secret="whsec_bad")
    assert caplog.records  # something was logged, and none of it is a secret
    assert STRIPE_KEY not in caplog.text and WEBHOOK_SECRET not in caplog.text


def test_the_webhook_needs_no_csrf_token_but_pages_do(
    app, monkeypatch, client, login, make_tenant, billing_user, make_plan, fake_stripe, send_webhook
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    make_tenant("komi")
    obj = {"id": "sub_1", "object": "subscription", "customer": "cus_nobody", "status": "active"}
    assert send_webhook("customer.subscription.updated", obj).status_code == 200
    assert client.post("/komi/staff/billing/stripe/portal").status_code == 400
