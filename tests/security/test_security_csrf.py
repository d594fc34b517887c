"""CSRF: every state-changing route of the application is listed from the URL map and must answer 400 to a
post without a valid token, so a new route is covered without anyone writing a test for it.

The only routes without a token are the JSON API, which ignores the session cookie (bearer tokens only,
so a forged cross-site request carries no credentials), and the Stripe webhook, which verifies Stripe's
signature instead."""

import pytest
from werkzeug.routing import IntegerConverter

CHANGING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# endpoint -> why it needs no CSRF token
EXEMPT_ENDPOINTS = {"billing_stripe.webhook": "authenticated by Stripe's signature on the body"}


def _changing_rules(app):
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & CHANGING_METHODS
        if methods and rule.endpoint != "static":
            yield rule, sorted(methods)[0]


def _url(app, rule) -> str:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif name in ("tenant", "slug"):
            values[name] = "komi"
        else:
            values[name] = "x"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_the_url_map_has_state_changing_routes(app):
    # a guard for the test below: an empty enumeration would prove nothing
    assert len([r for r, _m in _changing_rules(app) if not r.rule.startswith("/api/")]) > 100


def test_every_form_post_without_a_csrf_token_gets_400(app, make_tenant, make_user, csrf_enabled):
    make_tenant("komi")
    admin = make_user("platform_admin")
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    client.post("/login", data={"email": admin.email, "password": "correct horse battery"})
    app.config["WTF_CSRF_ENABLED"] = True
    unprotected = []
    for rule, method in _changing_rules(app):
        if rule.rule.startswith("/api/") or rule.endpoint in EXEMPT_ENDPOINTS:
            continue
        url = _url(app, rule)
        response = client.open(url, method=method, data={"anything": "1"})
        if response.status_code != 400:
            unprotected.append((method, url, response.status_code))
    assert unprotected == []


def test_the_api_ignores_the_session_cookie_so_it_needs_no_csrf_token(app, make_tenant, make_user):
    make_tenant("komi")
    admin = make_user("platform_admin")
    client = app.test_client()
    client.post("/login", data={"email": admin.email, "password": "correct horse battery"})
    assert client.get("/account").status_code == 200  # the cookie does log the browser in
    accepted = []
    for rule, method in _changing_rules(app):
        if not rule.rule.startswith("/api/"):
            continue
        response = client.open(_url(app, rule), method=method, json={})
        if response.status_code != 401:
            accepted.append((method, rule.rule, response.status_code))
    assert accepted == []


def test_the_exempt_routes_still_exist(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(EXEMPT_ENDPOINTS) <= endpoints
