"""Getting an account: self-service sign-up confirmed by e-mail, federal staff invited by a platform admin,
the first users from the CLI, and the local mail page."""

import re

import pytest
import sqlalchemy as sa

from clusterhub.accounts.models import Membership, User
from clusterhub.accounts.services import federal as federal_services
from clusterhub.accounts.services import users as users_services
from clusterhub.core.refusal import Refusal
from clusterhub.enterprises.models import Enterprise, EnterpriseRepresentative
from clusterhub.enterprises.services.representatives import is_representative
from clusterhub.extensions import db
from clusterhub.outbox.models import OutboxMessage
from clusterhub.tenancy.scoping import tenant_scope
from clusterhub_dev.demo import clusters as cluster_demo
from tests.fixtures.accounts import PASSWORD, comparable, last_mail_link

EN = {"Accept-Language": "en"}
RU = {"Accept-Language": "ru"}
NEW_PASSWORD = "a long new password"


def sign_up(client, email, name="Лев Лузалесов", password=NEW_PASSWORD, headers=EN):
    return client.post(
        "/signup",
        data={"full_name": name, "email": email, "password": password, "confirm": password},
        headers=headers,
    )


def mails_to(email):
    return db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id)
    ).all()


def test_sign_up_confirm_and_land_on_the_enterprise_claim(client):
    page = sign_up(client, "Lev@Luzales.example.com")
    assert page.status_code == 200
    assert "Check your mail" in page.get_data(as_text=True)
    user = users_services.find_user_by_email("lev@luzales.example.com")
    assert user.email_confirmed_at is None

    # before confirming, the right password only brings a new link, not a session
    before = client.post(
        "/login", data={"email": "lev@luzales.example.com", "password": NEW_PASSWORD}, headers=EN
    )
    assert before.status_code == 200
    assert "Confirm your e-mail address first" in before.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    assert len(mails_to("lev@luzales.example.com")) == 2

    link = last_mail_link("lev@luzales.example.com")
    confirmed = client.get(link)
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/enterprises/mine"
    assert client.get("/account").status_code == 200
    assert client.get(link).status_code == 400  # works once


def test_the_demo_representative_signs_up_and_claims_luzales_by_its_inn(
    client, make_tenant, make_user, login, request_ctx
):
    komi = make_tenant("komi")
    cluster_demo.load(["komi"])  # the demo enterprises, with no representative yet
    db.session.commit()
    luzales = db.session.scalar(sa.select(Enterprise).where(Enterprise.short_name == "Лузалес"))

    sign_up(client, "rep@luzales.example.com")
    client.get(last_mail_link("rep@luzales.example.com"))
    claim = client.post("/enterprises/mine", data={"inn": luzales.inn, "full_name": ""}, headers=EN)
    assert claim.status_code == 302
    rep = users_services.find_user_by_email("rep@luzales.example.com")
    link = db.session.scalar(
        sa.select(EnterpriseRepresentative).where(EnterpriseRepresentative.user_id == rep.id)
    )
    assert link.status == "pending"

    client.post("/logout")
    login(make_user("center_staff", tenant=komi))
    assert client.post(f"/komi/staff/enterprise-claims/{link.id}/confirm").status_code == 302
    assert is_representative(rep, luzales, "owner")


def test_a_short_password_is_refused_in_both_languages(client):
    english = sign_up(client, "short@example.com", password="short", headers=EN).get_data(as_text=True)
    russian = sign_up(client, "short@example.com", password="short", headers=RU).get_data(as_text=True)
    assert "The password must be 10 to 200 characters long." in english
    assert "Пароль должен содержать от 10 до 200 символов." in russian
    assert users_services.find_user_by_email("short@example.com") is None


def test_signing_up_with_a_registered_address_changes_nothing_and_tells_only_the_owner(client, make_user):
    owner = make_user(email="owner@example.com")
    page = sign_up(client, "owner@example.com", name="Someone Else", password="attacker password")
    fresh = sign_up(client, "fresh@example.com", name="Someone Else", password="attacker password")
    assert page.status_code == fresh.status_code == 200
    assert comparable(page, "owner@example.com") == comparable(fresh, "fresh@example.com")

    db.session.refresh(owner)
    assert owner.full_name != "Someone Else"
    assert users_services.authenticate("owner@example.com", PASSWORD) is not None
    (note,) = mails_to("owner@example.com")
    assert note.subject == "You already have a ClusterHub account"  # the sign-up was in English
    assert "/password/forgot" in note.body_text


def test_signing_up_again_for_an_unconfirmed_address_voids_the_earlier_link(client):
    sign_up(client, "victim@example.com", name="Squatter", password="squatter password")
    squatters_link = last_mail_link("victim@example.com")
    sign_up(client, "victim@example.com", name="Victim", password="victim password 1")
    assert client.get(squatters_link).status_code == 400
    client.get(last_mail_link("victim@example.com"))
    user = users_services.find_user_by_email("victim@example.com")
    assert user.full_name == "Victim" and user.email_confirmed_at is not None
    assert users_services.authenticate("victim@example.com", "victim password 1") is not None


