"""What every tenant request pays: one statement for tenancy, a fresh view of the center's status."""

import os

import pytest
import sqlalchemy as sa

from clusterhub.extensions import db
from clusterhub.tenancy import row_cache
from clusterhub.tenancy.models import TenantStatus
from tests.fixtures.app import BACKEND

EN = {"Accept-Language": "en"}


class Statements:
    def __init__(self):
        self.sql = []

    def __call__(self, conn, cursor, statement, *args):
        self.sql.append(statement)

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self)


def test_an_anonymous_center_home_costs_one_statement_for_tenancy(client, make_tenant, backend):
    make_tenant(slug="komi")
    client.get("/komi/", headers=EN)  # templates compiled, menus built

    with Statements() as seen:
        assert client.get("/komi/", headers=EN).status_code == 200

    tenancy = [s for s in seen.sql if "tenants" in s or "set_config" in s]
    assert len(tenancy) == 1, tenancy
    if backend == "postgresql":
        assert "set_config" in tenancy[0]  # the scope opens with the row: no separate round trip
    assert not [s for s in seen.sql if s.strip().upper() == "SELECT 1"], "no pool ping per request"


def test_a_staff_page_reads_the_user_and_their_role_in_one_statement(client, make_tenant, make_user, login):
    tenant = make_tenant(slug="komi")
    login(make_user(role="center_staff", tenant=tenant))
    client.get("/komi/staff/", headers=EN)  # templates compiled, menus built

    with Statements() as seen:
        assert client.get("/komi/staff/", headers=EN).status_code == 200

    people = [s for s in seen.sql if "FROM users" in s or "memberships.role" in s]
    assert len(people) == 1 and "JOIN memberships" in people[0], people


def test_a_member_of_another_center_gets_no_staff_page_here(client, make_tenant, make_user, login):
    make_tenant(slug="komi")
    elsewhere = make_tenant(slug="tatarstan")
    login(make_user(role="center_admin", tenant=elsewhere))

    assert client.get("/komi/staff/", headers=EN).status_code == 403
    assert client.get("/tatarstan/staff/", headers=EN).status_code == 200


def test_a_center_suspended_a_moment_ago_is_refused_on_the_next_request(client, make_tenant):
    tenant = make_tenant(slug="komi")
    assert client.get("/komi/", headers=EN).status_code == 200

    tenant.status = TenantStatus.SUSPENDED
    db.session.commit()

    assert client.get("/komi/", headers=EN).status_code == 404
    tenant.status = TenantStatus.ACTIVE
    db.session.commit()
    assert client.get("/komi/", headers=EN).status_code == 200


def test_an_anonymous_reader_gets_no_session_cookie(client, make_tenant, make_event):
    make_tenant(slug="komi")
    event = make_event()
    for path in (
        "/",
        "/komi/",
        f"/komi/events/{event.id}",
        f"/komi/events/{event.id}",
        "/enterprises/",
        "/services/",
    ):
        response = client.get(path, headers=EN)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path


def test_an_anonymous_visitor_switches_language_without_a_token_and_a_user_only_with_one(
    app, client, make_tenant, make_user, login
):
    make_tenant(slug="komi")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        switched = client.post("/lang", data={"lang": "en", "next": "/komi/"})
        assert switched.status_code == 302 and switched.headers["Location"].endswith("/komi/")
        assert '<html lang="en">' in client.get("/komi/").get_data(as_text=True)

        app.config["WTF_CSRF_ENABLED"] = False
        login(make_user())
        app.config["WTF_CSRF_ENABLED"] = True
        assert client.post("/lang", data={"lang": "ru"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_an_anonymous_center_home_is_served_from_the_cache_until_the_center_changes(client, make_tenant):
    tenant = make_tenant(slug="komi")
    client.get("/komi/", headers=EN)
    with Statements() as seen:
        first = client.get("/komi/", headers=EN).get_data(as_text=True)
    assert len(seen.sql) == 1  # the tenant's row, which is also the page's version

    tenant.name_en = "Komi Cluster Development Center"
    db.session.commit()

    assert "Komi Cluster Development Center" in client.get("/komi/", headers=EN).get_data(as_text=True)
    assert "Komi Cluster Development Center" not in first


# A database of its own per backend: the two passes of `make test` run at the same time and flush it.
REDIS = f"redis://127.0.0.1:6379/{14 if BACKEND == 'sqlite' else 13}"


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=0.2).ping())
    except Exception:
        return False


@pytest.fixture
def shared_redis(app, monkeypatch):
    """The application as production runs it: with Redis shared by every worker (CI has it)."""
    if not _redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("CI: Redis is required at 127.0.0.1:6379")
        pytest.skip("Redis not reachable at 127.0.0.1:6379 (CI has it)")
    import redis

    redis.Redis.from_url(REDIS).flushdb()  # ids are reused between tests, never in production
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS)
    row_cache.rows.forget()
    yield
    row_cache.rows.forget()


