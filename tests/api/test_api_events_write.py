"""Staff run a session over the API: create, change, publish and cancel it; build its agenda; register
people, confirm and cancel them, check them in at the door with a scanner that retries; and a client
syncs participants page by page and since a moment. Every write goes through the events services, so the
refusals are the staff pages' own, in the user's language."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from clusterhub.accounts.services.api_tokens import create_api_token
from clusterhub.audit.models import AuditEntry
from clusterhub.events.models import Event, Registration
from clusterhub.events.services import registration as registration_services
from clusterhub.extensions import db
from clusterhub.tenancy.scoping import tenant_scope

BASE = "/api/v1/tenants/komi"


def plain(event) -> SimpleNamespace:
    """The event's values, read at once: on PostgreSQL, RLS hides the row from the test's session outside
    the center's scope once a commit has expired it."""
    return SimpleNamespace(id=event.id, tenant_id=event.tenant_id, start_date=event.start_date)


def bearer(user) -> dict:
    _token, secret = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def staff(make_tenant, make_user):
    make_tenant("komi")
    return bearer(make_user("center_staff", locale="en"))


def _session_body(**values):
    start = date.today() + timedelta(days=30)
    return {
        "title_ru": "Практическая сессия",
        "title_en": "Practical session",
        "description_ru": "Кооперация в лесопромышленном комплексе",
        "kind": "practical_session",
        "city_ru": "Сыктывкар",
        "city_en": "Syktyvkar",
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=1)).isoformat(),
        "capacity": 100,
        "requires_approval": False,
        **values,
    }


def test_staff_create_change_publish_and_cancel_a_session(client, staff):
    created = client.post(f"{BASE}/events", json=_session_body(), headers=staff)
    assert created.status_code == 201, created.json
    event = created.json
    assert event["status"] == "draft" and event["city_en"] == "Syktyvkar" and event["region"] == "11"
    assert event["description_ru"].startswith("Кооперация") and event["requires_approval"] is False
    # a draft is the staff's: the public API does not know it
    assert client.get(f"{BASE}/events/{event['id']}").status_code == 404
    assert [e["id"] for e in client.get(f"{BASE}/events", headers=staff).json["items"]] == [event["id"]]
    assert client.get(f"{BASE}/events").json["items"] == []

    read = client.get(f"{BASE}/events/{event['id']}", headers=staff)
    assert read.headers["ETag"] == created.headers["ETag"]  # the creation's ETag serves the first update
    changed = client.patch(
        f"{BASE}/events/{event['id']}",
        json={"capacity": 40, "requires_approval": True},
        headers=staff | {"If-Match": read.headers["ETag"]},
    )
    assert changed.status_code == 200 and changed.json["capacity"] == 40
    assert changed.json["requires_approval"] is True and changed.json["title_ru"] == "Практическая сессия"
    assert changed.headers["ETag"] != read.headers["ETag"]

    published = client.post(f"{BASE}/events/{event['id']}/publish", headers=staff)
    assert published.status_code == 200 and published.json["status"] == "published"
    assert client.get(f"{BASE}/events/{event['id']}").status_code == 200
    cancelled = client.post(f"{BASE}/events/{event['id']}/cancel", headers=staff)
    assert cancelled.json["status"] == "cancelled"
    # the workflow's refusal: a cancelled session is not published again directly
    again = client.post(f"{BASE}/events/{event['id']}/publish", headers=staff)
    assert again.status_code == 422 and "cannot go from this state" in again.json["error"]["message"]


