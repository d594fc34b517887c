"""Pages and API of sessions over HTTP: public pages in both languages, registration, staff pages,
check-in, exports, badges, feeds; constant query counts for the public page and the participant list."""

import re

import sqlalchemy as sa

from clusterhub.accounts.services.api_tokens import create_api_token
from clusterhub.events.models import Registration
from clusterhub.events.services import registration as registration_services
from clusterhub.events.services.links import ticket_token
from clusterhub.extensions import db
from clusterhub.outbox.models import OutboxMessage
from clusterhub.tenancy.scoping import tenant_scope
from clusterhub_dev.bench.events import build
from tests.fixtures.events import region_id
from tests.fixtures.pages import count_queries


def test_public_event_page_shows_the_agenda_in_both_languages(client, model_event):
    event_id = model_event.id
    ru = client.get(f"/komi/events/{event_id}", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Практическая сессия по развитию промышленных кластеров России" in ru
    assert "Посещение Монди СЛПК" in ru and "Защита совместных проектов" in ru
    assert "09:00–09:30" in ru  # the tenant's time zone, not UTC
    assert "Программа" in ru and "День 2" in ru and "Выездное посещение" in ru
    assert "Минпромторг России" in ru and "yandex.ru/maps" in ru
    en = client.get(f"/komi/events/{event_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Practical session on the development of industrial clusters of Russia" in en
    assert "Visit to Mondi SLPK" in en and "Cultural programme" in en
    listing = client.get("/komi/events/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Practical session on the development" in listing


def test_drafts_are_not_public(client, make_event):
    draft_id = make_event(publish=False).id
    assert client.get(f"/komi/events/{draft_id}").status_code == 404
    assert client.get(f"/komi/events/{draft_id}/register").status_code == 404


def test_public_page_and_participant_list_take_constant_queries(client, make_tenant, make_user, login):
    tenant = make_tenant("komi")
    staff = make_user("center_staff", tenant=tenant, email="staff@example.com")
    small_id = build(tenant, items=3, registrations=60).id
    big_id = build(tenant, items=30, registrations=500).id
    login(staff)
    counts = []
    for event_id in (small_id, big_id):
        with count_queries() as counter:
            assert client.get(f"/komi/events/{event_id}").status_code == 200
        counts.append(counter["n"])
    assert counts[0] == counts[1]
    client.get(f"/komi/staff/events/{small_id}/participants")  # the worker reads the region names once
    counts = []
    for event_id in (small_id, big_id):
        with count_queries() as counter:
            response = client.get(f"/komi/staff/events/{event_id}/participants?page=2")
            assert response.status_code == 200
        counts.append(counter["n"])
    assert counts[0] == counts[1]


def test_guest_registration_with_email_confirmation(client, make_event):
    event = make_event(capacity=5)
    event_id, tenant_id = event.id, event.tenant_id
    form = {
        "full_name": "Гость Гостев",
        "email": "guest@example.test",
        "category": "expert",
        "region_id": region_id("39"),
        "organisation": "",
        "inn": "1101000016",
        "position_title": "Эксперт",
    }
    response = client.post(f"/komi/events/{event_id}/register", data=form)
    assert response.status_code == 200 and "152" in response.get_data(as_text=True)  # consent is required
    response = client.post(
        f"/komi/events/{event_id}/register", data={**form, "organisation": "Лузалес", "consent": "y"}
    )
    assert response.status_code == 302
    mail = db.session.scalars(sa.select(OutboxMessage)).one()
    path = mail.body_text.split("http://clusterhub.test")[1].split()[0]
    response = client.get(path)
    assert response.status_code == 302 and "/events/ticket/" in response.location
    ticket = client.get(response.location)
    assert ticket.status_code == 200 and "Гость Гостев" in ticket.get_data(as_text=True)
    qr = client.get(response.location + "/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert client.get(response.location[:-3] + "abc").status_code == 404
    # the registrant cancels from their page
    assert client.post(response.location, data={"action": "cancel"}).status_code == 302
    with tenant_scope(db.session, tenant_id):
        assert db.session.scalars(sa.select(Registration.status)).one() == "cancelled"


def test_logged_in_registration_and_personal_feed(client, make_event, make_user, login):
    user = make_user(email="me@example.com")
    event = make_event()
    event_id = event.id
    login(user)
    response = client.post(
        f"/komi/events/{event_id}/register",
        data={
            "full_name": "Я",
            "email": "me@example.com",
            "category": "enterprise",
            "region_id": region_id("11"),
            "organisation": "ООО «Я»",
            "consent": "y",
        },
    )
    assert response.status_code == 302 and "/events/ticket/" in response.location
    page = client.get(response.location).get_data(as_text=True)
    feed = page.split('href="')[1:]
    ics_path = next(part.split('"')[0] for part in feed if part.startswith("/komi/events/calendar/"))
    ics = client.get(ics_path)
    assert ics.status_code == 200 and ics.mimetype == "text/calendar" and b"\r\nBEGIN:VEVENT\r\n" in ics.data
    assert client.get(f"/komi/events/{event_id}.ics").status_code == 200
    assert client.get("/komi/events.ics").status_code == 200
    assert "Я" in client.get("/komi/events/mine").get_data(as_text=True)


def test_calendar_lists_published_events_of_every_center_by_region_and_kind(client, make_event, make_tenant):
    make_event(title_ru="Коми сессия", kind="conference")
    make_event(title_ru="Черновик", publish=False)
    tatarstan = make_tenant("tatarstan")
    make_event(tenant=tatarstan, title_ru="Казанский вебинар", kind="webinar", region_id=region_id("16"))
    page = client.get("/calendar").get_data(as_text=True)
    assert "Коми сессия" in page and "Казанский вебинар" in page and "Черновик" not in page
    page = client.get(f"/calendar?region={region_id('16')}").get_data(as_text=True)
    assert "Казанский вебинар" in page and "Коми сессия" not in page
    page = client.get("/calendar?kind=conference").get_data(as_text=True)
    assert "Коми сессия" in page and "Казанский вебинар" not in page


def test_staff_build_an_event_through_the_pages(client, make_tenant, make_user, login):
    tenant = make_tenant("komi")
    login(make_user("center_admin", tenant=tenant, email="admin@example.com"))
    response = client.post(
        "/komi/staff/events/new",
        data={
            "title_ru": "Конференция",
            "kind": "conference",
            "city_ru": "Сыктывкар",
            "region_id": tenant.region_id,
            "start_date": "2030-04-01",
            "end_date": "2030-03-31",
        },
    )
    assert response.status_code == 200  # the last day is before the first
    response = client.post(
        "/komi/staff/events/new",
        data={
            "title_ru": "Конференция",
            "kind": "conference",
            "city_ru": "Сыктывкар",
            "region_id": tenant.region_id,
            "start_date": "2030-04-01",
            "end_date": "2030-04-02",
            "capacity": "50",
        },
    )
    assert response.status_code == 302
    base = response.location
    assert (
        client.post(
            base + "/venues", data={"venue-name_ru": "Зал", "venue-address_ru": "ул. Ленина, 1"}
        ).status_code
        == 302
    )
    assert (
        client.post(base + "/organisers", data={"org-name_ru": "АКИТ", "org-role": "partner"}).status_code
        == 302
    )
    with tenant_scope(db.session, tenant.id):
        from clusterhub.events.models import Event

        event = db.session.scalars(sa.select(Event)).one()
        venue_id = event.venues[0].id
    item = {
        "title_ru": "Пленарное",
        "kind": "plenary",
        "venue_id": venue_id,
        "starts_at": "2030-04-01T10:00",
        "ends_at": "2030-04-01T12:00",
    }
    assert client.post(base + "/agenda/new", data=item).status_code == 302
    assert (
        client.post(
            base + "/agenda/new", data={**item, "title_ru": "Секция", "starts_at": "2030-04-01T11:00"}
        ).status_code
        == 302
    )
    page = client.get(base).get_data(as_text=True)
    assert "list-group-item-warning" in page  # overlapping items at the same venue are flagged
    assert client.post(base + "/status", data={"status": "published"}).status_code == 302
    assert "Конференция" in client.get("/komi/events/").get_data(as_text=True)


def test_participants_filter_export_message_and_check_in(client, make_event, make_user, login, person):
    staff = make_user("center_staff", email="staff@example.com")
    event = make_event()
    event_id, tenant_id = event.id, event.tenant_id
    with tenant_scope(db.session, tenant_id):
        alice = registration_services.register(
            event, person(full_name="Алиса Иванова", region_id=region_id("77"))
        )
        registration_services.register(event, person(full_name="Борис Петров", category="media"))
        code, alice_id, ticket = alice.code, alice.id, ticket_token(alice)
    login(staff)
    base = f"/komi/staff/events/{event_id}"
    page = client.get(base + "/participants?q=алиса").get_data(as_text=True)
    assert "Алиса Иванова" in page and "Борис Петров" not in page
    page = client.get(base + "/participants?category=media").get_data(as_text=True)
    assert "Борис Петров" in page and "Алиса Иванова" not in page
    csv_body = client.get(base + "/participants.csv").get_data(as_text=True)
    assert csv_body.startswith("\ufeff") and "Алиса Иванова" in csv_body and code in csv_body
    xlsx = client.get(base + "/participants.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert "Москва" in client.get(base + "/statistics").get_data(as_text=True)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    response = client.post(
        base + "/participants?category=media", data={"subject": "Трансфер", "body": "Автобус в 9:00"}
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == before + 1
    # check-in by the scanned ticket, then again: harmless and said so
    first = client.post(base + "/check-in", data={"code": ticket, "agenda_item_id": 0}).get_data(as_text=True)
    assert "Отмечен(а): Алиса Иванова." in first
    again = client.post(base + "/check-in", data={"code": code, "agenda_item_id": 0}).get_data(as_text=True)
    assert "Алиса Иванова уже отмечен(а); ничего не изменилось." in again
    bad = client.post(base + "/check-in", data={"code": ticket[:-3] + "xyz", "agenda_item_id": 0})
    assert "alert-danger" in bad.get_data(as_text=True)
    assert client.post(f"{base}/check-in/{alice_id}/undo", data={}).status_code == 302
    with tenant_scope(db.session, tenant_id):
        assert db.session.get(Registration, alice_id).checked_in_at is None
    badges = client.get(base + "/badges").get_data(as_text=True)
    assert badges.count('class="badge"') == 2 and "<svg" in badges and "Москва" in badges


def test_staff_pages_need_the_permission(client, make_event, make_user, login):
    event = make_event()
    event_id = event.id
    assert client.get(f"/komi/staff/events/{event_id}/participants").status_code == 302  # to the login page
    login(make_user("expert", email="expert@example.com"))
    assert client.get(f"/komi/staff/events/{event_id}/participants").status_code == 403
    assert client.get(f"/komi/staff/events/{event_id}/check-in").status_code == 403


def test_api_events_register_and_participants(client, make_event, make_user):
    event = make_event()
    event_id = event.id
    user = make_user(email="api@example.test")
    staff = make_user("center_staff", email="staff@example.com")
    _token, secret = create_api_token(user, "test")
    _staff_token, staff_secret = create_api_token(staff, "test")
    db.session.commit()
    listing = client.get("/api/v1/tenants/komi/events").get_json()
    assert [e["id"] for e in listing["items"]] == [event_id]
    assert client.get(f"/api/v1/tenants/komi/events/{event_id}/agenda").get_json()["items"] == []
    headers = {"Authorization": f"Bearer {secret}"}
    bad = client.post(
        f"/api/v1/tenants/komi/events/{event_id}/registrations",
        json={"category": "expert", "region": "11", "organisation": "X"},
        headers=headers,
    )
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "consent"
    ok = client.post(
        f"/api/v1/tenants/komi/events/{event_id}/registrations",
        json={"category": "expert", "region": "11", "organisation": "X", "consent": True},
        headers=headers,
    )
    assert ok.status_code == 201 and ok.get_json()["status"] == "confirmed"
    mine = client.get("/api/v1/tenants/komi/registrations", headers=headers).get_json()
    assert [r["event_id"] for r in mine["items"]] == [event_id]
    assert (
        client.get(f"/api/v1/tenants/komi/events/{event_id}/participants", headers=headers).status_code == 403
    )
    staff_view = client.get(
        f"/api/v1/tenants/komi/events/{event_id}/participants",
        headers={"Authorization": f"Bearer {staff_secret}"},
    ).get_json()
    assert len(staff_view["items"]) == 1 and staff_view["items"][0]["email"] == "api@example.test"
    assert staff_view["next_cursor"] is None


def test_every_staff_and_public_page_renders_in_both_languages(client, model_event, make_user, login, person):
    event_id, tenant_id = model_event.id, model_event.tenant_id
    rep = make_user(email="rep@example.com")
    staff = make_user("center_admin", email="boss@example.com")
    with tenant_scope(db.session, tenant_id):
        event = db.session.get(type(model_event), event_id)
        registration = registration_services.register(event, person())
        item_id, organiser_id = event.agenda_items[1].id, event.organisers[0].id
        registration_id, ticket = registration.id, ticket_token(registration)
    from clusterhub.enterprises.services.profiles import get_or_create_by_inn
    from clusterhub.enterprises.services.representatives import add_representative

    enterprise, _ = get_or_create_by_inn("1101000016", "ООО «Лузалес»")
    add_representative(enterprise, rep, confirmed=True)
    db.session.commit()
    login(staff)
    base = f"/komi/staff/events/{event_id}"
    pages = [
        "/komi/staff/events/",
        "/komi/staff/events/new",
        base,
        base + "/edit",
        base + "/agenda/new",
        f"{base}/agenda/{item_id}",
        base + "/participants",
        f"{base}/participants/{registration_id}",
        base + "/statistics",
        base + "/check-in",
        f"{base}/check-in?item={item_id}",
        base + "/badges",
        f"{base}/badges/{registration_id}",
        f"/komi/events/ticket/{ticket}",
        "/komi/events/",
        "/calendar",
        f"/komi/events/{event_id}/register",
    ]
    for language in ("ru", "en"):
        assert client.post("/lang", data={"lang": language, "next": "/"}).status_code == 302
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
    # the check-in page offers camera scanning without any external script
    # (a static script of our own, the only page whose Permissions-Policy lets it ask for the camera)
    check_in_page = client.get(base + "/check-in")
    assert re.search(r'src="/static/check_in.js\?v=[0-9a-f]+"', check_in_page.get_data(as_text=True))
    assert 'src="http' not in check_in_page.get_data(as_text=True)
    assert "camera=(self)" in check_in_page.headers["Permissions-Policy"]
    client.post("/logout")
    login(rep)
    page = client.get(f"/komi/events/{event_id}/register/group").get_data(as_text=True)
    assert "Лузалес" in page
    response = client.post(
        f"/komi/events/{event_id}/register/group",
        data={
            "enterprise_id": enterprise.id,
            "category": "enterprise",
            "region_id": region_id("11"),
            "consent": "y",
            "people": "Иван Иванов; ivan@example.com; инженер\nПётр Петров; petr@example.com",
        },
    )
    assert response.status_code == 302
    with tenant_scope(db.session, tenant_id):
        names = db.session.scalars(
            sa.select(Registration.full_name).where(Registration.enterprise_id == enterprise.id)
        ).all()
    assert sorted(names) == ["Иван Иванов", "Пётр Петров"]
    assert organiser_id


def test_staff_home_links_to_sessions(client, make_event, make_user, login):
    make_event(title_ru="Черновик сессии", publish=False)
    login(make_user("center_staff", email="home@example.com"))
    assert "/komi/staff/events/new" in client.get("/komi/staff/").get_data(as_text=True)


def test_anonymous_event_page_is_served_from_cache_until_the_event_changes(client, make_event, person):
    from clusterhub.events.views import cache

    cache.clear()
    event = make_event(capacity=10)
    event_id, tenant_id = event.id, event.tenant_id
    first = client.get(f"/komi/events/{event_id}").get_data(as_text=True)
    with count_queries() as counter:
        second = client.get(f"/komi/events/{event_id}").get_data(as_text=True)
    assert counter["n"] <= 2  # the tenant and the event's version, nothing else
    # the same page but for the CSP nonce, which is new on every response (an anonymous page has no CSRF
    # token, whose signing time would differ from one second to the next)
    assert re.sub(r'nonce="[^"]+"', "", second) == re.sub(r'nonce="[^"]+"', "", first)
    # an anonymous reader's page carries no CSRF token, so reading it starts no session
    assert cache.CSRF_MARKER not in second and 'name="csrf_token"' not in second
    english = client.get(f"/komi/events/{event_id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Participants" in english and english != first
    with tenant_scope(db.session, tenant_id):
        registration_services.register(db.session.get(type(event), event_id), person())
    db.session.commit()
    after = client.get(f"/komi/events/{event_id}").get_data(as_text=True)
    assert after != first
    assert '<dd class="col-4">1</dd>' in after and '<dd class="col-4">1</dd>' not in first
