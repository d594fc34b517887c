"""Who reaches what: every endpoint declares its rule, each role reaches exactly its pages, anonymous
users are sent to log in, and a federal analyst cannot change anything."""

import pytest

from clusterhub.core.access import PUBLIC_ENDPOINTS


def test_every_endpoint_declares_who_may_use_it(app):
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in PUBLIC_ENDPOINTS and getattr(view, "access_rule", None) is None
    ]
    assert undeclared == []


def test_an_undeclared_endpoint_is_refused(app, tmp_path):
    from clusterhub import create_app

    fresh = create_app(
        {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": app.config["DATABASE_URL"], "TESTING": True}
    )
    fresh.add_url_rule("/__undeclared_probe", "undeclared_probe", lambda: "secret")
    assert fresh.test_client().get("/__undeclared_probe").status_code == 403


PAGES = {
    "home": "/",
    "center": "/komi/",
    "staff": "/komi/staff/",
    "members": "/komi/staff/members",
    "audit": "/komi/staff/audit",
    "admin_tenants": "/admin/tenants/",
    "federal": "/federal/",
    "account": "/account",
}
REACHES = {
    "anonymous": {"home", "center"},
    "plain": {"home", "center", "account"},
    "expert": {"home", "center", "account"},
    "center_staff": {"home", "center", "account", "staff"},
    "center_admin": {"home", "center", "account", "staff", "members", "audit"},
    "federal_analyst": {"home", "center", "account", "federal"},
    "federal_reviewer": {"home", "center", "account", "federal"},
    "platform_admin": set(PAGES),
}


@pytest.mark.parametrize("role", list(REACHES))
def test_each_role_reaches_exactly_its_pages(role, client, make_tenant, make_user, login):
    komi = make_tenant("komi")
    if role != "anonymous":
        login(make_user(None if role == "plain" else role, tenant=komi))
    reached = set()
    for name, url in PAGES.items():
        response = client.get(url)
        if response.status_code == 200:
            reached.add(name)
        elif role == "anonymous":
            assert response.status_code == 302 and "/login" in response.headers["Location"], url
        else:
            assert response.status_code == 403, f"{url}: {response.status_code}"
    assert reached == REACHES[role]


def test_a_member_of_another_center_does_not_reach_this_centers_staff_area(
    client, make_tenant, make_user, login
):
    make_tenant("komi")
    login(make_user("center_admin", tenant=make_tenant("tatarstan")))
    assert client.get("/komi/staff/").status_code == 403
    assert client.get("/tatarstan/staff/").status_code == 200


def mutating_routes(app):
    """Routes that change data, public forms included (registering for a session, taking a seat); those
    marked ``personal`` (a user's own profile, language, tokens, saved exports, and the report review that
    has its own permission) are the declared exceptions."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        if getattr(app.view_functions[rule.endpoint], "personal", False):
            continue
        methods = rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
        if methods:
            yield rule, methods


def test_personal_routes_are_few_and_named(app):
    personal = sorted(e for e, v in app.view_functions.items() if getattr(v, "personal", False))
    assert personal == [
        "accounts.api_tokens",
        "accounts.logout",
        "accounts.password",
        "accounts.profile",
        "accounts.revoke_token",
        "core.switch_language",
        "privacy.mail_consent",  # federal staff have personal-data rights too (152-ФЗ)
        "privacy.request_erasure",
        "reporting.report_detail",
        "reporting.save_preset",
        "reporting_api.accept_report",
        "reporting_api.return_report",
    ]


@pytest.mark.parametrize("role", ["federal_analyst", "federal_reviewer"])
def test_a_federal_role_gets_403_on_every_mutating_route(role, app, client, make_tenant, make_user, login):
    from clusterhub.accounts.services.api_tokens import create_api_token
    from clusterhub.extensions import db

    make_tenant("komi")
    user = make_user(role)
    _token, secret = create_api_token(user, "probe")
    db.session.commit()
    login(user)
    routes = list(mutating_routes(app))
    assert {"events.register", "events.ticket"} <= {rule.endpoint for rule, _methods in routes}
    for rule, methods in routes:
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<{argument}>", "komi" if argument == "tenant" else "1")
            url = url.replace(f"<int:{argument}>", "1")
        for method in methods:
            headers = {"Authorization": f"Bearer {secret}"} if url.startswith("/api/") else {}
            response = client.open(url, method=method, data={}, headers=headers)
            assert response.status_code == 403, f"{method} {url} -> {response.status_code}"


@pytest.mark.parametrize("role", ["federal_analyst", "federal_reviewer"])
def test_a_federal_role_cannot_register_for_a_session_through_the_public_form(
    role, client, make_event, make_user, login
):
    import sqlalchemy as sa

    from clusterhub.events.models import Registration
    from clusterhub.extensions import db
    from clusterhub.tenancy.scoping import tenant_scope
    from tests.fixtures.events import region_id

    event = make_event(capacity=5)
    event_id, tenant_id = event.id, event.tenant_id
    login(make_user(role))
    form = {
        "full_name": "Аналитик Федеральный",
        "email": "analyst@example.test",
        "category": "expert",
        "region_id": region_id("77"),
        "organisation": "Минпромторг",
        "position_title": "Аналитик",
        "consent": "y",
    }
    assert client.get(f"/komi/events/{event_id}/register").status_code == 200  # reading stays possible
    assert client.post(f"/komi/events/{event_id}/register", data=form).status_code == 403
    with tenant_scope(db.session, tenant_id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
    client.post("/logout")
    # The same form from an ordinary visitor is accepted, so the 403 is the federal rule.
    assert client.post(f"/komi/events/{event_id}/register", data=form).status_code == 302