def test_a_session_refused_by_the_service_says_why_in_both_languages(client, make_tenant, make_user):
    make_tenant("komi")
    english = bearer(make_user("center_admin", locale="en"))
    russian = bearer(make_user("center_admin", locale="ru"))
    start = date.today() + timedelta(days=30)
    body = _session_body(end_date=(start - timedelta(days=1)).isoformat(), start_date=start.isoformat())
    en = client.post(f"{BASE}/events", json=body, headers=english)
    ru = client.post(f"{BASE}/events", json=body, headers=russian)
    assert en.status_code == ru.status_code == 422
    assert en.json["error"]["field"] == ru.json["error"]["field"] == "end_date"
    assert en.json["error"]["message"] == "The session cannot end before it starts."
    assert (
        ru.json["error"]["message"] != en.json["error"]["message"]
        and "сесси" in ru.json["error"]["message"].lower()
    )
    with tenant_scope(db.session, make_tenant("komi").id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_a_body_that_does_not_fit_the_model_names_the_field_in_both_languages(client, make_tenant, make_user):
    make_tenant("komi")
    english = bearer(make_user("center_admin", locale="en"))
    russian = bearer(make_user("center_admin", locale="ru"))
    body = _session_body(kind="party", surprise=1)
    en = client.post(f"{BASE}/events", json=body, headers=english).json["error"]
    ru = client.post(f"{BASE}/events", json=body, headers=russian).json["error"]
    assert en["code"] == 422 and en["field"] == ru["field"] == "kind"
    assert en["message"].startswith("kind: Choose one of:") and "practical_session" in en["message"]
    assert ru["message"].startswith("kind: Выберите одно из:")
    unknown = client.post(f"{BASE}/events", json=_session_body(surprise=1), headers=english).json["error"]
    assert unknown["field"] == "surprise" and "not known" in unknown["message"]
    not_json = client.post(f"{BASE}/events", data="x", headers=english)
    assert not_json.status_code == 400 and "JSON object" in not_json.json["error"]["message"]


def test_two_clients_cannot_overwrite_each_other_silently(client, staff, make_user, make_event):
    event = plain(make_event())
    other = bearer(make_user("center_admin", locale="en"))
    url = f"{BASE}/events/{event.id}"
    tag_a = client.get(url, headers=staff).headers["ETag"]
    tag_b = client.get(url, headers=other).headers["ETag"]
    assert tag_a == tag_b
    first = client.patch(url, json={"city_ru": "Ухта"}, headers=staff | {"If-Match": tag_a})
    assert first.status_code == 200
    stale = client.patch(url, json={"city_ru": "Печора"}, headers=other | {"If-Match": tag_b})
    assert stale.status_code == 412
    assert (
        stale.json["error"]["field"] == "If-Match"
        and "has changed since you read it" in stale.json["error"]["message"]
    )
    assert client.get(url, headers=other).json["city_ru"] == "Ухта"
    fresh = client.get(url, headers=other)
    assert fresh.headers["ETag"] == first.headers["ETag"]
    assert client.get(url, headers=other | {"If-None-Match": fresh.headers["ETag"]}).status_code == 304
    retried = client.patch(
        url, json={"city_ru": "Печора"}, headers=other | {"If-Match": fresh.headers["ETag"]}
    )
    assert retried.status_code == 200 and retried.json["city_ru"] == "Печора"


def test_staff_build_the_agenda_with_hosts_and_speakers(client, staff, make_event, make_enterprise):
    event = plain(make_event())
    host = make_enterprise(name="АО «Монди СЛПК»")
    day = event.start_date.isoformat()
    created = client.post(
        f"{BASE}/events/{event.id}/agenda",
        json={
            "title_ru": "Посещение комбината",
            "kind": "site_visit",
            "starts_at": f"{day}T10:00",
            "ends_at": f"{day}T12:00",
            "site_address_ru": "Эжва, ул. Бумажников, 2",
            "host_inns": [host.inn],
            "speakers": ["Иванов И. И., главный инженер"],
            "seat_limit": 20,
        },
        headers=staff,
    )
    assert created.status_code == 201, created.json
    item = created.json
    assert item["hosts"] == [{"inn": host.inn, "name": host.name}]
    assert item["speakers"] == ["Иванов И. И., главный инженер"]
    assert item["starts_at"] == f"{day}T07:00:00Z"  # Syktyvkar is UTC+3; the API answers in UTC
    url = f"{BASE}/events/{event.id}/agenda/{item['id']}"
    tag = client.get(url).headers["ETag"]
    moved = client.patch(
        url,
        json={"starts_at": f"{day}T08:00:00Z", "ends_at": f"{day}T10:00:00Z"},
        headers=staff | {"If-Match": tag},
    )
    assert moved.status_code == 200 and moved.json["starts_at"] == f"{day}T08:00:00Z"
    assert moved.json["hosts"] == item["hosts"] and moved.json["seat_limit"] == 20
    outside = client.patch(url, json={"starts_at": "2001-01-01T10:00"}, headers=staff)
    assert outside.status_code == 422 and outside.json["error"]["field"] == "starts_at"
    agenda = client.get(f"{BASE}/events/{event.id}/agenda").json
    assert [i["id"] for i in agenda["items"]] == [item["id"]] and agenda["next_cursor"] is None
    assert client.delete(url, headers=staff).status_code == 204
    assert client.get(url).status_code == 404


def _participant(n=1, **values):
    return {
        "full_name": f"Петров Пётр {n}",
        "email": f"petrov{n}@example.com",
        "category": "enterprise",
        "region": "11",
        "organisation": "ООО «Лузалес»",
        "consent": True,
        **values,
    }


def test_staff_register_someone_else_correct_and_cancel(client, staff, make_event):
    event = plain(make_event())
    url = f"{BASE}/events/{event.id}/participants"
    created = client.post(url, json=_participant(), headers=staff)
    assert created.status_code == 201 and created.json["status"] == "confirmed"
    twice = client.post(url, json=_participant(), headers=staff)
    assert twice.status_code == 422 and twice.json["error"]["field"] == "email"
    no_consent = client.post(url, json=_participant(2, consent=False), headers=staff)
    assert no_consent.status_code == 422 and no_consent.json["error"]["field"] == "consent"
    one = f"{url}/{created.json['id']}"
    tag = client.get(one, headers=staff).headers["ETag"]
    fixed = client.patch(
        one, json={"position": "Директор", "region": "16"}, headers=staff | {"If-Match": tag}
    )
    assert fixed.status_code == 200 and fixed.json["position"] == "Директор" and fixed.json["region"] == "16"
    cancelled = client.post(f"{one}/cancel", headers=staff)
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert client.post(f"{one}/cancel", headers=staff).status_code == 422


def test_staff_confirm_a_guest_whose_mail_never_arrived(client, staff, make_event, person):
    event = plain(make_event())
    with tenant_scope(db.session, event.tenant_id):
        guest = registration_services.register(db.session.get(Event, event.id), person(), guest=True)
        db.session.commit()
        guest_id = guest.id
    confirmed = client.post(f"{BASE}/events/{event.id}/participants/{guest_id}/confirm", headers=staff)
    assert confirmed.status_code == 200 and confirmed.json["status"] == "confirmed"


def _checked_in_entries(tenant_id) -> int:
    with tenant_scope(db.session, tenant_id):
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "event.checked_in")
        )


