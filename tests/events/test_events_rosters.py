"""Rosters of agenda items: who holds the seats of a site visit and who waits, staff add/move/remove with
the same no-overselling rule, printable exports with passport-free fields, the API, and the demo."""

import io
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import load_workbook

from clusterhub.accounts.services.api_tokens import create_api_token
from clusterhub.audit.models import AuditEntry
from clusterhub.core.refusal import Refusal
from clusterhub.events.models import AgendaItem, AgendaSignup, Event, Registration, SignupStatus
from clusterhub.events.services.agenda import save_agenda_item
from clusterhub.events.services.registration import register
from clusterhub.events.services.rosters import (
    add_to_item,
    item_roster,
    move_signup,
    remove_signup,
    roster_candidates,
)
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope


class Ref(NamedTuple):
    """An event's ids, taken while it is loaded: on PostgreSQL, RLS hides it outside its tenant's scope."""

    id: int
    tenant_id: int


def _made(event) -> Ref:
    return Ref(event.id, event.tenant_id)


def _visit(event, seat_limit=2, title="Посещение завода", hour=10):
    with tenant_scope(db.session, event.tenant_id):
        event = db.session.get(Event, event.id)
        start = event.start_date
        item = save_agenda_item(
            event,
            {
                "kind": "site_visit",
                "title_ru": title,
                "starts_at": datetime(start.year, start.month, start.day, hour),
                "ends_at": datetime(start.year, start.month, start.day, hour + 1),
                "site_address_ru": "пр. Бумажников, 2",
                "seat_limit": seat_limit,
            },
        )
        db.session.commit()
        return item.id


def _registered(event, person, count):
    with tenant_scope(db.session, event.tenant_id):
        event = db.session.get(Event, event.id)
        ids = [register(event, person()).id for _ in range(count)]
        db.session.commit()
    return ids


def _names(signups):
    return [s.registration.full_name for s in signups]


def test_staff_add_gives_free_seats_then_the_waiting_list_in_order(make_event, person, make_user):
    event = _made(make_event())
    item_id = _visit(event, seat_limit=2)
    a, b, c, d = _registered(event, person, 4)
    staff = make_user("center_staff")
    with tenant_scope(db.session, event.tenant_id):
        item = db.session.get(AgendaItem, item_id)
        for registration_id in (a, b, c, d):
            add_to_item(item, db.session.get(Registration, registration_id), actor=staff)
        roster = item_roster(item)
        assert [s.registration_id for s in roster.seated] == [a, b]
        assert [s.registration_id for s in roster.waiting] == [c, d]
        assert roster.free == 0
        try:
            add_to_item(item, db.session.get(Registration, c), actor=staff)
        except Refusal as error:
            assert "уже в этом списке" in str(error)  # Russian: the default language
        else:
            raise AssertionError("added twice")
        # the candidates to add are those not on the list yet
        assert roster_candidates(item) == []


def test_removing_a_seated_person_gives_the_seat_to_the_first_waiting(make_event, person, make_user):
    event = _made(make_event())
    item_id = _visit(event, seat_limit=1)
    a, b, c = _registered(event, person, 3)
    staff = make_user("center_staff")
    with tenant_scope(db.session, event.tenant_id):
        item = db.session.get(AgendaItem, item_id)
        signups = [add_to_item(item, db.session.get(Registration, r), actor=staff) for r in (a, b, c)]
        remove_signup(signups[0], actor=staff)
        roster = item_roster(item)
        assert [s.registration_id for s in roster.seated] == [b]
        assert [s.registration_id for s in roster.waiting] == [c]