def test_an_invitation_confirms_a_signed_up_address_and_replaces_a_strangers_name(
    client, make_tenant, make_user, login
):
    komi = make_tenant("komi")
    sign_up(client, "expert@example.com", name="Not The Expert", password="squatter password")
    login(make_user("center_admin", tenant=komi))
    client.post("/komi/staff/members", data={"email": "expert@example.com", "role": "expert"})
    client.post("/logout")
    link = last_mail_link("expert@example.com")
    response = client.post(
        link, data={"full_name": "Эксперт", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    user = users_services.find_user_by_email("expert@example.com")
    assert user.full_name == "Эксперт" and user.email_confirmed_at is not None
    assert users_services.authenticate("expert@example.com", "squatter password") is None


def test_sign_up_is_limited_per_address_and_client(client):
    for _ in range(4):  # typos do not count
        mistyped = client.post(
            "/signup",
            data={
                "full_name": "F",
                "email": "flood@example.com",
                "password": NEW_PASSWORD,
                "confirm": "typo typo typo",
            },
        )
        assert mistyped.status_code == 200
    answers = [sign_up(client, "flood@example.com").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert len(mails_to("flood@example.com")) == 3


@pytest.mark.parametrize("path", ["/login", "/signup", "/password/forgot"])
def test_account_forms_render_no_none_attributes(client, path):
    html = client.get(path).get_data(as_text=True)
    assert '="None"' not in html


def test_a_platform_admin_invites_a_federal_analyst(client, make_user, login):
    login(make_user("platform_admin"))
    page = client.get("/admin/federal-staff", headers=EN).get_data(as_text=True)
    assert "Federal staff" in page and 'value="center_admin"' not in page
    response = client.post(
        "/admin/federal-staff", data={"email": "Analyst@Gov.example", "role": "federal_analyst"}
    )
    assert response.status_code == 302
    client.post("/logout")

    link = last_mail_link("analyst@gov.example")
    assert link.startswith("/federal-invitations/")
    response = client.post(
        link, data={"full_name": "Фёдор", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/federal/"
    analyst = users_services.find_user_by_email("analyst@gov.example")
    assert analyst.global_role == "federal_analyst"
    assert client.get("/federal/").status_code == 200
    assert client.get(link).status_code == 400  # used
    assert (
        client.post(
            "/admin/federal-staff", data={"email": "x@gov.example", "role": "federal_analyst"}
        ).status_code
        == 403
    )


def test_only_federal_roles_can_be_given_and_only_by_a_platform_admin(client, make_user, login):
    admin = make_user("platform_admin")
    with pytest.raises(Refusal):
        federal_services.invite_federal("x@gov.example", "platform_admin", admin)
    federal_services.invite_federal("x@gov.example", "federal_analyst", admin)
    with pytest.raises(Refusal):  # one pending invitation per address
        federal_services.invite_federal("X@gov.example", "federal_reviewer", admin)
    with pytest.raises(Refusal):
        federal_services.invite_federal(admin.email, "federal_analyst", admin)
    login(make_user("center_admin"))
    assert client.get("/admin/federal-staff").status_code == 403


def test_withdrawing_the_federal_role_ends_the_persons_sessions(app, client, make_user, login):
    reviewer = make_user("federal_reviewer")
    reviewers_browser = app.test_client()
    reviewers_browser.post("/login", data={"email": reviewer.email, "password": PASSWORD})
    assert reviewers_browser.get("/federal/").status_code == 200

    login(make_user("platform_admin"))
    assert client.post(f"/admin/federal-staff/{reviewer.id}/withdraw").status_code == 302
    assert reviewers_browser.get("/federal/").status_code == 302  # logged out
    db.session.refresh(reviewer)
    assert reviewer.global_role is None


def test_a_revoked_federal_invitation_does_not_work(client, make_user, login):
    admin = make_user("platform_admin")
    invitation, link = federal_services.invite_federal("late@gov.example", "federal_reviewer", admin)
    db.session.commit()
    login(admin)
    assert client.post(f"/admin/federal-staff/invitations/{invitation.id}/revoke").status_code == 302
    client.post("/logout")
    assert client.get(link.removeprefix("http://clusterhub.test")).status_code == 400


def test_flask_users_create_makes_a_first_platform_admin_who_can_log_in(app, client, login):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Root@Example.com",
            "--name",
            "Root",
            "--role",
            "platform_admin",
            "--password",
            NEW_PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    root = users_services.find_user_by_email("root@example.com")
    assert root.is_platform_admin and root.email_confirmed_at is not None
    login(root, NEW_PASSWORD)
    assert client.get("/admin/tenants/").status_code == 200

    again = runner.invoke(
        args=["users", "create", "root@example.com", "--name", "Root", "--password", NEW_PASSWORD]
    )
    assert again.exit_code != 0
    assert "Пользователь с таким адресом электронной почты уже зарегистрирован." in again.output


def test_flask_users_create_gives_a_center_role(app, make_tenant):
    komi = make_tenant("komi")
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "staff@example.com",
            "--name",
            "Staff",
            "--center",
            "komi",
            "--center-role",
            "center_staff",
            "--password",
            NEW_PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    user = users_services.find_user_by_email("staff@example.com")
    with tenant_scope(db.session, komi.id):
        assert (
            db.session.scalar(sa.select(Membership.role).where(Membership.user_id == user.id))
            == "center_staff"
        )
    short = app.test_cli_runner().invoke(
        args=["users", "create", "weak@example.com", "--name", "W", "--password", "short"]
    )
    assert (
        short.exit_code != 0
        and db.session.scalar(sa.select(User).where(User.email == "weak@example.com")) is None
    )


def test_the_local_mail_page_shows_the_outbox_to_a_platform_admin_only_and_never_in_production(
    app, client, make_user, login, monkeypatch
):
    sign_up(client, "reader@example.com")
    login(make_user("platform_admin"))
    page = client.get("/dev/mail", headers=EN).get_data(as_text=True)
    assert "reader@example.com" in page
    assert re.search(r'href="http://clusterhub\.test/signup/confirm/[^"]+"', page)  # the link is clickable

    monkeypatch.setitem(app.config, "ENV", "production")
    assert client.get("/dev/mail").status_code == 404
    monkeypatch.setitem(app.config, "ENV", "local")
    client.post("/logout")
    login(make_user("center_admin"))
    assert client.get("/dev/mail").status_code == 403