def test_a_scanners_retry_with_the_same_idempotency_key_changes_nothing(client, staff, make_event, person):
    event = plain(make_event())
    with tenant_scope(db.session, event.tenant_id):
        registration = registration_services.register(db.session.get(Event, event.id), person())
        db.session.commit()
        code = registration.code
    url = f"{BASE}/events/{event.id}/check-in"
    first = client.post(url, json={"code": code.lower()}, headers=staff | {"Idempotency-Key": "scan-1"})
    assert first.status_code == 200 and first.json["fresh"] is True
    retry = client.post(url, json={"code": code.lower()}, headers=staff | {"Idempotency-Key": "scan-1"})
    assert retry.status_code == 200 and retry.get_data() == first.get_data()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert _checked_in_entries(event.tenant_id) == 1
    # a second scan (another key) is told the person is already in; still one check-in
    second = client.post(url, json={"code": code}, headers=staff | {"Idempotency-Key": "scan-2"})
    assert second.json["fresh"] is False and "already checked in" in second.json["message"]
    assert _checked_in_entries(event.tenant_id) == 1
    reused = client.post(
        f"{BASE}/events/{event.id}/check-in",
        json={"code": "ZZZ"},
        headers=staff | {"Idempotency-Key": "scan-1"},
    )
    assert reused.status_code == 200  # the same operation: the first answer again
    unknown = client.post(url, json={"code": "NOPE"}, headers=staff | {"Idempotency-Key": "scan-3"})
    assert unknown.status_code == 422 and unknown.json["error"]["message"] == "No registration has this code."
    # a refused attempt stores nothing: the key can be used again once the code is right
    again = client.post(url, json={"code": code}, headers=staff | {"Idempotency-Key": "scan-3"})
    assert again.status_code == 200


def test_a_client_syncs_participants_page_by_page_and_since_a_moment(client, staff, make_event, person):
    event = plain(make_event())
    with tenant_scope(db.session, event.tenant_id):
        loaded = db.session.get(Event, event.id)
        ids = [registration_services.register(loaded, person()).id for _ in range(5)]
        db.session.execute(sa.update(Registration).values(updated_at=datetime(2026, 1, 1)))
        db.session.commit()
    url = f"{BASE}/events/{event.id}/participants"
    seen, cursor, pages = [], None, 0
    while True:
        page = client.get(
            url, query_string={"limit": 2, **({"cursor": cursor} if cursor else {})}, headers=staff
        ).json
        seen += [r["id"] for r in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids) and pages == 3
    client.post(f"{url}/{ids[2]}/cancel", headers=staff)
    changed = client.get(url, query_string={"updated_since": "2026-06-01T00:00:00Z"}, headers=staff).json
    assert [(r["id"], r["status"]) for r in changed["items"]] == [(ids[2], "cancelled")]
    assert (
        client.get(url, query_string={"cursor": "not-ours"}, headers=staff).json["error"]["field"] == "cursor"
    )
    bad = client.get(url, query_string={"updated_since": "yesterday"}, headers=staff)
    assert bad.status_code == 400 and bad.json["error"]["field"] == "updated_since"
    filtered = client.get(url, query_string={"status": "cancelled"}, headers=staff).json["items"]
    assert [r["id"] for r in filtered] == [ids[2]]


