"""API tokens: a center's own tokens with scopes and an expiry, personal tokens read-only and expiring,
every call audited with the token's label, rate limits announced in headers."""

import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from clusterhub.accounts.services.api_tokens import create_api_token
from clusterhub.audit.models import AuditEntry
from clusterhub.core.refusal import Refusal
from clusterhub.events.models import Event
from clusterhub.events.services import registration as registration_services
from clusterhub.events.services.agenda import save_agenda_item
from clusterhub.extensions import db
from clusterhub.tenancy.models import utcnow
from clusterhub.tenancy.scoping import tenant_scope
from clusterhub.tokens import scopes
from clusterhub.tokens import services as tokens
from clusterhub.tokens.models import CenterApiToken

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def issue(tenant, *scope_list, label="CRM", expires_on=None, actor=None):
    with tenant_scope(db.session, tenant.id):
        token, secret = tokens.create_center_token(label, scope_list, expires_on, actor)
        db.session.commit()
        return token.id, secret


def bearer(secret):
    return {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}


@pytest.fixture
def komi_event(make_tenant, make_event, person, request_context):
    tenant = make_tenant("komi")
    event = make_event(tenant)
    with tenant_scope(db.session, tenant.id):
        event = db.session.get(Event, event.id)
        day = event.start_date
        item = save_agenda_item(
            event,
            {
                "title_ru": "Визит",
                "kind": "site_visit",
                "starts_at": datetime(day.year, day.month, day.day, 10),
                "ends_at": datetime(day.year, day.month, day.day, 11),
                "site_address_ru": "пр. Бумажников, 2",
                "seat_limit": 5,
            },
        )
        registration = registration_services.register(event, person())
        db.session.commit()
        return {"event": event.id, "item": item.id, "registration": registration.id, "tenant": tenant}


def roster_url(ids):
    return f"/api/v1/tenants/komi/events/{ids['event']}/agenda/{ids['item']}/roster"


def test_a_center_token_reads_its_center_and_writes_only_its_scopes(client, komi_event):
    _id, read_only = issue(komi_event["tenant"])
    _id, clusters_only = issue(komi_event["tenant"], "clusters:write")
    _id, events_writer = issue(komi_event["tenant"], "events:write")
    url = roster_url(komi_event)

    assert client.get(url, headers=bearer(read_only)).status_code == 200
    refused = client.post(
        url, json={"registration_id": komi_event["registration"]}, headers=bearer(read_only)
    )
    assert refused.status_code == 403
    assert "read-only" in refused.get_json()["error"]["detail"]
    wrong_area = client.post(
        url, json={"registration_id": komi_event["registration"]}, headers=bearer(clusters_only)
    )
    assert wrong_area.status_code == 403
    assert "events:write" in wrong_area.get_json()["error"]["detail"]
    done = client.post(
        url, json={"registration_id": komi_event["registration"]}, headers=bearer(events_writer)
    )
    assert done.status_code == 201
    assert [p["registration_id"] for p in done.get_json()["seated"]] == [komi_event["registration"]]


def test_a_center_token_is_not_a_person_and_not_the_federal_layer(client, komi_event):
    _id, secret = issue(komi_event["tenant"], *scopes.SCOPES)
    me = client.get("/api/v1/me", headers=bearer(secret))
    assert me.status_code == 403
    assert "personal token" in me.get_json()["error"]["detail"]
    register = client.post(
        f"/api/v1/tenants/komi/events/{komi_event['event']}/registrations", json={}, headers=bearer(secret)
    )
    assert register.status_code == 403
    assert client.get("/api/v1/federal/indicators", headers=bearer(secret)).status_code in (403, 404)


def test_a_token_used_at_another_center_answers_404(client, komi_event, make_tenant, make_event):
    other = make_tenant("tatarstan")
    make_event(other)
    _id, secret = issue(komi_event["tenant"], *scopes.SCOPES)
    assert client.get("/api/v1/tenants/tatarstan/events", headers=bearer(secret)).status_code == 404
    assert (
        client.get(roster_url(komi_event).replace("komi", "tatarstan"), headers=bearer(secret)).status_code
        == 404
    )
    assert client.get("/api/v1/tenants/komi/events", headers=bearer(secret)).status_code == 200


def test_expired_and_revoked_tokens_answer_401_on_the_very_next_request(client, komi_event, make_user, login):
    tenant = komi_event["tenant"]
    url = roster_url(komi_event)
    token_id, secret = issue(tenant)
    assert client.get(url, headers=bearer(secret)).status_code == 200
    with tenant_scope(db.session, tenant.id):
        db.session.get(CenterApiToken, token_id).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    expired = client.get(url, headers=bearer(secret))
    assert expired.status_code == 401
    assert expired.headers["WWW-Authenticate"].startswith("Bearer")
    # A public endpoint refuses an invalid token too, rather than answering as to an anonymous visitor.
    assert client.get("/api/v1/tenants/komi/events", headers=bearer(secret)).status_code == 401

    token_id, secret = issue(tenant)
    assert client.get(url, headers=bearer(secret)).status_code == 200
    login(make_user("center_admin", tenant=tenant))
    page = client.post(f"/komi/staff/api-tokens/{token_id}/revoke", data={})
    assert page.status_code == 303
    assert client.get(url, headers=bearer(secret)).status_code == 401


