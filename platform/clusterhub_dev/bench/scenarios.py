"""Benchmark scenarios: each builds its data in the prepared database and returns the pages to measure,
as ``(label, path)`` or ``(label, path, email)`` for a page seen by a logged-in user (password
``BENCH_PASSWORD``). Modules add theirs to SCENARIOS."""

import sqlalchemy as sa

from clusterhub.extensions import db
from clusterhub.tenancy.models import Tenant

BENCH_PASSWORD = "bench-password-123"


def bench_user(email: str, role: str | None = None, tenant_slug: str | None = None) -> str:
    from clusterhub.accounts.services import memberships, users

    user = users.find_user_by_email(email)
    if user is None:
        global_role = role if role in ("platform_admin", "federal_analyst") else None
        user = users.create_user(email, "Bench User", BENCH_PASSWORD, global_role=global_role)
        if tenant_slug:
            tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == tenant_slug))
            memberships.add_membership(user, tenant, role)
    db.session.commit()
    return email


def center_home(app):
    return [("/komi/ (center home)", "/komi/")]


def platform_home(app):
    return [("/ (platform home, every center)", "/")]


def enterprises_and_clusters(app):
    from . import enterprises as bench

    dataset = bench.build_dataset()
    db.session.commit()
    staff = bench_user("bench-staff@clusterhub.example.com", "center_staff", dataset["tenant"])
    return [
        ("/enterprises/ search, 20,000 profiles", "/enterprises/?q=лес&page=3"),
        ("/enterprises/ by ОКВЭД, 20,000 profiles", "/enterprises/?okved=16.10&region=&page=10"),
        (
            "cluster page, 150 members, 300 links",
            f"/{dataset['tenant']}/clusters/{dataset['cluster_id']}",
            staff,
        ),
    ]


def technopark_search(app):
    from . import technoparks as bench

    bench.create(tenants=85, services=200, equipment=50)
    db.session.commit()
    return [
        ("/services/ 85 centers x 200 services, text", "/services/?q=испытания"),
        (
            "/services/ filtered by category and price",
            "/services/?category=testing&price_min=1000&price_max=50000&sort=price_asc",
        ),
        ("/services/ equipment tab", "/services/?kind=equipment&district=VFD"),
    ]


def federal_dashboard(app):
    """The country-wide synthetic dataset (``BENCH_SCALE_FACTOR``, default 1) and the federal pages."""
    import os

    from ..demo import scale

    factor = float(os.environ.get("BENCH_SCALE_FACTOR", "1"))
    sizes = scale.Sizes().scaled(factor) if factor != 1 else scale.Sizes()
    scale.build(sizes)
    analyze()
    # What the worker's CronJob does (`flask reporting refresh`): this is the full computation from the
    # records, timed here because the pages below read its result.
    from clusterhub.reporting import summaries

    for code, _specialisation, milliseconds in summaries.refresh_all(summaries.periods_to_refresh()):
        print(f"    federal figures {code}: computed and stored in {milliseconds} ms", flush=True)
    analyst = bench_user("bench-analyst@minpromtorg.example.com", "federal_analyst")
    district = db.session.scalar(sa.text("SELECT federal_district FROM regions WHERE tax_code = '16'"))
    return [
        ("/federal/ dashboard, whole country", "/federal/?period=2026", analyst),
        ("/federal/ dashboard, one district", f"/federal/?period=2026&district={district}", analyst),
        ("/federal/export.xlsx, every table (regions first)", "/federal/export.xlsx?period=2026", analyst),
        (
            "/federal/ dashboard, custom dates (live, no summary)",
            "/federal/?from=2026-02-01&to=2026-05-31",
            analyst,
        ),
    ]


def analyze() -> None:
    """Refresh the planner's statistics after the bulk load, as autovacuum would before long (PostgreSQL:
    as the owner, who alone may ANALYZE the tables)."""
    import os

    owner_url = os.environ.get("MIGRATIONS_DATABASE_URL") or ""
    if not owner_url.startswith("postgresql"):
        return
    engine = sa.create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()


def defense_protocol_verification(app):
    """A signed round of 10 projects × 7 experts × 6 criteria; the public hash check is a cross-tenant read."""
    from .defenses import build

    data = build("komi", sign=True)
    return [("/verify/protocol/<hash> (10×7×6 round)", f"/verify/protocol/{data['hash']}")]


def events_scenario(app):
    from . import events as bench

    pages = bench.scenario(app)
    event_path = pages[0][1]
    staff = bench_user("bench-staff@clusterhub.example.com", "center_staff", "komi")
    return pages + [
        (
            "staff participant list, 500 registrations (page 1)",
            f"{event_path.replace('/komi/', '/komi/staff/')}/participants",
            staff,
        )
    ]


def cooperation_exchange(app):
    """Suggestions and search over 20,000 enterprises and 10,000 offers and requests (PostgreSQL full text
    with its GIN index; SQLite matches words with LIKE)."""
    from . import cooperation_offers as bench

    bench.build()
    analyze()
    request_id = bench.busiest_request()
    user = bench_user("bench-rep@clusterhub.example.com")
    return [
        ("/cooperation/<id>/suggestions, 10,000 entries", f"/cooperation/{request_id}/suggestions", user),
        ("/cooperation/ search, words", "/cooperation/?q=фанера+берёзовая"),
        ("/cooperation/ search, code and district", "/cooperation/?code=16.10&district=NWFD&entry=offer"),
    ]


def meeting_scheduler(app):
    """The B2B scheduler at the issue's size (no page: its figures are printed while preparing)."""
    from . import cooperation_meetings as bench

    return bench.scenario(app)


SCENARIOS = [
    meeting_scheduler,
    center_home,
    platform_home,
    enterprises_and_clusters,
    technopark_search,
    defense_protocol_verification,
    events_scenario,
    federal_dashboard,  # it adds the country-wide dataset to whatever the others built
    cooperation_exchange,  # after it: the country-wide dataset has the offers (built here if absent)
]
