"""Accounts against hostile use: open redirects, copied session cookies, lockouts and account enumeration."""

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from clusterhub.core.urls import safe_next_url
from clusterhub.extensions import db
from clusterhub.outbox.models import OutboxMessage
from tests.fixtures.accounts import PASSWORD, comparable

HOSTILE_NEXT = [
    "//evil.example/",
    "/\\evil.example/",
    "/\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "evil.example",
]


def assert_stays_on_site(response):
    assert response.status_code == 302
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert parts.netloc in ("", "localhost"), location
    assert parts.path.startswith("/") and not parts.path.startswith("//"), location
    assert "evil" not in location


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_post_never_redirects_off_site(client, make_user, target):
    user = make_user()
    response = client.post(
        "/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD}
    )
    assert_stays_on_site(response)


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_page_of_a_logged_in_user_never_redirects_off_site(client, make_user, login, target):
    login(make_user())
    assert_stays_on_site(client.get("/login", query_string={"next": target}))


@pytest.mark.parametrize(
    "raw", ["/%09/evil.example", "/%5C/evil.example", "%2F%2Fevil.example", "/%0A/evil.example"]
)
def test_encoded_hostile_next_in_the_address_bar_is_refused(client, make_user, login, raw):
    user = make_user()
    response = client.post(f"/login?next={raw}", data={"email": user.email, "password": PASSWORD})
    assert_stays_on_site(response)
    assert_stays_on_site(client.get(f"/login?next={raw}"))


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_the_language_switch_never_redirects_off_site(client, target):
    assert_stays_on_site(client.post("/lang", data={"lang": "en", "next": target}))


def test_same_site_paths_are_followed(client, make_user):
    user = make_user()
    response = client.post(
        "/login", query_string={"next": "/account?tab=1"}, data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/account?tab=1"
    assert (
        client.post("/lang", data={"lang": "ru", "next": "/komi/events/"}).headers["Location"]
        == "/komi/events/"
    )


@pytest.mark.parametrize("target", HOSTILE_NEXT + [None, ""])
def test_the_next_helper_falls_back_for_anything_but_a_local_path(app, target):
    with app.test_request_context():
        assert safe_next_url(target, "/fallback") == "/fallback"
        assert safe_next_url("/komi/staff/", "/fallback") == "/komi/staff/"


def test_logging_out_invalidates_a_copied_session_cookie(app, client, make_user, login):
    login(make_user())
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    assert thief.get("/account").status_code == 200

    client.post("/logout")
    assert thief.get("/account").status_code == 302  # sent to the login page
    assert client.get("/account").status_code == 302


def test_logging_in_starts_a_fresh_session(client, make_user):
    with client.session_transaction() as planted:
        planted["planted_by_someone_else"] = "x"
    response = client.post("/login", data={"email": make_user().email, "password": PASSWORD})
    assert response.status_code == 302
    with client.session_transaction() as fresh:
        assert "planted_by_someone_else" not in fresh
        assert fresh.get("_user_id")


def test_too_many_failed_logins_from_one_client_over_many_accounts_get_429(
    app, client, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_IP_RATE_LIMIT", "3 per 15 minutes")
    for n in range(3):
        response = client.post(
            "/login", data={"email": f"guess{n}@example.com", "password": "wrong password"}
        )
        assert response.status_code == 200
    user = make_user()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 429
    other_client = {"REMOTE_ADDR": "10.1.2.3"}
    assert (
        client.post(
            "/login", data={"email": user.email, "password": PASSWORD}, environ_base=other_client
        ).status_code
        == 302
    )


def test_the_lockout_page_is_the_same_for_an_account_and_for_no_account(client, make_user):
    user = make_user()
    pages = {}
    for email in (user.email, "nobody@example.com"):
        for _ in range(5):
            client.post("/login", data={"email": email, "password": "wrong password"})
        locked = client.post("/login", data={"email": email, "password": "wrong password"})
        assert locked.status_code == 429
        pages[email] = comparable(locked, email)
    assert pages[user.email] == pages["nobody@example.com"]
    assert "Слишком много попыток" in pages[user.email]  # no Accept-Language: the default, Russian


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(client, make_user):
    user = make_user()
    known = client.post("/login", data={"email": user.email, "password": "wrong password"})
    unknown = client.post("/login", data={"email": "nobody@example.com", "password": "wrong password"})
    assert known.status_code == unknown.status_code == 200
    assert comparable(known, user.email) == comparable(unknown, "nobody@example.com")


@pytest.mark.parametrize("registered", [True, False])
def test_password_reset_requests_are_limited_per_address_and_client(client, make_user, registered):
    email = make_user().email if registered else "nobody@example.com"
    answers = [client.post("/password/forgot", data={"email": email}).status_code for _ in range(6)]
    assert answers == [302] * 5 + [429]
    mails = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    assert mails == (5 if registered else 0)
    # another address from the same client is not locked by these
    assert client.post("/password/forgot", data={"email": "someone.else@example.com"}).status_code == 302


def test_the_password_reset_answer_does_not_depend_on_the_address(client, make_user):
    user = make_user()
    known = client.post("/password/forgot", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.com"}, follow_redirects=True)
    assert comparable(known, user.email) == comparable(unknown, "nobody@example.com")


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example", "https://evil.example/"])
def test_event_staff_actions_never_redirect_off_site(client, make_user, make_event, person, login, target):
    from clusterhub.events.services.registration import register
    from clusterhub.tenancy.scoping import tenant_scope

    staff = make_user("center_staff")
    event = make_event()
    event_id = event.id
    with tenant_scope(db.session, event.tenant_id):
        registration_id = register(event, person()).id
    db.session.commit()
    login(staff)
    base = f"/komi/staff/events/{event_id}"
    assert_stays_on_site(client.post(f"{base}/check-in/{registration_id}/undo", data={"next": target}))
    assert_stays_on_site(client.post(f"{base}/participants/{registration_id}/cancel", data={"next": target}))
