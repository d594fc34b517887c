"""Personal-data rights under 152-ФЗ: a person downloads their data, asks for erasure, withdraws consent to
mail; centers complete erasure requests within the term; old registrations are anonymised."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa

from clusterhub.accounts.models import Membership, User
from clusterhub.accounts.services import memberships
from clusterhub.audit.models import AuditEntry
from clusterhub.defenses.models import Assignment, DefenseRound
from clusterhub.defenses.services import results, rounds, scoring
from clusterhub.defenses.services.protocol import protocol_of, sign_protocol, verify_protocol
from clusterhub.events.models import Event, Registration
from clusterhub.events.services.registration import register
from clusterhub.extensions import db
from clusterhub.outbox import services as outbox
from clusterhub.outbox.models import OutboxMessage, OutboxStatus
from clusterhub.privacy.models import CenterErasure, ErasureRequest
from clusterhub.privacy.services import erasure as erasure_services
from clusterhub.privacy.services import export as export_services
from clusterhub.privacy.services import pseudonyms
from clusterhub.tenancy.models import utcnow
from clusterhub.tenancy.scoping import federal_read_scope, tenant_scope

NAME = "Ярослава Кузнецова-Тестова"
EMAIL = "yaroslava@example.com"


class Collecting:
    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append(message.recipient)


def _session(make_event, tenant) -> tuple[int, int]:
    """(tenant id, event id) of a new published session: plain ids stay readable outside the scope."""
    event = make_event(tenant)
    return tenant.id, event.id


def _register(event, person, user=None, **values):
    tenant_id, event_id = event
    with tenant_scope(db.session, tenant_id):
        registration = register(db.session.get(Event, event_id), person(**values), user=user)
        db.session.commit()
        return registration.id


def _archive(client) -> dict:
    response = client.get("/account/my-data/export.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            if name.endswith(".txt")
            else json.loads(archive.read(name))
            for name in archive.namelist()
        }


def test_a_person_exports_their_data_from_two_centers_and_nothing_of_others(
    client, login, make_user, make_tenant, make_event, person
):
    komi, tatarstan, kaliningrad = make_tenant("komi"), make_tenant("tatarstan"), make_tenant("kaliningrad")
    me = make_user(name=NAME, email=EMAIL)
    other = make_user(name="Посторонний Человек", email="stranger@example.com")
    komi_event, tatarstan_event = _session(make_event, komi), _session(make_event, tatarstan)
    _register(komi_event, person, user=me, full_name=NAME, email=EMAIL)
    _register(tatarstan_event, person, user=me, full_name=NAME, email=EMAIL, phone="+7 900 000-00-00")
    _register(komi_event, person, user=other, full_name=other.full_name, email=other.email)
    _register(
        _session(make_event, kaliningrad), person, user=other, full_name=other.full_name, email=other.email
    )

    records = export_services.read_own_data_across_centers(me)
    assert records.tenant_ids == {komi.id, tatarstan.id}
    assert {r["email"] for r in records.registrations} == {EMAIL}

    login(me)
    files = _archive(client)
    assert "README.txt" in files and "152-ФЗ" in files["README.txt"] and "152-FZ" in files["README.txt"]
    assert files["profile.json"]["full_name"] == NAME
    assert sorted(r["center"] for r in files["registrations.json"]) == ["komi", "tatarstan"]
    consents = files["consents.json"]["processing_at_registration"]
    assert [c["consent_version"] for c in consents] == ["2026-01", "2026-01"]
    assert all(c["consent_at"] for c in consents)
    everything = json.dumps(files, ensure_ascii=False)
    assert "stranger@example.com" not in everything and "Посторонний" not in everything
    assert "kaliningrad" not in everything
    # the download itself is recorded (a platform-level entry: only the federal scope reads those on PostgreSQL)
    with federal_read_scope(db.session):
        assert db.session.scalar(sa.select(AuditEntry.id).where(AuditEntry.action == "privacy.data_exported"))


def test_the_export_holds_scores_and_conflicts_given_as_an_expert(client, login, make_defense):
    d = make_defense(projects=2, experts=1)
    expert = d["experts"][0]
    with tenant_scope(db.session, d["tenant"].id):
        rnd = db.session.get(DefenseRound, d["round"])
        criteria = len(rnd.criteria)
        assignment = db.session.scalars(
            sa.select(Assignment).where(Assignment.panel_member_id == d["members"][0])
        ).first()
        scoring.score_project(
            assignment.slot, assignment.member, {c.id: (7, "убедительно") for c in rnd.criteria}, actor=expert
        )
        db.session.commit()
    login(expert)
    files = _archive(client)
    assert {s["comment"] for s in files["expert_scores.json"]} == {"убедительно"}
    assert len(files["expert_scores.json"]) == criteria
    assert [p["role"] for p in files["expert_panels.json"]] == ["expert"]


def _signed_round(d):
    """Score, close, decide and sign the round of ``make_defense``."""
    with tenant_scope(db.session, d["tenant"].id):
        rnd = db.session.get(DefenseRound, d["round"])
        for a in db.session.scalars(sa.select(Assignment)):
            scoring.score_project(
                a.slot, a.member, {c.id: (8, "ok") for c in rnd.criteria}, actor=a.member.user
            )
        rounds.close_round(rnd, actor=d["chair"])
        for slot in rnd.slots:
            results.record_decision(slot, "recommended", "", actor=d["chair"])
        protocol = sign_protocol(rnd, actor=d["chair"])
        db.session.commit()
        return protocol.content_hash


def test_erasure_completes_and_the_center_shows_only_the_pseudonym(
    client, login, make_user, make_defense, make_event, person
):
    d = make_defense(projects=1, experts=1)
    komi = d["tenant"]
    expert = d["experts"][0]
    expert.full_name, expert.email = NAME, EMAIL
    memberships.add_membership(expert, komi, "expert")
    db.session.commit()
    digest = _signed_round(d)
    event = _session(make_event, komi)
    registration_id = _register(
        event, person, user=expert, full_name=NAME, email=EMAIL, phone="+7 912 345-67-89"
    )
    admin = make_user("center_admin", tenant=komi)
    with tenant_scope(db.session, komi.id):  # an audit entry written before the erasure holds the address
        from clusterhub.audit.services import record

        record("membership.granted", ("Membership", 1), actor=admin, tenant_id=komi.id, after={"user": EMAIL})
        db.session.commit()

    login(expert)
    page = client.get("/account/my-data").get_data(as_text=True)
    assert "Запросить удаление" in page
    refused = client.post("/account/my-data/erasure", data={})  # not confirmed: nothing happens
    assert refused.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(ErasureRequest.id))) == 0
    response = client.post("/account/my-data/erasure", data={"confirm": "y"})
    assert response.status_code == 303
    request = db.session.scalar(sa.select(ErasureRequest))
    assert request.completed_at is None
    assert (request.due_at - request.requested_at).days == 30
    again = client.post("/account/my-data/erasure", data={"confirm": "y"})  # a second request is refused
    assert again.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(ErasureRequest.id))) == 1
    client.post("/logout")

    login(admin)
    home = client.get("/komi/staff/").get_data(as_text=True)  # the staff home shows the waiting request
    assert "Срок первого — " in home
    listing = client.get("/komi/staff/privacy").get_data(as_text=True)
    assert request.pseudonym in listing and NAME not in listing
    with tenant_scope(db.session, komi.id):
        part_id = db.session.scalar(sa.select(CenterErasure.id))
    assert client.post(f"/komi/staff/privacy/{part_id}/complete").status_code == 303

    db.session.expire_all()
    with tenant_scope(db.session, komi.id):
        registration = db.session.get(Registration, registration_id)
        assert registration.full_name == request.pseudonym
        assert registration.email.endswith("@anonymised.invalid")
        assert registration.phone is None and registration.user_id is None
        assert db.session.get(CenterErasure, part_id).completed_at is not None
        assert db.session.scalar(sa.select(Membership.id).where(Membership.user_id == expert.id)) is None
        actions = set(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.tenant_id == komi.id)))
    assert {"privacy.erasure_requested", "privacy.erasure_completed"} <= actions
    account = db.session.get(User, expert.id)
    assert account.full_name == request.pseudonym and not account.active and account.password_hash is None
    assert db.session.get(ErasureRequest, request.id).completed_at is not None  # the last center: global too

    pages = [
        f"/komi/staff/events/{event[1]}/participants",
        f"/komi/staff/events/{event[1]}/participants.csv",
        f"/komi/defenses/{d['round']}",
        f"/komi/defenses/{d['round']}/protocol",
        f"/komi/defenses/{d['round']}/results",
        "/komi/staff/audit",
        "/komi/staff/privacy",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert NAME not in text and EMAIL not in text, url
    protocol_page = client.get(f"/komi/defenses/{d['round']}/protocol").get_data(as_text=True)
    assert request.pseudonym in protocol_page
    assert request.pseudonym in client.get("/komi/staff/audit").get_data(as_text=True)
    # the signed protocol still verifies by the hash printed on it
    _protocol, _tenant, intact = verify_protocol(digest)
    assert intact
    check = client.get(f"/verify/protocol/{digest}").get_data(as_text=True)
    assert "alert-success" in check and "152-ФЗ" in check and NAME not in check
    # and the person can no longer log in
    client.post("/logout")
    assert (
        client.post("/login", data={"email": EMAIL, "password": "correct horse battery"}).status_code != 302
    )


def test_a_pseudonymised_protocol_that_is_then_tampered_with_fails_the_check(make_defense):
    d = make_defense(projects=1, experts=1)
    digest = _signed_round(d)
    with tenant_scope(db.session, d["tenant"].id):
        protocol = protocol_of(d["round"])
        assert pseudonyms.pseudonymise_protocol(
            protocol, d["experts"][0].full_name, "Участник №00000000", utcnow()
        )
        db.session.commit()
        assert verify_protocol(digest)[2]
        protocol.content = {**protocol.content, "projects": []}
        db.session.commit()
    assert not verify_protocol(digest)[2]


def test_a_person_without_data_in_any_center_is_anonymised_at_once(client, login, make_user):
    me = make_user(name=NAME, email=EMAIL)
    login(me)
    response = client.post("/account/my-data/erasure", data={"confirm": "y"})
    assert response.status_code == 303
    account = db.session.get(User, me.id)
    assert account.full_name.startswith("Участник №") and not account.active
    assert client.get("/account/my-data").status_code in (302, 401)  # logged out


def test_a_center_admin_sees_and_completes_only_their_centers_requests(
    client, login, make_user, make_tenant, make_event, person
):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    me = make_user(name=NAME, email=EMAIL)
    _register(_session(make_event, komi), person, user=me, full_name=NAME, email=EMAIL)
    _register(_session(make_event, tatarstan), person, user=me, full_name=NAME, email=EMAIL)
    erasure_services.request_erasure(me)
    db.session.commit()
    with tenant_scope(db.session, tatarstan.id):
        theirs = db.session.scalar(sa.select(CenterErasure.id))
    with tenant_scope(db.session, komi.id):
        ours = db.session.scalar(sa.select(CenterErasure.id))
    assert theirs != ours

    login(make_user("center_admin", tenant=komi))
    assert client.post(f"/komi/staff/privacy/{theirs}/complete").status_code == 404
    with tenant_scope(db.session, tatarstan.id):
        assert db.session.get(CenterErasure, theirs).completed_at is None
    page = client.get("/komi/staff/privacy").get_data(as_text=True)
    assert page.count("/complete") == 1
    assert client.post(f"/komi/staff/privacy/{ours}/complete").status_code == 303
    # one center done, one still pending: the account stays until the last center completes
    assert db.session.get(User, me.id).full_name == NAME
    assert db.session.scalar(sa.select(ErasureRequest)).completed_at is None
    assert client.post(f"/komi/staff/privacy/{ours}/complete").status_code == 303  # refused, unchanged
    # staff without the admin's permission cannot see the list
    client.post("/logout")
    login(make_user("center_staff", tenant=komi))
    assert client.get("/komi/staff/privacy").status_code == 403


def test_withdrawing_consent_stops_a_queued_mail(client, login, make_user):
    me = make_user(name=NAME, email=EMAIL)
    outbox.enqueue(EMAIL, "Напоминание", "Завтра сессия")
    outbox.enqueue("someone@example.com", "Напоминание", "Завтра сессия")
    db.session.commit()
    login(me)
    page = client.get("/account/my-data").get_data(as_text=True)
    form = page[page.index('action="/account/my-data/mail-consent"') :].split("</form>")[0]
    assert re.findall(r'name="action" value="([^"]*)"', form) == ["withdraw"]  # what the button posts
    assert client.post("/account/my-data/mail-consent", data={"action": "withdraw"}).status_code == 303

    mailer = Collecting()
    counts = outbox.send_due(mailer)
    assert mailer.sent == ["someone@example.com"]
    assert counts["withheld"] == 1
    withheld = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == EMAIL))
    assert withheld.status == OutboxStatus.WITHHELD

    client.post("/account/my-data/mail-consent", data={"action": "give"})
    outbox.enqueue(EMAIL, "Новое", "Текст")
    db.session.commit()
    assert outbox.send_due(mailer)["sent"] == 1
    assert mailer.sent[-1] == EMAIL


def test_center_admins_are_reminded_once_of_a_request_nearing_its_deadline(
    app, make_user, make_tenant, make_event, person
):
    komi = make_tenant("komi")
    admin = make_user("center_admin", tenant=komi)
    me = make_user(name=NAME, email=EMAIL)
    _register(_session(make_event, komi), person, user=me, full_name=NAME, email=EMAIL)
    erasure_services.request_erasure(me, now=utcnow() - timedelta(days=20))
    db.session.commit()
    runner = app.test_cli_runner()
    assert "queued 0" in runner.invoke(args=["privacy", "remind"]).output  # due in 10 days: not yet

    with tenant_scope(db.session, komi.id):
        part = db.session.scalar(sa.select(CenterErasure))
        part.due_at = utcnow() + timedelta(days=5)
        db.session.commit()
    result = runner.invoke(args=["privacy", "remind"])
    assert "queued 1" in result.output, result.output
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == admin.email))
    assert "/komi/staff/privacy" in mail.body_text and NAME not in mail.body_text
    assert "queued 0" in runner.invoke(args=["privacy", "remind"]).output


def test_retention_anonymises_registrations_of_old_sessions_and_keeps_recent_ones(
    app, make_tenant, make_event, person
):
    komi = make_tenant("komi")
    old_event, recent_event = _session(make_event, komi), _session(make_event, komi)
    old_id = _register(old_event, person, full_name="Старый Участник", email="old@example.test")
    recent_id = _register(recent_event, person, full_name="Недавний Участник", email="new@example.test")
    today = utcnow().date()
    with tenant_scope(db.session, komi.id):
        for event_id, ended in (
            (old_event[1], today - timedelta(days=4 * 365)),
            (recent_event[1], today - timedelta(days=365)),
        ):
            event = db.session.get(Event, event_id)
            event.start_date, event.end_date = ended - timedelta(days=1), ended
        db.session.commit()

    runner = app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "retention", "--dry-run"])
    assert "komi: would anonymise 1 registrations" in dry.output, dry.output
    with tenant_scope(db.session, komi.id):
        assert db.session.get(Registration, old_id).full_name == "Старый Участник"

    result = runner.invoke(args=["privacy", "retention"])
    assert "1 registrations anonymised" in result.output, result.output
    db.session.expire_all()
    with tenant_scope(db.session, komi.id):
        old, recent = db.session.get(Registration, old_id), db.session.get(Registration, recent_id)
        assert old.full_name.startswith("Участник №") and old.email.endswith("@anonymised.invalid")
        assert old.phone is None and old.position_title is None
        assert recent.full_name == "Недавний Участник"
    assert "0 registrations anonymised" in runner.invoke(args=["privacy", "retention"]).output  # idempotent


def test_my_data_is_linked_from_the_user_menu(client, login, make_user):
    login(make_user())
    page = client.get("/account").get_data(as_text=True)
    assert "/account/my-data" in page


@pytest.mark.parametrize("url", ["/account/my-data", "/account/my-data/export.zip"])
def test_my_data_needs_a_login(client, url):
    assert client.get(url).status_code in (302, 401)


def test_a_person_withdraws_consent_for_one_registration(
    client, login, make_user, make_tenant, make_event, person
):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    me = make_user(name=NAME, email=EMAIL)
    mine = _register(_session(make_event, komi), person, user=me, full_name=NAME, email=EMAIL)
    kept = _register(_session(make_event, tatarstan), person, user=me, full_name=NAME, email=EMAIL)
    someone = _register(
        _session(make_event, komi), person, full_name="Другой Человек", email="other@example.com"
    )
    login(me)
    page = client.get("/account/my-data").get_data(as_text=True)
    assert f"/account/my-data/registrations/komi/{mine}/withdraw" in page
    # someone else's registration cannot be named, in this center or by another center's slug
    assert client.post(f"/account/my-data/registrations/komi/{someone}/withdraw").status_code == 303
    assert client.post(f"/account/my-data/registrations/tatarstan/{mine}/withdraw").status_code == 303
    assert client.post(f"/account/my-data/registrations/komi/{mine}/withdraw").status_code == 303
    with tenant_scope(db.session, komi.id):
        withdrawn, other = db.session.get(Registration, mine), db.session.get(Registration, someone)
        assert withdrawn.status == "cancelled" and withdrawn.full_name.startswith("Участник №")
        assert other.full_name == "Другой Человек" and other.status != "cancelled"
    with tenant_scope(db.session, tatarstan.id):
        assert db.session.get(Registration, kept).full_name == NAME
    assert f"/registrations/komi/{mine}/withdraw" not in client.get("/account/my-data").get_data(as_text=True)


def test_two_centers_completing_at_once_still_anonymise_the_account(
    app, pg_only, make_user, make_tenant, make_event, person
):
    """The last two parts completed in parallel: the request's row lock makes the second see the first."""
    import threading

    centers = [make_tenant("komi"), make_tenant("tatarstan")]
    me = make_user(name=NAME, email=EMAIL)
    for tenant in centers:
        _register(_session(make_event, tenant), person, user=me, full_name=NAME, email=EMAIL)
    with app.test_request_context():
        erasure_services.request_erasure(me)
        db.session.commit()
    me_id = me.id
    parts = []
    for tenant in centers:
        with tenant_scope(db.session, tenant.id):
            parts.append((tenant.id, db.session.scalar(sa.select(CenterErasure.id))))
    admins = [make_user("center_admin", tenant=tenant).id for tenant in centers]
    barrier, errors = threading.Barrier(2), []

    def complete(tenant_id, part_id, admin_id):
        with app.test_request_context():  # its own session and connection, like another worker
            try:
                barrier.wait(timeout=30)
                with tenant_scope(db.session, tenant_id):
                    erasure_services.complete_center_erasure(
                        db.session.get(CenterErasure, part_id), actor=db.session.get(User, admin_id)
                    )
                    db.session.commit()
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=complete, args=(*part, admin))
        for part, admin in zip(parts, admins, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    db.session.expire_all()
    assert db.session.get(User, me_id).full_name.startswith("Участник №")
    assert db.session.scalar(sa.select(ErasureRequest)).completed_at is not None