def test_with_redis_a_cached_center_home_does_not_touch_the_database(client, make_tenant, shared_redis):
    make_tenant(slug="komi")
    client.get("/komi/", headers=EN)  # the row is kept by this worker, the page by the cache

    with Statements() as seen:
        response = client.get("/komi/", headers=EN)
    assert response.status_code == 200
    assert seen.sql == [], seen.sql


def test_with_redis_a_suspended_center_is_refused_on_the_next_request(client, make_tenant, shared_redis):
    tenant = make_tenant(slug="komi")
    assert client.get("/komi/", headers=EN).status_code == 200
    assert client.get("/komi/", headers=EN).status_code == 200  # served from the worker's row

    tenant.status = TenantStatus.SUSPENDED
    db.session.commit()  # the commit bumps the shared version: every worker drops its rows

    assert client.get("/komi/", headers=EN).status_code == 404
    tenant.status = TenantStatus.ACTIVE
    db.session.commit()
    assert client.get("/komi/", headers=EN).status_code == 200


def test_a_change_made_elsewhere_reaches_this_worker_through_the_shared_version(
    client, make_tenant, shared_redis
):
    """Another worker or pod renamed the center: this worker's row is replaced on the next request."""
    import redis

    tenant = make_tenant(slug="komi")
    client.get("/komi/", headers=EN)
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE tenants SET name_en = 'Renamed Komi' WHERE id = :id"), {"id": tenant.id})
    assert "Renamed Komi" not in client.get("/komi/", headers=EN).get_data(as_text=True)  # not yet bumped
    redis.Redis.from_url(REDIS).incr(row_cache.VERSION_KEY)
    assert "Renamed Komi" in client.get("/komi/", headers=EN).get_data(as_text=True)


def test_with_redis_a_kept_center_home_is_rendered_without_a_query(client, make_tenant, shared_redis):
    """The worker keeps the center's row with its region: rendering the home page again needs no query."""
    import redis

    from clusterhub.centers.views import _anonymous_homes

    make_tenant(slug="komi")
    client.get("/komi/", headers=EN)  # the row is kept by this worker
    _anonymous_homes.clear()
    shared = redis.Redis.from_url(REDIS)
    shared.delete(*shared.keys("clusterhub:page:*"))  # and the page is kept nowhere

    with Statements() as seen:
        response = client.get("/komi/", headers=EN)
    assert response.status_code == 200 and "Komi Republic" in response.get_data(as_text=True)
    assert seen.sql == [], seen.sql


def test_with_redis_a_kept_center_still_reads_only_its_own_rows(
    client, make_tenant, make_event, make_user, login, shared_redis, backend
):
    """A page that reads the database after the center's row came from the worker runs in the center's
    scope: another center's event is not found, and staff are checked against this center."""
    from clusterhub.events.views import cache as event_pages

    komi = make_tenant(slug="komi")
    tatarstan = make_tenant(slug="tatarstan")
    own = make_event(tenant=komi, title_en="Komi forum").id
    other = make_event(tenant=tatarstan, title_en="Kazan forum").id
    client.get("/komi/", headers=EN)
    client.get("/tatarstan/", headers=EN)  # both rows are kept by this worker
    event_pages.clear()

    with Statements() as seen:
        page = client.get(f"/komi/events/{own}", headers=EN)
    assert page.status_code == 200 and "Komi forum" in page.get_data(as_text=True)
    assert not [s for s in seen.sql if "FROM tenants" in s], "the row came from the worker"
    if backend == "postgresql":
        assert any("set_config" in s for s in seen.sql), "the scope opens with the first transaction"
    assert client.get(f"/komi/events/{other}", headers=EN).status_code == 404
    assert client.get(f"/tatarstan/events/{other}", headers=EN).status_code == 200

    login(make_user(role="center_staff", tenant=komi))
    assert client.get("/komi/staff/", headers=EN).status_code == 200
    assert client.get("/tatarstan/staff/", headers=EN).status_code == 403


def test_without_an_answering_redis_the_row_is_read_from_the_database(client, make_tenant, app, monkeypatch):
    make_tenant(slug="komi")
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    row_cache.rows.forget()
    assert client.get("/komi/", headers=EN).status_code == 200
    with Statements() as seen:
        assert client.get("/komi/", headers=EN).status_code == 200
    assert [s for s in seen.sql if "tenants" in s]


def test_with_redis_a_cached_event_page_does_not_touch_the_database_until_the_center_writes(
    client, make_tenant, make_event, shared_redis
):
    from clusterhub.events.views import cache as event_pages
    from clusterhub.tenancy.scoping import tenant_scope

    tenant = make_tenant(slug="komi")
    event = make_event(title_en="Practical session on clusters")
    event_pages.clear()
    path = f"/komi/events/{event.id}"
    client.get(path, headers=EN)

    with Statements() as seen:
        response = client.get(path, headers=EN)
    assert response.status_code == 200 and "Practical session on clusters" in response.get_data(as_text=True)
    assert seen.sql == [], seen.sql

    with tenant_scope(db.session, tenant.id):
        db.session.merge(event).title_en = "Practical session, second edition"
        db.session.commit()  # any write of the center moves its shared version

    assert "second edition" in client.get(path, headers=EN).get_data(as_text=True)