def test_personal_tokens_can_be_read_only_and_expire_within_a_year(
    client, komi_event, make_user, request_context
):
    staff = make_user("center_staff", tenant=komi_event["tenant"])
    _row, read_only = create_api_token(staff, "phone", read_only=True)
    _row, writer = create_api_token(staff, "laptop", expires_on=date.today() + timedelta(days=30))
    db.session.commit()
    url = roster_url(komi_event)
    body = {"registration_id": komi_event["registration"]}
    assert client.get(url, headers=bearer(read_only)).status_code == 200
    refused = client.post(url, json=body, headers=bearer(read_only))
    assert refused.status_code == 403 and "read-only" in refused.get_json()["error"]["detail"]
    assert client.post(url, json=body, headers=bearer(writer)).status_code == 201

    with pytest.raises(Refusal, match="не больше одного года"):
        create_api_token(staff, "forever", expires_on=date.today() + timedelta(days=400))
    with pytest.raises(Refusal, match="в будущем"):
        create_api_token(staff, "yesterday", expires_on=date.today() - timedelta(days=1))


def _fill(rule) -> str:
    def value(match):
        converter, name = match.group(1), match.group(2)
        if name == "tenant":
            return "komi"
        return "1" if converter in ("int", "float") else "x"

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", value, rule.rule)


def _write_operations(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        for method in sorted((rule.methods or set()) & WRITE_METHODS):
            yield rule, method, app.view_functions[rule.endpoint]


def test_no_write_operation_of_the_api_accepts_a_read_only_token(app, client, make_tenant, make_user):
    """Enumerated from the URL map: a write operation added later is covered without editing this test."""
    tenant = make_tenant("komi")
    _id, center_read_only = issue(tenant)
    admin = make_user("center_admin", tenant=tenant)
    _row, personal_read_only = create_api_token(admin, "read", read_only=True)
    db.session.commit()
    operations = list(_write_operations(app))
    assert len(operations) >= 3
    for rule, method, _view in operations:
        for secret in (center_read_only, personal_read_only):
            response = client.open(_fill(rule), method=method, json={}, headers=bearer(secret))
            assert response.status_code == 403, (method, rule.rule, response.status_code)


def test_a_center_token_writes_nowhere_outside_its_write_scopes(app, client, make_tenant):
    """For every write operation that needs permissions: a token with every write scope but the area of
    those permissions is refused, and a token with that scope gets past the scope check."""
    tenant = make_tenant("komi")
    checked = 0
    for rule, method, view in _write_operations(app):
        kind, *needed = getattr(view, "access_rule", ("none",))
        if kind != "permissions":
            continue
        areas = {scopes.area_of(p) for p in needed}
        others = [scopes.write_scope(a) for a in scopes.AREAS if a not in areas]
        _id, without = issue(tenant, *others)
        response = client.open(_fill(rule), method=method, json={}, headers=bearer(without))
        assert response.status_code == 403, (method, rule.rule, response.status_code)
        if areas <= set(scopes.AREAS):
            _id, with_scope = issue(tenant, *(scopes.write_scope(a) for a in areas))
            allowed = client.open(_fill(rule), method=method, json={}, headers=bearer(with_scope))
            assert allowed.status_code != 403 or "scope" not in allowed.get_data(as_text=True), rule.rule
        checked += 1
    assert checked >= 3


def test_every_permission_maps_to_an_area_and_tokens_never_manage_people_or_billing():
    from clusterhub.core.access import Permission
    from clusterhub.tokens.services import center_token_permissions

    granted = center_token_permissions()
    assert Permission.MANAGE_MEMBERS not in granted and Permission.VIEW_AUDIT not in granted
    assert "billing.manage" not in granted and "integrations.manage" not in granted
    assert scopes.area_of("events.check_in") == "events"
    assert scopes.area_of(Permission.SUBMIT_REPORTS) == "reports"


def test_every_call_with_a_token_is_in_the_audit_log_with_its_label(client, komi_event):
    tenant = komi_event["tenant"]
    _id, secret = issue(tenant, "events:write", label="CRM центра")
    url = roster_url(komi_event)
    for _ in range(3):  # reads: one entry per token per minute
        assert client.get(url, headers=bearer(secret)).status_code == 200
    assert (
        client.post(
            url, json={"registration_id": komi_event["registration"]}, headers=bearer(secret)
        ).status_code
        == 201
    )
    assert client.post(url, json={"registration_id": 999999}, headers=bearer(secret)).status_code in (
        404,
        422,
    )
    with tenant_scope(db.session, tenant.id):
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.tenant_id == tenant.id).order_by(AuditEntry.id)
        ).all()
    by_token = [e for e in entries if e.token_label and e.token_label.startswith("CRM центра (chubc_")]
    actions = [e.action for e in by_token]
    assert actions.count("api.read") == 1
    assert actions.count("api.write") == 2  # the refused write too
    assert "event.agenda_signup" in actions  # the service's own entry names the token
    assert all(e.actor_id is None for e in by_token)
    written = [e for e in by_token if e.action == "api.write"]
    assert {e.after["response"] for e in written} >= {201}
    assert written[0].after["path"] == url


