"""The stored federal figures (summary table): every area sliced from them equals the live computation."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from clusterhub.extensions import db
from clusterhub.reporting import indicators as ind
from clusterhub.reporting import registry, services, sql, summaries
from clusterhub.reporting.models import IndicatorSummary
from clusterhub.reporting.periods import parse_period
from clusterhub.tenancy.models import Tenant, utcnow
from clusterhub.tenancy.scoping import federal_read_scope
from clusterhub_dev.demo import scale
from tests.fixtures.pages import QueryCounter


@pytest.fixture
def stored_figures(app):
    """Federal reads of the standard periods go through the summary table, as in production."""
    app.config["REPORTING_CACHE_SECONDS"] = 900
    summaries.clear_parsed()
    yield
    app.config["REPORTING_CACHE_SECONDS"] = 0
    summaries.clear_parsed()


@pytest.fixture
def country(make_tenant):
    """Two centers in Komi (North-West) and two in the Volga district, with every module's records."""
    tenants = [make_tenant("komi"), make_tenant("komi-two", region="11"), make_tenant("tatarstan")]
    tenants.append(make_tenant("mordovia"))
    scale.build(scale.Sizes().scaled(0.01))
    for n, tenant in enumerate(tenants[:3]):
        services.set_kpi_plan(tenant, 2026, "clusters", Decimal(n + 1))
    db.session.commit()
    return tenants


def live_and_stored(app, keys, scope, grouping):
    """The same ``ind.compute`` call computed from the records and read from the stored figures."""
    app.config["REPORTING_CACHE_SECONDS"] = 0
    with federal_read_scope(db.session):
        live = ind.compute(keys, scope, grouping)
    app.config["REPORTING_CACHE_SECONDS"] = 900
    with federal_read_scope(db.session):
        stored = ind.compute(keys, scope, grouping)
    return live, stored


def test_every_area_sliced_from_the_stored_figures_equals_the_live_computation(app, country, stored_figures):
    komi, komi_two, tatarstan, _mordovia = country
    period = parse_period("2026")
    scopes = [
        sql.Scope(period=period),
        sql.Scope(period=period, district="VFD"),
        sql.Scope(period=period, region_id=komi.region_id),  # two centers: distinct counts are not sums
        sql.Scope(period=period, district="NWFD", region_id=komi.region_id),
        sql.Scope(period=period, tenant_id=komi_two.id),
        sql.Scope(period=period, district="NWFD", region_id=tatarstan.region_id),  # contradictory: empty
    ]
    keys = list(registry.REGISTRY)
    checked = 0
    for scope in scopes:
        live, stored = {}, {}
        for cache_seconds, result in ((0, live), (900, stored)):
            app.config["REPORTING_CACHE_SECONDS"] = cache_seconds
            with federal_read_scope(db.session):
                result["breakdowns"] = summaries.breakdown_totals(scope)
                result["plans"] = summaries.plan_totals(scope)
        assert stored == live, scope
        for grouping in sql.GROUPS:
            live, stored = live_and_stored(app, keys, scope, grouping)
            assert stored == live, (scope, grouping)
            checked += sum(1 for values in live.values() if any(values.values()))
    assert checked > 100  # the dataset gives most indicators non-zero values
    assert db.session.scalar(sa.select(sa.func.count(IndicatorSummary.id))) == 1  # one row served every area