def test_moving_between_visits_never_oversells_the_target(make_event, person, make_user):
    event = _made(make_event())
    mondi = _visit(event, seat_limit=1, title="Монди", hour=10)
    luzales = _visit(event, seat_limit=1, title="Лузалес", hour=12)
    a, b, c = _registered(event, person, 3)
    staff = make_user("center_staff")
    with tenant_scope(db.session, event.tenant_id):
        first, second = db.session.get(AgendaItem, mondi), db.session.get(AgendaItem, luzales)
        seat_a = add_to_item(first, db.session.get(Registration, a), actor=staff)
        add_to_item(first, db.session.get(Registration, b), actor=staff)  # waits at Mondi
        add_to_item(second, db.session.get(Registration, c), actor=staff)  # Luzales is full
        moved = move_signup(seat_a, second, actor=staff)
        assert moved.status == SignupStatus.WAITLISTED  # no free seat at the target: its waiting list
        assert [s.registration_id for s in item_roster(second).seated] == [c]
        assert [s.registration_id for s in item_roster(second).waiting] == [a]
        # the seat a gave up at Mondi went to b, who was waiting there
        assert [s.registration_id for s in item_roster(first).seated] == [b]
        assert item_roster(first).waiting == []
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "event.agenda_signup_moved")
        )
        assert entry.actor_id == staff.id and entry.before["item"] == mondi and entry.after["item"] == luzales
        try:
            move_signup(moved, second, actor=staff)
        except Refusal:
            pass
        else:
            raise AssertionError("moved onto the same item")


