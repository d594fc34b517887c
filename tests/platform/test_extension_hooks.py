"""The extensions' per-request hooks run only where they have work (core/extension_hooks.py), and every
response still carries what they and the security hooks promise."""

import re

from clusterhub.core.security import content_security_policy

EN = {"Accept-Language": "en"}


def test_a_health_check_reads_no_cookie_and_writes_none(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")  # nothing in it depends on a cookie
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    assert "X-RateLimit-Limit" not in response.headers


def test_an_answer_without_inline_elements_allows_no_inline_script_or_style(client):
    policy = client.get("/healthz").headers["Content-Security-Policy"]

    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "nonce-" not in policy and "frame-ancestors 'none'" in policy


def test_a_page_gets_a_fresh_nonce_that_its_inline_elements_carry(client, make_tenant):
    make_tenant(slug="komi")
    first = client.get("/login", headers=EN)
    second = client.get("/login", headers=EN)

    nonces = []
    for response in (first, second):
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        assert response.headers["Content-Security-Policy"] == content_security_policy(nonce)
        assert f'nonce="{nonce}"' in response.get_data(as_text=True)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_a_signed_in_visitor_keeps_the_session_cookie_and_the_vary_header(client, make_user, login):
    login(make_user())

    response = client.get("/account", headers=EN)

    assert response.status_code == 200
    assert "Cookie" in response.headers["Vary"]  # the page depends on who is signed in


def test_a_rate_limited_form_reports_its_limit_and_refuses_beyond_it(app, client, make_user):
    user = make_user()
    answers = [
        client.post("/login", data={"email": user.email, "password": "not the password"}, headers=EN)
        for _attempt in range(6)
    ]

    assert answers[0].headers["X-RateLimit-Limit"] == "5"  # tests/fixtures/app.py: 5 per 15 minutes
    assert answers[0].headers["X-RateLimit-Remaining"] == "4"
    assert answers[-1].status_code == 429 and answers[-1].headers["Retry-After"]
    assert "X-RateLimit-Limit" not in client.get("/healthz").headers  # the next request starts afresh


def test_a_form_post_without_its_token_is_refused_and_a_read_is_not(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = client.post("/login", data={"email": "x@example.com", "password": "whatever"})
        read = client.get("/login", headers=EN)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False

    assert refused.status_code == 400
    assert read.status_code == 200


def test_an_anonymous_page_that_reads_the_empty_session_varies_by_cookie_and_sets_none(client, make_tenant):
    make_tenant(slug="komi")

    for _ in range(2):  # rendered, then served from the page cache
        response = client.get("/komi/", headers=EN)
        assert response.status_code == 200 and "/login" in response.get_data(as_text=True)
        assert response.headers.getlist("Vary") == ["Cookie"]  # who is signed in changes the page
        assert "Set-Cookie" not in response.headers


def test_the_cookie_joins_a_vary_header_the_answer_already_has(app):
    from flask import Response
    from flask.sessions import SecureCookieSession

    session = SecureCookieSession()
    session.accessed = True  # looked into (as Flask's request context marks it), still empty
    response = Response("x", headers={"Vary": "Accept-Language"})

    app.session_interface.save_session(app, session, response)

    assert response.headers["Vary"] == "Accept-Language, Cookie"
    assert "Set-Cookie" not in response.headers
