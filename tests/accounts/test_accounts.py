import re

import pytest
import sqlalchemy as sa

from clusterhub.accounts.models import ApiToken, Membership, User
from clusterhub.accounts.services import memberships, users
from clusterhub.core.refusal import Refusal
from clusterhub.extensions import db
from clusterhub.outbox.models import OutboxMessage
from clusterhub.tenancy.scoping import tenant_scope
from tests.fixtures.accounts import PASSWORD, last_mail_link


def test_email_addresses_are_unique_regardless_of_case(make_user):
    make_user(email="Anna@Example.com")
    with pytest.raises(Refusal):
        users.create_user("anna@example.COM", "Anna Again", PASSWORD)
    assert users.authenticate("ANNA@example.com", PASSWORD) is not None


def test_passwords_are_stored_as_argon2id(make_user):
    user = make_user()
    assert user.password_hash.startswith("$argon2id$")


def test_invitation_flow_sets_a_password_and_grants_the_role(client, make_tenant, make_user, login):
    komi = make_tenant("komi")
    admin = make_user("center_admin", tenant=komi)
    login(admin)
    response = client.post("/komi/staff/members", data={"email": "new.expert@example.com", "role": "expert"})
    assert response.status_code == 302
    link = last_mail_link("new.expert@example.com")
    client.post("/logout")

    page = client.get(link)
    assert page.status_code == 200
    response = client.post(
        link,
        data={"full_name": "Новый Эксперт", "password": "a long password 1", "confirm": "a long password 1"},
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new.expert@example.com"))
    with tenant_scope(db.session, komi.id):
        role = db.session.scalar(sa.select(Membership.role).where(Membership.user_id == user.id))
    assert role == "expert"
    assert users.authenticate("new.expert@example.com", "a long password 1") is not None

    reused = client.get(link)
    assert reused.status_code == 400
    assert "Это приглашение уже использовано. Войдите в свою учётную запись." in reused.get_data(as_text=True)


def test_tampered_and_expired_invitation_links_are_refused(app, client, make_tenant, make_user):
    komi = make_tenant("komi")
    admin = make_user("center_admin", tenant=komi)
    _invitation, link = memberships.invite(komi, "late@example.com", "center_staff", admin)
    db.session.commit()
    path = link.removeprefix("http://clusterhub.test")
    tampered = client.get(path[:-3] + "abc", headers={"Accept-Language": "en"})
    assert tampered.status_code == 400 and "not valid" in tampered.get_data(as_text=True)

    app.config["INVITATION_MAX_AGE"] = -1
    try:
        expired = client.get(path, headers={"Accept-Language": "en"})
    finally:
        app.config["INVITATION_MAX_AGE"] = 7 * 24 * 3600
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)


def test_password_reset_works_once(client, make_user):
    user = make_user(email="forgetful@example.com")
    response = client.post("/password/forgot", data={"email": "Forgetful@example.com"})
    assert response.status_code == 302
    link = last_mail_link("forgetful@example.com")
    response = client.post(link, data={"password": "brand new secret", "confirm": "brand new secret"})
    assert response.status_code == 302
    assert users.authenticate(user.email, "brand new secret") is not None
    assert users.authenticate(user.email, PASSWORD) is None
    again = client.get(link, headers={"Accept-Language": "en"})
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)


def test_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post("/password/forgot", data={"email": "nobody@example.com"}, follow_redirects=True)
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_the_sixth_bad_login_in_a_row_gets_429_but_the_owner_elsewhere_still_logs_in(client, make_user):
    user = make_user()
    for _ in range(5):
        response = client.post("/login", data={"email": user.email, "password": "wrong password"})
        assert response.status_code == 200
    assert client.post("/login", data={"email": user.email, "password": "wrong password"}).status_code == 429
    # the limit is per account and client: a stranger's guesses do not lock the owner out
    owner = client.post(
        "/login", data={"email": user.email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert owner.status_code == 302


def test_a_post_without_a_csrf_token_gets_400(app, client, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"email": "x@example.com", "password": "whatever"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400


def test_changing_the_password_logs_out_other_sessions(app, client, make_user, login):
    user = make_user()
    login(user)
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other.get("/account").status_code == 200

    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": "another long secret", "confirm": "another long secret"},
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # this session continues
    assert other.get("/account").status_code == 302  # the other one is logged out


def test_session_cookies_are_http_only_and_same_site(client, make_user, login):
    response = login(make_user())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_profile_edit_and_language_preference(client, make_user, login):
    user = make_user()
    login(user)
    client.post("/account", data={"full_name": "Пётр Петров", "locale": "en"})
    assert "Your account" in client.get("/account").get_data(as_text=True)
    db.session.refresh(user)
    assert user.full_name == "Пётр Петров" and user.locale == "en"


def test_api_tokens_are_shown_once_stored_hashed_and_revocable(client, make_user, login):
    user = make_user()
    login(user)
    page = client.post("/account/tokens", data={"name": "Отчёты"}).get_data(as_text=True)
    secret = re.search(r"(chub_[A-Za-z0-9_\-]+)", page).group(1)
    assert secret not in client.get("/account/tokens").get_data(as_text=True)
    stored = db.session.scalars(sa.select(ApiToken)).one()
    assert stored.token_hash != secret and secret not in stored.token_hash

    api = client.application.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json["email"] == user.email
    client.post(f"/account/tokens/{stored.id}/revoke", data={})
    revoked = api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert revoked.status_code == 401 and revoked.json["error"]["code"] == 401


def test_the_api_ignores_the_browser_session_cookie(client, make_user, login):
    login(make_user())
    assert client.get("/api/v1/me").status_code == 401


def test_the_last_center_admin_cannot_be_removed(client, make_tenant, make_user, login):
    komi = make_tenant("komi")
    admin = make_user("center_admin", tenant=komi)
    login(admin)
    with tenant_scope(db.session, komi.id):
        membership_id = db.session.scalar(sa.select(Membership.id).where(Membership.user_id == admin.id))
    page = client.get(f"/komi/staff/members/{membership_id}/remove")
    assert page.status_code == 200  # a confirmation page first
    client.post(f"/komi/staff/members/{membership_id}/remove", data={})
    with tenant_scope(db.session, komi.id):
        assert db.session.get(Membership, membership_id) is not None