@pytest.mark.parametrize("role", ["expert", "other_admin", "federal_analyst", "anonymous"])
def test_only_the_centers_staff_write(client, make_tenant, make_user, make_event, role):
    event = plain(make_event())
    make_tenant("tatarstan")
    headers = {
        "expert": lambda: bearer(make_user("expert", locale="en")),
        "other_admin": lambda: bearer(
            make_user("center_admin", tenant=make_tenant("tatarstan"), locale="en")
        ),
        "federal_analyst": lambda: bearer(make_user("federal_analyst", locale="en")),
        "anonymous": lambda: {},
    }[role]()
    expected = 401 if role == "anonymous" else 403
    assert client.post(f"{BASE}/events", json=_session_body(), headers=headers).status_code == expected
    assert (
        client.patch(f"{BASE}/events/{event.id}", json={"capacity": 1}, headers=headers).status_code
        == expected
    )
    assert (
        client.post(
            f"{BASE}/events/{event.id}/participants", json=_participant(), headers=headers
        ).status_code
        == expected
    )
    assert (
        client.post(f"{BASE}/events/{event.id}/check-in", json={"code": "X"}, headers=headers).status_code
        == expected
    )


def test_another_centers_session_is_not_found_from_its_own_address(
    client, make_tenant, make_user, make_event
):
    event = plain(make_event())
    tatarstan = make_tenant("tatarstan")
    theirs = bearer(make_user("center_admin", tenant=tatarstan, locale="en"))
    url = f"/api/v1/tenants/tatarstan/events/{event.id}"
    assert client.patch(url, json={"capacity": 1}, headers=theirs).status_code == 404
    assert client.post(f"{url}/cancel", headers=theirs).status_code == 404
    assert client.post(f"{url}/participants", json=_participant(), headers=theirs).status_code == 404


def test_an_idempotency_key_is_kept_for_a_day(client, staff, make_event, person):
    from clusterhub.api.models import IdempotentRequest

    event = plain(make_event())
    with tenant_scope(db.session, event.tenant_id):
        code = registration_services.register(db.session.get(Event, event.id), person()).code
        db.session.commit()
    url = f"{BASE}/events/{event.id}/check-in"
    first = client.post(url, json={"code": code}, headers=staff | {"Idempotency-Key": "k"})
    assert first.json["fresh"] is True
    with tenant_scope(db.session, event.tenant_id):
        db.session.execute(sa.update(IdempotentRequest).values(created_at=datetime(2020, 1, 1)))
        db.session.commit()
    later = client.post(url, json={"code": code}, headers=staff | {"Idempotency-Key": "k"})
    assert later.status_code == 200 and "Idempotent-Replayed" not in later.headers
    assert later.json["fresh"] is False  # answered afresh: the person is already in


def test_staff_add_venues_and_organisers(client, staff, make_event):
    event = plain(make_event())
    url = f"{BASE}/events/{event.id}"
    with_venue = client.post(
        f"{url}/venues",
        json={"name_ru": "Технопарк", "address_ru": "Сыктывкар, ул. Ленина, 1"},
        headers=staff,
    )
    assert with_venue.status_code == 201 and [v["name_ru"] for v in with_venue.json["venues"]] == [
        "Технопарк"
    ]
    venue_id = with_venue.json["venues"][0]["id"]
    day = event.start_date.isoformat()
    item = client.post(
        f"{url}/agenda",
        json={
            "title_ru": "Пленарное заседание",
            "kind": "plenary",
            "starts_at": f"{day}T10:00",
            "ends_at": f"{day}T11:00",
            "venue_id": venue_id,
        },
        headers=staff,
    )
    assert item.status_code == 201 and item.json["place"] == "Технопарк"
    in_use = client.delete(f"{url}/venues/{venue_id}", headers=staff)
    assert in_use.status_code == 422 and "move them first" in in_use.json["error"]["message"]
    partner = client.post(
        f"{url}/organisers", json={"name_ru": "АНО «Развитие»", "role": "partner"}, headers=staff
    )
    assert [o["role"] for o in partner.json["organisers"]] == ["partner"]
    removed = client.delete(f"{url}/organisers/{partner.json['organisers'][0]['id']}", headers=staff)
    assert removed.status_code == 200 and removed.json["organisers"] == []