def test_roster_page_add_move_remove_and_print(client, make_event, person, make_user, login):
    event = _made(make_event())
    event_id, tenant_id = event.id, event.tenant_id
    item_id = _visit(event, seat_limit=1, title="Посещение Монди")
    other_id = _visit(event, seat_limit=5, title="Посещение Лузалес", hour=12)
    a, b = _registered(event, person, 2)
    login(make_user("center_staff", email="staff@example.com"))
    url = f"/komi/staff/events/{event_id}/agenda/{item_id}/roster"
    page = client.get(url).get_data(as_text=True)
    assert "Посещение Монди" in page and "Участник 1" in page  # the candidate to add
    for registration_id in (a, b):
        response = client.post(
            f"{url}/add", data={"add-registration_id": registration_id}, headers={"Accept-Language": "en"}
        )
        assert response.status_code == 302
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<dd class="col-4" id="seats-taken">1 / 1</dd>' in page
    assert '<dd class="col-4" id="waiting">1</dd>' in page
    assert "Участник 2 is on the list: the waiting list." in page  # the flash of the second add
    seats, waiting = page.split('id="waiting-list"')
    assert "Участник 1</a>" in seats.split('id="seats"')[1] and "Участник 2</a>" in waiting

    with tenant_scope(db.session, tenant_id):
        waiting = db.session.scalar(
            sa.select(AgendaSignup).where(
                AgendaSignup.agenda_item_id == item_id, AgendaSignup.registration_id == b
            )
        )
        waiting_id = waiting.id
    moved = client.post(
        f"{url}/{waiting_id}/move",
        data={"move-agenda_item_id": other_id},
        headers={"Accept-Language": "en"},
        follow_redirects=True,
    )
    assert "Участник 2 moved to «Посещение Лузалес»: a seat." in moved.get_data(as_text=True)
    with tenant_scope(db.session, tenant_id):
        assert (
            db.session.scalar(
                sa.select(AgendaSignup.status).where(
                    AgendaSignup.agenda_item_id == other_id, AgendaSignup.registration_id == b
                )
            )
            == SignupStatus.CONFIRMED
        )

    pdf = client.get(f"{url[: -len('/roster')]}/roster.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    xlsx = client.get(f"{url[: -len('/roster')]}/roster.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[1][2] == "Участник 1" and rows[1][3] == "ООО «Ромашка 1»"
    header = [str(h) for h in rows[0]]
    assert "Код" not in header and "Code" not in header  # no ticket code (a ticket is a key to the door)
    assert not any("consent" in h.lower() or "соглас" in h.lower() for h in header)

    with tenant_scope(db.session, tenant_id):
        seated = db.session.scalar(
            sa.select(AgendaSignup).where(
                AgendaSignup.agenda_item_id == item_id, AgendaSignup.status == SignupStatus.CONFIRMED
            )
        )
        seated_id = seated.id
    removed = client.post(f"{url}/{seated_id}/remove", follow_redirects=True)
    assert '<dd class="col-4" id="seats-taken">0 / 1</dd>' in removed.get_data(as_text=True)


def test_roster_pdf_has_no_contacts(make_event, person, app):
    from clusterhub.events.services import exports

    event = _made(make_event())
    item_id = _visit(event, seat_limit=1)
    _registered(event, person, 1)
    with tenant_scope(db.session, event.tenant_id), app.test_request_context(), force_locale("en"):
        item = db.session.get(AgendaItem, item_id)
        registration = db.session.scalar(sa.select(Registration))
        registration.phone = "+7 912 000-00-00"
        add_to_item(item, registration, actor=None)
        header, rows = exports.roster_rows(item_roster(item), with_contacts=False)
        assert rows == [[1, "Seat", registration.full_name, "ООО «Ромашка 1»", "Директор", rows[0][5]]]
        assert registration.email not in str(rows) and "+7 912" not in str(rows)
        assert exports.roster_pdf(item_roster(item), item.event.tenant).startswith(b"%PDF")


def test_roster_of_another_centers_item_is_not_found(client, make_event, make_tenant, make_user, login):
    other = _made(make_event(tenant=make_tenant("arkhangelsk", region="29")))
    item_id = _visit(other, seat_limit=3)
    login(make_user("center_staff", email="staff@example.com", tenant=make_tenant("komi")))
    assert client.get(f"/komi/staff/events/{other.id}/agenda/{item_id}/roster").status_code == 404
    assert client.get(f"/komi/staff/events/{other.id}/agenda/{item_id}/roster.pdf").status_code == 404


def test_api_roster_read_add_move_remove(client, make_event, person, make_user):
    event = _made(make_event())
    event_id = event.id
    item_id = _visit(event, seat_limit=1)
    other_id = _visit(event, seat_limit=3, title="Второй визит", hour=13)
    a, b = _registered(event, person, 2)
    staff = make_user("center_staff", email="staff@example.com")
    outsider = make_user(email="someone@example.com")
    _t, secret = create_api_token(staff, "test")
    _o, outsider_secret = create_api_token(outsider, "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    base = f"/api/v1/tenants/komi/events/{event_id}/agenda/{item_id}/roster"
    assert client.get(base, headers={"Authorization": f"Bearer {outsider_secret}"}).status_code == 403
    assert client.post(base, json={"registration_id": a}, headers=headers).status_code == 201
    body = client.post(base, json={"registration_id": b}, headers=headers).get_json()
    assert body["seats_taken"] == 1 and body["seats_free"] == 0
    assert [p["registration_id"] for p in body["seated"]] == [a]
    assert [p["registration_id"] for p in body["waiting"]] == [b]
    assert set(body["seated"][0]) == {
        "signup_id", "registration_id", "position_in_list", "full_name", "organisation", "position", "region",
        "email", "phone",
    }  # fmt: skip
    again = client.post(base, json={"registration_id": a}, headers=headers)
    assert again.status_code == 422
    moved = client.post(
        f"{base}/{body['seated'][0]['signup_id']}/move", json={"agenda_item_id": other_id}, headers=headers
    ).get_json()
    assert [p["registration_id"] for p in moved["seated"]] == [a]
    after = client.get(base, headers=headers).get_json()
    assert [p["registration_id"] for p in after["seated"]] == [b] and after["waiting"] == []
    gone = client.delete(f"{base}/{after['seated'][0]['signup_id']}", headers=headers).get_json()
    assert gone["seated"] == []
    document = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/tenants/{tenant}/events/{event_id}/agenda/{agenda_item_id}/roster" in document["paths"]


def test_demo_shows_a_full_site_visit_with_a_waiting_list(make_tenant):
    from clusterhub_dev.demo import events as demo

    tenant = make_tenant("komi")
    demo.load()
    demo.load()  # idempotent: nobody is registered twice
    with tenant_scope(db.session, tenant.id):
        visit = db.session.scalar(sa.select(AgendaItem).where(AgendaItem.title_ru == "Посещение Монди СЛПК"))
        roster = item_roster(visit)
        assert len(roster.seated) == visit.seat_limit and roster.free == 0
        assert len(roster.waiting) == demo.SITE_VISIT_WANTED - visit.seat_limit > 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == (
            demo.SITE_VISIT_WANTED
        )
