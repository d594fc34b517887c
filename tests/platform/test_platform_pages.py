import sqlalchemy as sa

from clusterhub.extensions import db
from clusterhub.regions.models import Region
from clusterhub.tenancy.models import Tenant
from tests.fixtures.pages import QueryCounter


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["status"] == "ok"


def test_readyz_reports_pending_migrations(app, client):
    from clusterhub.core import readiness

    assert readiness.migrations_pending(app.extensions["migrate"].directory, {"0001_foundation"})
    assert not readiness.migrations_pending(app.extensions["migrate"].directory, {"future_revision"})


def test_platform_admin_creates_edits_and_suspends_a_center(client, make_user, login):
    login(make_user("platform_admin"))
    region_id = db.session.scalar(sa.select(Region.id).where(Region.tax_code == "13"))
    response = client.post(
        "/admin/tenants/new",
        data={
            "slug": "mordovia",
            "name_ru": "ЦКР Мордовии",
            "name_en": "Mordovia CDC",
            "region_id": region_id,
            "default_locale": "ru",
            "email": "ckr@mordovia.example.com",
        },
    )
    assert response.status_code == 302
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "mordovia"))
    assert tenant.timezone == "Europe/Moscow"  # from the region

    duplicate = client.post(
        "/admin/tenants/new",
        data={
            "slug": "mordovia",
            "name_ru": "Другой",
            "name_en": "Other",
            "region_id": region_id,
            "default_locale": "ru",
        },
        headers={"Accept-Language": "en"},
    )
    assert duplicate.status_code == 200 and "already taken" in duplicate.get_data(as_text=True)

    client.post(
        f"/admin/tenants/{tenant.id}/edit",
        data={
            "slug": "mordovia",
            "name_ru": "ЦКР Республики Мордовия",
            "name_en": "Mordovia CDC",
            "region_id": region_id,
            "default_locale": "ru",
            "phone": "+7 8342 00-00-00",
        },
    )
    db.session.refresh(tenant)
    assert tenant.name_ru == "ЦКР Республики Мордовия" and tenant.phone == "+7 8342 00-00-00"

    confirm = client.get(f"/admin/tenants/{tenant.id}/status")
    assert confirm.status_code == 200  # a confirmation page before suspending
    client.post(f"/admin/tenants/{tenant.id}/status", data={})
    client.post("/logout")
    assert client.get("/mordovia/").status_code == 404
    assert db.session.scalar(sa.select(Tenant.status).where(Tenant.slug == "mordovia")) == "suspended"


def test_a_suspended_center_stays_visible_to_platform_admins(client, make_tenant, make_user, login):
    from clusterhub.centers.services import set_tenant_status

    set_tenant_status(make_tenant("komi"), "suspended")
    db.session.commit()
    assert client.get("/komi/").status_code == 404
    assert "komi" not in client.get("/").get_data(as_text=True)
    login(make_user("platform_admin"))
    assert client.get("/komi/").status_code == 200


def test_center_home_runs_a_constant_number_of_queries(app, client, make_tenant, make_user):
    make_tenant("komi")
    client.get("/komi/")
    with QueryCounter(db.engine) as one_center:
        client.get("/komi/")
    for slug in ("tatarstan", "kaliningrad", "mordovia"):
        make_tenant(slug)
    with QueryCounter(db.engine) as four_centers:
        client.get("/komi/")
    assert one_center.count == four_centers.count <= 3


def test_home_runs_a_constant_number_of_queries(app, client, make_tenant):
    make_tenant("komi")
    with QueryCounter(db.engine) as few:
        client.get("/")
    for slug in ("tatarstan", "kaliningrad", "mordovia"):
        make_tenant(slug)
    with QueryCounter(db.engine) as more:
        client.get("/")
    assert few.count == more.count


def test_the_regions_reference_holds_all_89_subjects():
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Region))
    districts = set(db.session.scalars(sa.select(Region.federal_district)))
    assert count == 89
    assert districts == {"CFD", "NWFD", "SFD", "NCFD", "VFD", "UFD", "SibFD", "FEFD"}
