"""Plans, limits and the lapse policy: what centers, staff, the platform admin and the federal analyst see."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from clusterhub.billing import services as billing
from clusterhub.billing.models import Plan
from clusterhub.billing.providers.invoice.models import Invoice
from clusterhub.core.refusal import Refusal
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope
from tests.fixtures.billing import BUYER_REQUISITES


def test_without_a_provider_everything_works_and_the_page_says_so(
    client, login, make_tenant, billing_user, make_plan, subscribe, english_request
):
    komi = make_tenant("komi")
    plan = make_plan(staff_seats=1)
    subscribe(komi, plan, "past_due", past_due_days=100)
    assert not billing.billing_enabled()
    assert not billing.is_read_only(komi.id)
    billing.check_limit(komi, "staff_seats", 50)  # no exception
    login(billing_user("center_admin", komi))
    page = client.get("/komi/staff/billing/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Billing is not configured" in page
    response = client.post("/komi/staff/members", data={"email": "new@example.com", "role": "center_staff"})
    assert response.status_code == 302


def test_a_reached_limit_names_the_plan_and_the_billing_page(
    make_tenant, billing_user, make_plan, subscribe, invoice_billing, english_request
):
    komi = make_tenant("komi")
    plan = make_plan(name_en="Start", staff_seats=2)
    subscribe(komi, plan)
    billing_user("center_admin", komi)
    billing.check_staff_seat(komi)  # one seat of two in use
    billing_user("expert", komi)  # experts take no seat
    billing_user("center_staff", komi)
    assert billing.staff_seats_in_use(komi) == 2
    with pytest.raises(billing.LimitReached) as caught:
        billing.check_staff_seat(komi)
    message = str(caught.value)
    assert "Start" in message and "(staff seats: 2)" in message and "Nothing has been removed" in message
    assert caught.value.upgrade_url == "/komi/staff/billing/" and caught.value.upgrade_url in message
    # An unlimited plan, or a bigger one, lets the center go on.
    plan.staff_seats = None
    db.session.commit()
    billing.check_staff_seat(komi)
    with pytest.raises(KeyError):
        billing.check_limit(komi, "no_such_limit", 1)


def test_the_limit_message_is_translated(app, make_tenant, make_plan, subscribe, invoice_billing):
    komi = make_tenant("komi")
    subscribe(komi, make_plan(name_ru="Старт", technoparks=1))
    with (
        app.test_request_context("/", headers={"Accept-Language": "ru"}),
        pytest.raises(billing.LimitReached) as caught,
    ):
        billing.check_limit(komi, "technoparks", 1)
    assert str(caught.value).startswith("Достигнут лимит тарифа «Старт» (технопарки: 1)")
    assert "/komi/staff/billing/" in str(caught.value)


def test_lapse_makes_the_staff_area_read_only_and_payment_restores_it(
    app, client, login, make_tenant, billing_user, make_plan, subscribe, invoice_billing, monkeypatch
):
    monkeypatch.setitem(app.config, "BILLING_GRACE_DAYS", 10)
    komi = make_tenant("komi")
    plan = make_plan()
    subscribe(komi, plan, "past_due", provider="invoice", past_due_days=3, period_days=-3)
    login(billing_user("center_admin", komi))
    invite = {"email": "one@example.com", "role": "center_staff"}
    # Within the grace period: still writable, with a warning.
    assert client.post("/komi/staff/members", data=invite).status_code == 302
    page = client.get("/komi/staff/billing/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "becomes read-only on" in page

    with tenant_scope(db.session, komi.id):
        sub = billing.get_subscription(komi.id)
        sub.past_due_since = sub.past_due_since - timedelta(days=10)
        db.session.commit()
    assert "Read-only until the payment arrives" in client.get(
        "/komi/staff/", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    refused = client.post(
        "/komi/staff/members", data={**invite, "email": "two@example.com"}, headers={"Accept-Language": "en"}
    )
    assert refused.status_code == 402
    assert "read-only" in refused.get_data(as_text=True) and "nothing has been deleted" in refused.get_data(
        as_text=True
    )
    # Reading, the public page, the federal layer and paying keep working.
    assert client.get("/komi/staff/members").status_code == 200
    assert client.get("/komi/").status_code == 200
    assert client.post("/komi/staff/billing/requisites", data=BUYER_REQUISITES).status_code == 302
    assert (
        client.post(
            "/komi/staff/billing/invoices/new", data={"plan_id": plan.id, "interval": "month"}
        ).status_code
        == 302
    )

    # The platform admin records the bank payment: writable again at once.
    client.post("/logout")
    login(billing_user("platform_admin"))
    with tenant_scope(db.session, komi.id):
        invoice_id = db.session.scalar(sa.select(Invoice.id))
    today = date.today().isoformat()
    paid = client.post(
        f"/admin/billing/centers/{komi.id}/invoices/{invoice_id}/payment",
        data={"amount": "12000", "paid_on": today, "order_number": "301"},
    )
    assert paid.status_code == 302
    client.post("/logout")
    login(billing_user("center_admin", komi))
    assert (
        client.post("/komi/staff/members", data={**invite, "email": "three@example.com"}).status_code == 302
    )


def test_federal_layer_works_while_a_center_is_read_only(
    client, login, make_tenant, billing_user, make_plan, subscribe, invoice_billing
):
    komi = make_tenant("komi")
    subscribe(komi, make_plan(), "cancelled", period_days=-1)
    assert billing.is_read_only(komi.id)
    login(billing_user("federal_analyst"))
    assert client.get("/federal/").status_code == 200


def test_invoice_periods_that_end_unpaid_become_past_due(
    app, make_tenant, make_plan, subscribe, invoice_billing
):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    plan = make_plan()
    subscribe(komi, plan, provider="invoice", period_days=-1)
    subscribe(tatarstan, plan, provider="invoice", period_days=5)
    mordovia = make_tenant("mordovia")
    subscribe(mordovia, plan, "trialing", period_days=-2)  # a trial that ended without payment
    result = app.test_cli_runner().invoke(args=["billing", "mark-past-due"])
    assert result.exit_code == 0 and "2 subscription(s)" in result.output
    assert billing.get_subscription(mordovia.id).status == "past_due"
    db.session.expire_all()
    assert billing.get_subscription(komi.id).status == "past_due"
    assert billing.get_subscription(tatarstan.id).status == "active"
    assert not billing.is_read_only(komi.id)  # the grace period has just begun


def test_platform_admin_edits_plans_and_subscriptions(client, login, make_tenant, billing_user, make_plan):
    komi = make_tenant("komi")
    login(billing_user("platform_admin"))
    form = {
        "code": "Standard",
        "name_ru": "Стандарт",
        "name_en": "Standard",
        "currency": "rub",
        "price_month": "1500000",
        "price_year": "15000000",
        "staff_seats": "10",
        "sessions_per_year": "",
        "api_access": "y",
        "active": "y",
    }
    assert client.post("/admin/billing/plans/new", data=form).status_code == 302
    plan = db.session.scalar(sa.select(Plan))
    assert (plan.code, plan.currency, plan.staff_seats, plan.sessions_per_year) == (
        "standard",
        "RUB",
        10,
        None,
    )
    duplicate = client.post("/admin/billing/plans/new", data=form, headers={"Accept-Language": "en"})
    assert "already exists" in duplicate.get_data(as_text=True)
    assert (
        client.post(f"/admin/billing/plans/{plan.id}/edit", data={**form, "staff_seats": "12"}).status_code
        == 302
    )
    db.session.refresh(plan)
    assert plan.staff_seats == 12
    assert "Стандарт" in client.get("/admin/billing/plans/").get_data(as_text=True)

    response = client.post(
        f"/admin/billing/centers/{komi.id}",
        data={"plan_id": plan.id, "status": "trialing", "interval": "month", "period_end": "2027-01-31"},
    )
    assert response.status_code == 302
    sub = billing.get_subscription(komi.id)
    assert (sub.status, sub.plan_id, sub.provider) == ("trialing", plan.id, "manual")
    assert str(sub.current_period_end.date()) == "2027-01-31"
    assert "CDC komi" in client.get("/admin/billing/centers/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/admin/billing/plans/new"),
        ("get", "/admin/billing/centers/"),
        ("post", "/komi/staff/billing/requisites"),
        ("post", "/komi/staff/billing/invoices/new"),
        ("post", "/komi/staff/billing/stripe/checkout"),
        ("post", "/komi/staff/billing/stripe/portal"),
    ],
)
def test_a_federal_analyst_cannot_change_billing(
    client, login, make_tenant, billing_user, make_plan, method, url
):
    komi = make_tenant("komi")
    plan = make_plan()
    login(billing_user("federal_analyst"))
    response = getattr(client, method)(
        url.replace("{komi}", str(komi.id)), data={"plan_id": plan.id, "code": "x"}
    )
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Plan)) == 1


def test_center_staff_cannot_see_billing(client, login, make_tenant, billing_user):
    komi = make_tenant("komi")
    login(billing_user("center_staff", komi))
    assert client.get("/komi/staff/billing/").status_code == 403
    assert client.get("/admin/billing/plans/").status_code == 403


def test_billing_pages_render_with_both_providers(
    client, login, make_tenant, billing_user, make_plan, subscribe, invoice_billing, fake_stripe
):
    komi = make_tenant("komi")
    plan = make_plan(name_en="Standard", staff_seats=5, stripe_price_month="price_std_m")
    subscribe(komi, plan)
    login(billing_user("center_admin", komi))
    english = {"Accept-Language": "en"}
    page = client.get("/komi/staff/billing/", headers=english).get_data(as_text=True)
    assert "Pay by card" in page and "Subscribe or change plan" in page
    assert "Pay by invoice (bank transfer)" in page and "Fill in the requisites" in page
    assert "in use: 1" in page and "Standard" in page
    assert "Billing is not configured" not in page
    assert client.get("/komi/staff/billing/requisites").status_code == 200
    staff_home = client.get("/komi/staff/", headers=english).get_data(as_text=True)
    assert "Standard" in staff_home and "Active" in staff_home
    client.post("/logout")
    login(billing_user("platform_admin"))
    assert client.get("/admin/billing/plans/new").status_code == 200
    assert client.get(f"/admin/billing/plans/{plan.id}/edit").status_code == 200
    assert "Standard" in client.get(f"/admin/billing/centers/{komi.id}", headers=english).get_data(
        as_text=True
    )


def test_tenant_api_needs_a_plan_with_api_access(app, make_tenant, make_plan, subscribe, invoice_billing):
    from flask import g

    from clusterhub.billing.views import refuse_api_outside_the_plan, refuse_writes_when_lapsed

    komi = make_tenant("komi")
    subscribe(komi, make_plan(name_en="Basic", api_access=False))
    with app.test_request_context("/api/v1/tenants/komi/events", headers={"Accept-Language": "en"}):
        g.tenant = komi
        response, status = refuse_api_outside_the_plan()
        assert status == 402 and "Basic plan does not include API access" in response.json["error"]["message"]
    with app.test_request_context("/komi/staff/", headers={"Accept-Language": "en"}):
        g.tenant = komi
        assert refuse_api_outside_the_plan() is None  # pages are not the API
    subscribe(komi, make_plan(name_en="Pro", api_access=True))
    with app.test_request_context("/api/v1/tenants/komi/events", method="POST"):
        g.tenant = komi
        assert refuse_api_outside_the_plan() is None
        assert refuse_writes_when_lapsed(komi) is None
    # A lapsed center's API refuses writes with JSON.
    subscribe(komi, make_plan(name_en="Pro2"), "cancelled", period_days=-1)
    with app.test_request_context(
        "/api/v1/tenants/komi/events", method="POST", headers={"Accept-Language": "en"}
    ):
        g.tenant = komi
        response, status = refuse_writes_when_lapsed(komi)
        assert status == 402 and "read-only" in response.json["error"]["message"]


def test_the_plans_session_and_technopark_limits_are_enforced_by_the_modules(
    make_tenant, make_plan, subscribe, invoice_billing, english_request, make_event, make_technopark
):
    from clusterhub.events.models import EventStatus
    from clusterhub.events.services.events import set_status
    from clusterhub.technoparks.services import technoparks

    komi = make_tenant("komi")
    subscribe(komi, make_plan(sessions_per_year=1, technoparks=1))
    make_event(komi)  # published: the one session of the year
    draft = make_event(komi, publish=False)
    make_technopark(komi)
    with tenant_scope(db.session, komi.id):
        with pytest.raises(Refusal, match="limit"):
            set_status(db.session.get(type(draft), draft.id), EventStatus.PUBLISHED)
        db.session.rollback()
        with pytest.raises(Refusal, match="limit"):
            technoparks.create_technopark(
                {"name_ru": "Второй", "kind": "industrial", "region_id": komi.region_id}
            )
        db.session.rollback()


def test_the_plans_storage_limit_refuses_an_upload_that_would_pass_it(
    make_tenant, make_plan, subscribe, invoice_billing, english_request, make_project
):
    import io

    from clusterhub.projects.models import JointProject
    from clusterhub.projects.services import documents

    komi = make_tenant("komi")
    subscribe(komi, make_plan(storage_mb=1))
    project_id = make_project(komi)
    pdf = b"%PDF-1.7\n" + b"0" * 600_000
    with tenant_scope(db.session, komi.id):
        project = db.session.get(JointProject, project_id)
        documents.add_document(project, "business_plan", io.BytesIO(pdf), "plan.pdf")
        with pytest.raises(Refusal, match="limit"):
            documents.add_document(project, "presentation", io.BytesIO(pdf), "slides.pdf")


def test_storage_counts_every_kind_of_upload_of_the_center(
    make_tenant, make_plan, subscribe, invoice_billing, english_request, make_project, make_technopark
):
    import io

    from clusterhub.projects.models import JointProject
    from clusterhub.projects.services import documents
    from clusterhub.technoparks.services import attachments

    komi = make_tenant("komi")
    subscribe(komi, make_plan(storage_mb=1))
    project_id = make_project(komi)
    park = make_technopark(komi)
    with tenant_scope(db.session, komi.id):
        documents.add_document(
            db.session.get(JointProject, project_id),
            "business_plan",
            io.BytesIO(b"%PDF-1.7\n" + b"0" * 600_000),
            "plan.pdf",
        )
        assert billing.storage_in_use(komi) > 600_000
        with pytest.raises(Refusal, match="limit"):
            attachments.add_photo(park, io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 600_000), "photo.png")


def tenant_permission_writes(app):
    """Every (URL, method) that changes data and needs a permission a center's role can hold."""
    from clusterhub.core.access import is_tenant_permission

    for rule in app.url_map.iter_rules():
        access = getattr(app.view_functions[rule.endpoint], "access_rule", None)
        if not access or access[0] != "permissions" or not any(is_tenant_permission(p) for p in access[1:]):
            continue
        if "tenant" not in rule.arguments:
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<{argument}>", "komi" if argument == "tenant" else "1")
            url = url.replace(f"<int:{argument}>", "1")
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            yield rule.endpoint, url, method