def test_the_dashboard_shows_stored_figures_until_they_are_stale(
    app, three_centers_and_analyst, stored_figures
):
    komi, _analyst, make_user, client = three_centers_and_analyst
    scope = sql.Scope(period=parse_period("2026"))

    def staff():
        with federal_read_scope(db.session):
            return ind.compute(["staff"], scope, "country")["staff"][sql.COUNTRY]

    def komi_on_the_map():
        page = client.get("/federal/?period=2026&map=staff", headers={"Accept-Language": "en"})
        return re.search(r"<title>Komi Republic: (\d+)</title>", page.get_data(as_text=True)).group(1)

    assert staff() == 3 and komi_on_the_map() == "2"
    make_user("center_staff", tenant=komi)
    summaries.clear_parsed()  # as in another worker: it reads the stored row, not its own memory
    assert staff() == 3 and komi_on_the_map() == "2"  # fresh: the new member shows after the next refresh
    db.session.execute(sa.update(IndicatorSummary).values(computed_at=utcnow() - timedelta(seconds=901)))
    db.session.commit()
    # older than REPORTING_CACHE_SECONDS: recomputed by the request that needs it, and the page follows
    assert komi_on_the_map() == "3" and staff() == 4
    page = client.get("/federal/?period=2026", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Figures as of" in page


def test_custom_dates_and_a_centers_own_figures_are_computed_live(
    app, three_centers_and_analyst, stored_figures
):
    komi = three_centers_and_analyst[0]
    with federal_read_scope(db.session):
        ind.compute(
            ["staff"], sql.Scope(period=parse_period(start="2026-02-01", end="2026-03-15")), "country"
        )
    services.snapshot_for(komi, parse_period("2026-H1"))
    assert db.session.scalar(sa.select(sa.func.count(IndicatorSummary.id))) == 0


def test_the_dashboard_with_stored_figures_reads_no_records(
    app, client, country, stored_figures, make_user, login
):
    """Once stored, a dashboard costs a handful of statements: none of them aggregates the records."""
    login(make_user("federal_analyst"))
    client.get("/federal/?period=2026")
    client.get("/federal/?period=2025")
    client.get("/federal/?period=2024")  # the time series reads three years
    statements = []

    def remember(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", remember)
    try:
        with QueryCounter(db.engine) as counter:
            response = client.get("/federal/?period=2026&district=VFD")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", remember)
    assert response.status_code == 200
    assert counter.count <= 15
    assert not [s for s in statements if "event_registrations" in s or "cluster_members" in s]


def test_refresh_command_recomputes_the_stored_periods(app, three_centers_and_analyst):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reporting", "refresh", "--period", "2026", "--period", "2026-H1"])
    assert result.exit_code == 0, result.output
    assert "2026: " in result.output and "2026-H1: " in result.output
    stored = db.session.scalars(sa.select(IndicatorSummary.period).order_by(IndicatorSummary.period)).all()
    assert stored == ["2026", "2026-H1"]
    figures = db.session.scalar(sa.select(IndicatorSummary.figures).where(IndicatorSummary.period == "2026"))
    assert dict(figures["values"]["staff"]["country"]) == {"RU": 3}

    bad = runner.invoke(args=["reporting", "refresh", "--period", "2026-Q7"])
    assert bad.exit_code == 2 and "2026-Q7" in bad.output
    everything = runner.invoke(args=["reporting", "refresh"])
    assert everything.exit_code == 0
    periods = set(db.session.scalars(sa.select(IndicatorSummary.period)))
    assert set(summaries.standard_periods()) <= periods and len(periods) == 15


@pytest.fixture
def three_centers_and_analyst(make_tenant, make_user, client, login):
    komi = make_tenant("komi")
    for _ in range(2):
        make_user("center_staff", tenant=komi)
    make_user("center_admin", tenant=make_tenant("tatarstan"))
    make_tenant("mordovia")
    analyst = make_user("federal_analyst")
    login(analyst)
    return komi, analyst, make_user, client


@pytest.mark.parametrize("stored", [False, True], ids=["live", "stored"])
def test_kpi_plans_of_the_area_are_shown_next_to_the_fact(app, three_centers_and_analyst, stored):
    from clusterhub.accounts.services.api_tokens import create_api_token

    komi, analyst, _make_user, client = three_centers_and_analyst
    tatarstan = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "tatarstan"))
    _token, secret = create_api_token(analyst, "api")
    services.set_kpi_plan(komi, 2026, "staff", Decimal("4"))
    services.set_kpi_plan(tatarstan, 2026, "staff", Decimal("2"))
    services.set_kpi_plan(komi, 2025, "staff", Decimal("100"))  # another year
    for center in (komi, tatarstan):  # a share: not added up, only a center's own
        services.set_kpi_plan(center, 2026, "request_completion_rate", Decimal("80"))
    db.session.commit()
    app.config["REPORTING_CACHE_SECONDS"] = 900 if stored else 0
    summaries.clear_parsed()
    try:
        country = client.get("/federal/?period=2026-H1", headers={"Accept-Language": "en"})
        volga = client.get("/federal/?period=2026&district=VFD", headers={"Accept-Language": "en"})
        center = client.get(f"/federal/?period=2026&tenant={komi.id}", headers={"Accept-Language": "en"})
        api = client.get(
            "/api/v1/federal/indicators?period=2026&district=NWFD",
            headers={"Authorization": f"Bearer {secret}"},
        ).json
    finally:
        app.config["REPORTING_CACHE_SECONDS"] = 0
    assert "Plan for 2026: 6 · <strong>50% of the plan</strong>" in country.get_data(as_text=True)
    assert "Plan for 2026: 2 · <strong>50% of the plan</strong>" in volga.get_data(as_text=True)
    assert "Plan for 2026: 160" not in country.get_data(as_text=True)
    assert "Plan for 2026: 80%" in center.get_data(as_text=True)
    assert api["indicators"]["staff"]["plan"] == 4 and api["indicators"]["staff"]["values"] == {"RU": 2}
    assert api["indicators"]["clusters"]["plan"] is None


def test_only_recent_standard_periods_are_stored_and_the_rest_is_pruned(
    app, three_centers_and_analyst, stored_figures
):
    komi, analyst, _make_user, client = three_centers_and_analyst
    with federal_read_scope(db.session):
        ind.compute(["staff"], sql.Scope(period=parse_period("1990")), "country")  # too old: live
        ind.compute(["clusters"], sql.Scope(period=parse_period("2019-Q2"), specialisation="16.1"), "country")
        ind.compute(["clusters"], sql.Scope(period=parse_period("2026")), "country")
    stored = set(
        db.session.execute(sa.select(IndicatorSummary.period, IndicatorSummary.specialisation)).all()
    )
    assert stored == {("2019-Q2", "16.1"), ("2026", "")}
    db.session.execute(sa.update(IndicatorSummary).values(computed_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    assert summaries.prune() == 1  # the worker keeps 2026 (and will refresh it); 2019 goes
    assert db.session.scalars(sa.select(IndicatorSummary.period)).all() == ["2026"]


def test_a_refresh_never_replaces_newer_figures(app, three_centers_and_analyst):
    summaries.refresh(parse_period("2026"))
    later = utcnow() + timedelta(hours=1)  # as if another worker had just stored newer figures
    db.session.execute(sa.update(IndicatorSummary).values(computed_at=later))
    db.session.commit()
    summaries.refresh(parse_period("2026"))
    assert db.session.scalar(sa.select(IndicatorSummary.computed_at)) == later


def test_the_api_refuses_a_malformed_specialisation(three_centers_and_analyst):
    from clusterhub.accounts.services.api_tokens import create_api_token

    _komi, analyst, _make_user, client = three_centers_and_analyst
    _token, secret = create_api_token(analyst, "api")
    db.session.commit()
    response = client.get(
        "/api/v1/federal/indicators?period=2026&specialisation=manufacturing",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(IndicatorSummary.id))) == 0