def test_the_audit_page_names_the_token(client, komi_event, make_user, login):
    _id, secret = issue(komi_event["tenant"], "events:write", label="Scanner")
    client.post(
        roster_url(komi_event), json={"registration_id": komi_event["registration"]}, headers=bearer(secret)
    )
    login(make_user("center_admin", tenant=komi_event["tenant"]))
    page = client.get("/komi/staff/audit").get_data(as_text=True)
    assert "Scanner (chubc_" in page


def test_rate_limit_per_token_is_announced_and_enforced(app, client, komi_event):
    limit_before = app.config["API_TOKEN_RATE_LIMIT"]
    app.config["API_TOKEN_RATE_LIMIT"] = "3 per minute"
    try:
        _id, first = issue(komi_event["tenant"])
        _id, second = issue(komi_event["tenant"])
        url = "/api/v1/tenants/komi/events"
        remaining = []
        for _ in range(3):
            response = client.get(url, headers=bearer(first))
            assert response.status_code == 200
            assert response.headers["X-RateLimit-Limit"] == "3"
            assert int(response.headers["X-RateLimit-Reset"]) > 0
            remaining.append(int(response.headers["X-RateLimit-Remaining"]))
        assert remaining == [2, 1, 0]
        over = client.get(url, headers=bearer(first))
        assert over.status_code == 429
        assert 0 < int(over.headers["Retry-After"]) <= 61
        assert client.get(url, headers=bearer(second)).status_code == 200  # per token, not per client
    finally:
        app.config["API_TOKEN_RATE_LIMIT"] = limit_before


def test_center_admin_issues_sees_once_and_revokes_tokens_on_the_staff_page(
    client, make_tenant, make_user, login
):
    tenant = make_tenant("komi")
    login(make_user("center_admin", tenant=tenant))
    page = client.get("/komi/staff/api-tokens")
    assert page.status_code == 200
    expiry = (date.today() + timedelta(days=60)).isoformat()
    created = client.post(
        "/komi/staff/api-tokens",
        data={"label": "CRM", "scopes": ["events:write", "projects:write"], "expires_on": expiry},
    )
    text = created.get_data(as_text=True)
    secret = re.search(r"chubc_[\w-]+", text).group(0)
    assert "CRM" in text
    assert secret not in client.get("/komi/staff/api-tokens").get_data(as_text=True)  # shown once
    with tenant_scope(db.session, tenant.id):
        token = db.session.scalars(sa.select(CenterApiToken)).one()
        assert token.scopes == ["read", "events:write", "projects:write"]
        # the end of the chosen day in the center's time zone (Komi: UTC+3), stored in UTC
        assert token.expires_at.isoformat() == f"{expiry}T20:59:59"
        assert token.token_hash != secret and secret.startswith(token.prefix)
    too_long = client.post(
        "/komi/staff/api-tokens",
        data={"label": "Forever", "expires_on": (date.today() + timedelta(days=500)).isoformat()},
    )
    assert "не больше одного года" in too_long.get_data(as_text=True)


def test_only_a_center_admin_manages_tokens(client, make_tenant, make_user, login):
    tenant = make_tenant("komi")
    login(make_user("center_staff", tenant=tenant))
    assert client.get("/komi/staff/api-tokens").status_code == 403
    assert client.get("/komi/staff/webhooks").status_code == 403


def test_issuing_tokens_is_rate_limited_per_account(app, client, make_tenant, make_user, login):
    app.config["API_TOKEN_ISSUE_RATE_LIMIT"] = "2 per hour"
    try:
        tenant = make_tenant("komi")
        login(make_user("center_admin", tenant=tenant))
        data = {"label": "x", "expires_on": (date.today() + timedelta(days=10)).isoformat()}
        assert client.post("/komi/staff/api-tokens", data=data).status_code == 200
        assert client.post("/komi/staff/api-tokens", data=data).status_code == 200
        assert client.post("/komi/staff/api-tokens", data=data).status_code == 429
        assert (
            client.post("/account/tokens", data={"name": "y", "expires_on": data["expires_on"]}).status_code
            == 429
        )
    finally:
        app.config["API_TOKEN_ISSUE_RATE_LIMIT"] = "20 per hour"


def test_personal_token_page_issues_read_only_tokens_with_an_expiry(client, make_user, login):
    user = make_user()
    login(user)
    expiry = (date.today() + timedelta(days=10)).isoformat()
    page = client.post("/account/tokens", data={"name": "BI", "read_only": "y", "expires_on": expiry})
    assert re.search(r"chub_[\w-]+", page.get_data(as_text=True))
    from clusterhub.accounts.models import ApiToken

    token = db.session.scalars(sa.select(ApiToken)).one()
    assert token.read_only and token.expires_at.isoformat() == f"{expiry}T20:59:59"  # Moscow by default
