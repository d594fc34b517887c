"""Who reaches what: every endpoint declares its rule, each role reaches exactly its pages, anonymous
users are sent to log in, and a federal analyst cannot change anything."""

import pytest

from clusterhub.accounts.authz import PUBLIC_ENDPOINTS


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
    """Routes that change a tenant's or the platform's data (a user's own account is not among them)."""
    own_account = {
        "accounts.logout",
        "accounts.profile",
        "accounts.password",
        "accounts.api_tokens",
        "accounts.revoke_token",
        "core.switch_language",
        "accounts.login",
        "accounts.forgot_password",
        "accounts.reset_password",
        "accounts.accept_invitation",
    }
    for rule in app.url_map.iter_rules():
        if rule.endpoint in own_account or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "access_rule", ("public",))[0] == "public":
            continue
        methods = rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
        if methods:
            yield rule, methods


def test_a_federal_analyst_gets_403_on_every_mutating_route(app, client, make_tenant, make_user, login):
    from clusterhub.accounts.services import create_api_token
    from clusterhub.extensions import db

    make_tenant("komi")
    analyst = make_user("federal_analyst")
    login(analyst)
    _token, secret = create_api_token(analyst, "probe")  # the API takes tokens only, never the cookie
    db.session.commit()
    routes = list(mutating_routes(app))
    assert routes
    for rule, methods in routes:
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<{argument}>", "komi" if argument == "tenant" else "1")
            url = url.replace(f"<int:{argument}>", "1")
        for method in methods:
            headers = {"Authorization": f"Bearer {secret}"} if url.startswith("/api/") else {}
            response = client.open(url, method=method, data={}, headers=headers)
            assert response.status_code == 403, f"{method} {url} -> {response.status_code}"