def test_with_redis_a_cached_event_page_asks_redis_once(
    client, make_tenant, make_event, shared_redis, monkeypatch
):
    """The rows' version and the center's content version come in one round trip."""
    import redis

    from clusterhub.events.views import cache as event_pages

    make_tenant(slug="komi")
    event = make_event(title_en="Practical session on clusters")
    event_pages.clear()
    path = f"/komi/events/{event.id}"
    client.get(path, headers=EN)
    commands = []
    send = redis.Connection.send_command

    def counted(self, *args, **options):
        commands.append(args[0])
        return send(self, *args, **options)

    monkeypatch.setattr(redis.Connection, "send_command", counted)
    response = client.get(path, headers=EN)

    assert response.status_code == 200 and "Practical session on clusters" in response.get_data(as_text=True)
    assert commands == ["MGET"]


def test_with_redis_a_repeated_service_search_touches_no_database_until_a_center_writes(
    client, make_tenant, make_technopark, make_service, shared_redis, tp_request_context
):
    from clusterhub.technoparks.models import ServiceOffer
    from clusterhub.tenancy.scoping import tenant_scope

    komi = make_technopark(make_tenant("komi"), name_ru="Алграф")
    make_technopark(make_tenant("tatarstan"), name_ru="Казанский технопарк")
    service = make_service(komi, name_ru="Испытания металлов на растяжение", price="1000", vat="plus_20")
    path = "/services/?q=испытания"
    first = client.get(path, headers=EN).get_data(as_text=True)
    assert "Испытания металлов" in first

    with Statements() as seen:
        again = client.get(path, headers=EN)
    assert again.status_code == 200 and "Испытания металлов" in again.get_data(as_text=True)
    assert seen.sql == [], seen.sql

    with tenant_scope(db.session, komi.tenant_id):  # a write in any one center moves the platform's version
        db.session.get(ServiceOffer, service.id).name_ru = "Испытания сплавов на растяжение"
        db.session.commit()
    answer = client.get(path, headers=EN).get_data(as_text=True)
    assert "Испытания сплавов" in answer and "Испытания металлов" not in answer


def test_a_kept_search_page_is_not_served_to_another_viewer(
    client, make_tenant, make_technopark, make_service, make_user, login, shared_redis, tp_request_context
):
    komi = make_technopark(make_tenant("komi"), name_ru="Алграф")
    make_service(komi, name_ru="Испытания металлов на растяжение", price="1000", vat="plus_20")
    reader = make_user(email="reader@example.com", name="Читатель Первый")
    client.get("/services/?q=испытания", headers=EN)  # kept for the anonymous visitor

    login(reader)
    page = client.get("/services/?q=испытания", headers=EN).get_data(as_text=True)
    assert "Читатель Первый" in page  # rendered for this viewer, with their own menu


def test_with_redis_a_reopened_participant_list_reads_no_registration_until_the_center_writes(
    client, make_tenant, make_user, login, shared_redis
):
    from clusterhub.events.models import Registration
    from clusterhub.tenancy.scoping import tenant_scope
    from clusterhub_dev.bench.events import build

    tenant = make_tenant("komi")
    staff = make_user("center_staff", tenant=tenant, email="staff@example.com", name="Первый Сотрудник")
    colleague = make_user(
        "center_staff", tenant=tenant, email="colleague@example.com", name="Второй Сотрудник"
    )
    event_id = build(tenant, items=3, registrations=60).id
    path = f"/komi/staff/events/{event_id}/participants"
    login(staff)
    client.get(path, headers=EN)  # shows (and so clears) the greeting after logging in: rendered, not kept
    client.get(path, headers=EN)

    with Statements() as seen:
        page = client.get(path, headers=EN)
    assert page.status_code == 200 and "Первый Сотрудник" in page.get_data(as_text=True)
    assert not [s for s in seen.sql if "registrations" in s], seen.sql

    with tenant_scope(db.session, tenant.id):  # any write of the center: the list is read again
        first = db.session.scalars(
            sa.select(Registration).where(Registration.event_id == event_id).order_by(Registration.full_name)
        ).first()
        first.full_name = "Аaронова Анна"
        db.session.commit()
    assert "Аaронова Анна" in client.get(path, headers=EN).get_data(as_text=True)

    client.post("/logout")
    login(colleague)
    mine = client.get(path, headers=EN).get_data(as_text=True)
    assert "Второй Сотрудник" in mine and "Первый Сотрудник" not in mine  # nobody gets another's page


def test_a_center_page_names_its_center_for_the_access_log_and_a_platform_page_names_none(
    client, make_tenant
):
    make_tenant(slug="komi")
    assert client.get("/komi/", headers=EN).headers.get_all("X-Tenant") == ["komi"]
    for path in ("/healthz", "/services/"):  # gunicorn's access line writes "-" for these
        assert "X-Tenant" not in client.get(path, headers=EN).headers, path