def test_a_lapsed_center_refuses_every_write_that_needs_a_tenant_permission(
    app, client, login, make_tenant, billing_user, make_plan, subscribe, invoice_billing, monkeypatch
):
    from clusterhub.accounts.models import TenantRole
    from clusterhub.accounts.services.api_tokens import create_api_token
    from clusterhub.core import access

    # One role holding every tenant permission, so that no route stops at 403 before the lapse rule.
    every_tenant_permission = set().union(*access.TENANT_ROLE_PERMISSIONS.values())
    monkeypatch.setitem(access.TENANT_ROLE_PERMISSIONS, TenantRole.CENTER_ADMIN, every_tenant_permission)
    komi = make_tenant("komi")
    subscribe(komi, make_plan(), "cancelled", period_days=-1)
    admin = billing_user("center_admin", komi)
    _token, secret = create_api_token(admin, "probe")
    db.session.commit()
    login(admin)
    writes = list(tenant_permission_writes(app))
    assert {"clusters.new", "tenancy.members"} <= {endpoint for endpoint, _url, _method in writes}
    for endpoint, url, method in writes:
        headers = {"Accept-Language": "en"}
        if url.startswith("/api/"):
            headers["Authorization"] = f"Bearer {secret}"
        response = client.open(url, method=method, data={}, headers=headers)
        if endpoint.split(".")[0] in {"billing", "billing_stripe", "billing_invoice"}:
            assert response.status_code != 402, f"{method} {url}: paying stays possible"
        else:
            assert response.status_code == 402, f"{method} {url} -> {response.status_code}"
            assert "read-only" in response.get_data(as_text=True), url
    # Reading stays possible, and so does a public form that needs no center permission.
    assert client.get("/komi/clusters/").status_code == 200
