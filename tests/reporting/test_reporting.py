"""The federal reporting layer: indicators with known answers, the dashboard, exports, period reports."""

import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from clusterhub.core.refusal import Refusal
from clusterhub.extensions import db
from clusterhub.regions.models import Region
from clusterhub.reporting import indicators as ind
from clusterhub.reporting import registry, services, sql
from clusterhub.reporting.models import PeriodReport, ReportStatus
from clusterhub.reporting.periods import parse_period
from clusterhub.tenancy.scoping import federal_read_scope, tenant_scope
from tests.fixtures.pages import QueryCounter


@pytest.fixture
def three_centers(make_tenant, make_user):
    komi, tatarstan, mordovia = make_tenant("komi"), make_tenant("tatarstan"), make_tenant("mordovia")
    for _ in range(2):
        make_user("center_staff", tenant=komi)
    make_user("center_admin", tenant=komi)
    make_user("center_admin", tenant=tatarstan)
    make_user("expert", tenant=mordovia)  # experts are not staff
    return komi, tatarstan, mordovia


def region_id(code):
    return db.session.scalar(sa.select(Region.id).where(Region.tax_code == code))


def test_periods():
    assert parse_period("2026-H2").start.isoformat() == "2026-07-01"
    assert parse_period("2026-H2").end.isoformat() == "2027-01-01"
    assert parse_period("2025-Q4").end.isoformat() == "2026-01-01"
    custom = parse_period(start="2026-03-01", end="2026-03-31")
    assert custom.end.isoformat() == "2026-04-01"
    assert parse_period(start="2021-01-01", end="2021-12-31").label == "2021-01-01 — 2021-12-31"
    with pytest.raises(Refusal):
        parse_period("2026-Q5")
    with pytest.raises(Refusal):
        parse_period(start="2026-05-01", end="2026-04-01")


def test_indicators_on_a_hand_built_dataset(three_centers):
    scope = sql.Scope(period=parse_period("2026"))
    with federal_read_scope(db.session):
        country = ind.compute(["centers", "staff"], scope, "country")
        by_district = ind.compute(["centers", "staff"], scope, "district")
        by_region = ind.compute(["staff"], scope, "region")
        volga = ind.compute(["centers", "staff"], sql.Scope(period=scope.period, district="VFD"), "country")
    assert country == {"centers": {"RU": 3}, "staff": {"RU": 4}}
    assert by_district["centers"] == {"NWFD": 1, "VFD": 2}
    assert by_district["staff"] == {"NWFD": 3, "VFD": 1}
    assert by_region["staff"] == {region_id("11"): 3, region_id("16"): 1}
    assert volga == {"centers": {"RU": 2}, "staff": {"RU": 1}}


def test_a_center_sees_only_its_own_figures(three_centers):
    komi = three_centers[0]
    with tenant_scope(db.session, komi.id):
        values = ind.compute(["staff"], sql.Scope(period=parse_period("2026"), tenant_id=komi.id), "country")
    assert values == {"staff": {"RU": 3}}


def test_the_dashboard_shows_totals_and_the_comparison(client, three_centers, make_user, login):
    login(make_user("federal_analyst"))
    page = client.get("/federal/?period=2026&map=staff", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "Federal dashboard" in page and "Comparison of regions" in page
    assert "<svg" in page and "Komi Republic: 3" in page  # the tile map's accessible title of Komi
    drill = client.get(f"/federal/?period=2026&region={region_id('11')}", headers={"Accept-Language": "en"})
    assert "Centers of the region" in drill.get_data(as_text=True) and "CDC komi" in drill.get_data(
        as_text=True
    )


def test_the_dashboard_offers_every_year_with_data_and_a_date_range(
    client, three_centers, make_event, make_user, login
):
    from datetime import date

    make_event(three_centers[0], start_date=date(2019, 5, 14), end_date=date(2019, 5, 15))
    login(make_user("federal_analyst"))
    page = client.get("/federal/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    this_year = date.today().year
    for year in range(2019, this_year + 1):
        assert f'<optgroup label="{year}">' in page
        assert f'<option value="{year}-Q3">' in page and f'<option value="{year}-H2">' in page
    assert '<optgroup label="2018">' not in page
    assert 'type="date" id="f-from" name="from"' in page and 'name="to"' in page
    # a session of 2019 is a choice away, and a custom range is shown with its last day
    year_2019 = client.get("/federal/?period=2019&map=sessions_held", headers={"Accept-Language": "en"})
    assert "Federal dashboard · 2019" in year_2019.get_data(as_text=True)
    assert "Komi Republic: 1" in year_2019.get_data(as_text=True)
    custom = client.get(
        "/federal/?period=custom&from=2019-01-01&to=2019-12-31&map=sessions_held",
        headers={"Accept-Language": "en"},
    ).get_data(as_text=True)
    assert "2019-01-01 — 2019-12-31" in custom and "2020-01-01" not in custom
    assert 'value="2019-12-31"' in custom and '<option value="custom" selected>' in custom
    assert "Komi Republic: 1" in custom
    # a year chosen in the list wins over dates left in the form
    chosen = client.get(
        "/federal/?period=2020&from=2019-01-01&to=2019-12-31", headers={"Accept-Language": "en"}
    )
    assert "Federal dashboard · 2020" in chosen.get_data(as_text=True)


def test_drill_down_from_a_region_to_one_of_its_centers(client, three_centers, make_tenant, make_user, login):
    second = make_tenant("komi-two", region="11")  # a second center in the Komi Republic
    make_user("center_staff", tenant=second)
    login(make_user("federal_analyst"))
    region = client.get(
        f"/federal/?period=2026&map=staff&region={region_id('11')}", headers={"Accept-Language": "en"}
    )
    text = region.get_data(as_text=True)
    assert "Komi Republic: 4" in text  # both centers of the region
    assert f"tenant={second.id}" in text
    # the centers' table shows one section at a time and scrolls inside its own box, not the page
    centers = text[text.index("Centers of the region") :]
    assert centers.index('<div class="table-responsive">') < centers.index("<table")
    head = centers[: centers.index("</thead>")]
    assert "Center staff" in head and "Sessions held" not in head
    center = client.get(
        f"/federal/?period=2026&map=staff&tenant={second.id}", headers={"Accept-Language": "en"}
    )
    page = center.get_data(as_text=True)
    assert "Komi Republic: 1" in page  # only the second center's staff member
    crumbs = page[page.index('class="breadcrumb"') : page.index("</ol>")]
    assert (
        "Komi Republic" in crumbs and "CDC komi-two" in crumbs and "Northwestern Federal District" in crumbs
    )
    unknown = client.get("/federal/?period=2026&tenant=999999", headers={"Accept-Language": "en"})
    assert unknown.status_code == 200 and "There is no such working center." in unknown.get_data(as_text=True)


def test_the_dashboard_runs_a_bounded_number_of_queries(client, make_tenant, make_user, login):
    make_tenant("komi")
    login(make_user("federal_analyst"))
    client.get("/federal/?period=2026")
    with QueryCounter(db.engine) as few:
        client.get("/federal/?period=2026")
    for slug in ("tatarstan", "kaliningrad", "mordovia"):
        make_user("center_staff", tenant=make_tenant(slug))
    with QueryCounter(db.engine) as more:
        client.get("/federal/?period=2026")
    assert few.count == more.count


def test_exports_match_the_dashboard(client, three_centers, make_user, login):
    login(make_user("federal_analyst"))
    csv_text = client.get("/federal/export.csv?period=2026", headers={"Accept-Language": "ru"}).data.decode(
        "utf-8-sig"
    )
    header, *rows = [line.split(";") for line in csv_text.strip().splitlines()]
    assert header[0] == "Регион"
    komi_row = next(row for row in rows if row[0] == "Республика Коми")
    staff_column = header.index("Сотрудники центров") if "Сотрудники центров" in header else 3
    assert komi_row[staff_column] == "3"
    workbook = load_workbook(io.BytesIO(client.get("/federal/export.xlsx?period=2026").data))
    assert workbook.sheetnames == ["Регионы", "Показатели", "По годам", "Разбивки", "Центры"]
    regions = {row[0]: row for row in workbook["Регионы"].iter_rows(min_row=2, values_only=True)}
    assert regions["Республика Коми"][staff_column] == 3
    keys = list(registry.REGISTRY)  # the indicator sheets list the indicators in the registry's order
    cards = list(workbook["Показатели"].iter_rows(min_row=2, values_only=True))
    assert cards[keys.index("centers")][2] == 3 and cards[keys.index("staff")][2] == 4
    header, *years = workbook["По годам"].iter_rows(values_only=True)
    assert header == ("Показатель", "2024", "2025", "2026")
    assert years[keys.index("staff")][1:] == (4, 4, 4)  # staff are counted as they are now
    centers = {row[0]: row for row in workbook["Центры"].iter_rows(min_row=2, values_only=True)}
    assert set(centers) == {"ЦКР komi", "ЦКР tatarstan", "ЦКР mordovia"}
    assert centers["ЦКР komi"][1] == "Республика Коми" and centers["ЦКР komi"][staff_column] == 3
    # one table alone, in English
    breakdowns = client.get(
        "/federal/export.csv?period=2026&table=breakdowns", headers={"Accept-Language": "en"}
    ).data.decode("utf-8-sig")
    assert breakdowns.splitlines()[0] == "Breakdown;Category;Count;Share, %"
    assert "Registrations by participant category;Enterprise;0;" in breakdowns
    assert client.get("/federal/export.csv?period=2026&table=nonsense").status_code == 404


def test_saved_export_presets_can_be_rerun(client, three_centers, make_user, login):
    login(make_user("federal_analyst"))
    client.post("/federal/presets", data={"name": "Приволжье", "query": "period=2026&district=VFD"})
    page = client.get("/federal/").get_data(as_text=True)
    assert "Приволжье" in page
    preset_id = db.session.scalar(sa.text("SELECT id FROM export_presets"))
    rerun = client.get(f"/federal/presets/{preset_id}/run.csv")
    assert rerun.status_code == 302 and "district=VFD" in rerun.headers["Location"]


def submit_report(client, tenant_slug, narrative="Провели две сессии."):
    return client.post(f"/{tenant_slug}/staff/reports?period=2026-H1", data={"narrative": narrative})


def test_period_report_submitted_returned_resubmitted_and_accepted(
    app, client, three_centers, make_user, login
):
    komi = three_centers[0]
    admin = make_user("center_admin", tenant=komi)
    reviewer = make_user("federal_reviewer")
    login(admin)
    assert submit_report(client, "komi").status_code == 302
    with tenant_scope(db.session, komi.id):
        report = db.session.scalars(sa.select(PeriodReport)).one()
        report_id = report.id
        assert report.status == ReportStatus.SUBMITTED and report.snapshot["values"]["staff"] == 4

    reviewer_client = app.test_client()
    reviewer_client.post("/login", data={"email": reviewer.email, "password": "correct horse battery"})
    listing = reviewer_client.get("/federal/reports?period=2026-H1", headers={"Accept-Language": "en"})
    assert "2 centers have not submitted a report." in listing.get_data(as_text=True)
    reviewer_client.post(
        f"/federal/reports/{report_id}", data={"comment": "Добавьте цифры", "send_back": "1"}
    )
    with tenant_scope(db.session, komi.id):
        assert db.session.get(PeriodReport, report_id).status == ReportStatus.RETURNED

    assert submit_report(client, "komi", "Исправленный отчёт").status_code == 302
    reviewer_client.post(f"/federal/reports/{report_id}", data={"comment": "", "accept": "1"})
    with tenant_scope(db.session, komi.id):
        accepted = db.session.get(PeriodReport, report_id)
        assert accepted.status == ReportStatus.ACCEPTED and accepted.narrative == "Исправленный отчёт"

    # an accepted report is immutable: resubmitting is refused and nothing changes
    make_user("center_staff", tenant=komi)
    submit_report(client, "komi", "Попытка переписать")
    with tenant_scope(db.session, komi.id):
        again = db.session.get(PeriodReport, report_id)
        assert again.narrative == "Исправленный отчёт" and again.snapshot["values"]["staff"] == 4


def test_a_federal_analyst_cannot_review_reports(client, three_centers, make_user, login):
    komi = three_centers[0]
    admin = make_user("center_admin", tenant=komi)
    report = services.get_or_create_report(komi, parse_period("2026-H1"))
    services.submit_report(report, parse_period("2026-H1"), "Отчёт", admin)
    report_id = report.id
    db.session.commit()
    login(make_user("federal_analyst"))
    assert client.post(f"/federal/reports/{report_id}", data={"accept": "1"}).status_code == 403
    assert client.get(f"/federal/reports/{report_id}").status_code == 200
    with tenant_scope(db.session, komi.id):
        assert db.session.get(PeriodReport, report_id).status == ReportStatus.SUBMITTED


def test_the_dashboard_shows_reports_as_submitted_next_to_live_figures(
    client, three_centers, make_user, login
):
    komi = three_centers[0]
    period = parse_period("2026-H1")
    admin = make_user("center_admin", tenant=komi)
    report = services.get_or_create_report(komi, period)
    services.submit_report(report, period, "Отчёт", admin)
    db.session.commit()
    make_user("center_staff", tenant=komi)  # after the report: live now 5, as submitted 4
    login(make_user("federal_analyst"))

    page = client.get("/federal/?period=2026-H1&map=staff", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert "awaiting review" in text and "Show “as submitted” next to “live now”" in text
    badges = re.findall(r'badge text-bg-[a-z]+(?: border)?">(\d+)</span> ([a-z ]+)<', text)
    assert ("1", "awaiting review") in badges and ("2", "not submitted") in badges

    compared = client.get(
        "/federal/?period=2026-H1&map=staff&figures=submitted", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    table = compared[compared.index('id="reports"') :]
    komi_row = table[table.index("CDC komi") : table.index("</tr>", table.index("CDC komi"))]
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', komi_row)
    assert cells == ["4", "5", "+1"]
    tatarstan_row = table[table.index("CDC tatarstan") : table.index("</tr>", table.index("CDC tatarstan"))]
    assert "Not submitted" in tatarstan_row
    # in one district, only its centers
    volga = client.get(
        "/federal/?period=2026-H1&district=VFD&figures=submitted", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "CDC tatarstan" in volga[volga.index('id="reports"') :] and "CDC komi" not in volga
    # custom dates are not a reporting period
    custom = client.get("/federal/?from=2026-02-01&to=2026-03-01", headers={"Accept-Language": "en"})
    assert "choose one of them to see their reports" in custom.get_data(as_text=True)


def test_kpi_plans_are_entered_by_the_center(client, make_tenant, make_user, login):
    komi = make_tenant("komi")
    login(make_user("center_admin", tenant=komi))
    client.post("/komi/staff/indicators?period=2026", data={"indicator": "staff", "plan": "5"})
    plans = services.kpi_plans(komi.id, 2026)
    assert float(plans["staff"].plan) == 5.0


def test_a_centers_period_list_goes_back_to_its_own_earliest_record(
    client, make_tenant, make_event, make_user, login
):
    from datetime import date

    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    make_event(komi, start_date=date(2020, 3, 2), end_date=date(2020, 3, 3))
    make_event(tatarstan, start_date=date(2015, 3, 2), end_date=date(2015, 3, 3))
    login(make_user("center_admin", tenant=komi))
    page = client.get("/komi/staff/indicators", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<optgroup label="2020">' in page and '<option value="2020-Q1">' in page
    assert '<optgroup label="2019">' not in page  # the other center's 2015 session is not komi's
    reports = client.get("/komi/staff/reports", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<option value="2020-H2">' in reports


def test_the_scale_dataset_builds_and_the_dashboard_reads_it_in_a_fixed_number_of_queries(
    app, client, make_tenant, make_user, login
):
    from clusterhub_dev.demo import demo_cli

    make_tenant("komi")
    result = app.test_cli_runner().invoke(demo_cli, ["scale", "--factor", "0.01"])
    assert result.exit_code == 0, result.output
    again = app.test_cli_runner().invoke(demo_cli, ["scale", "--factor", "0.01"])
    assert again.exit_code != 0 and "already" in again.output
    with federal_read_scope(db.session):
        totals = ind.compute(
            ["registrations", "clusters", "service_requests", "projects_presented"],
            sql.Scope(period=parse_period(start="2024-01-01", end="2026-12-31")),
            "country",
        )
    assert all(values[sql.COUNTRY] > 0 for values in totals.values()), totals
    login(make_user("federal_analyst"))
    with QueryCounter(db.engine) as counter:
        assert client.get("/federal/?period=2025").status_code == 200
    # three grouped statements per indicator, the time series and the outcomes: bounded, whatever the data
    assert counter.count <= 3 * len(registry.REGISTRY) + 15


def test_the_federal_api_gives_the_dashboards_numbers(app, client, three_centers, make_user):
    from clusterhub.accounts.services.api_tokens import create_api_token

    analyst = make_user("federal_analyst")
    _token, secret = create_api_token(analyst, "api")
    staff = make_user("center_staff", tenant=three_centers[0])
    _t, staff_secret = create_api_token(staff, "api")
    db.session.commit()
    auth = {"Authorization": f"Bearer {secret}"}
    body = client.get("/api/v1/federal/indicators?period=2026&group=district", headers=auth).json
    assert body["indicators"]["staff"]["values"] == {"NWFD": 4, "VFD": 1}
    assert body["indicators"]["staff"]["definition"]
    regions = client.get("/api/v1/federal/regions?period=2026", headers=auth).json["items"]
    komi = next(item for item in regions if item["region"]["tax_code"] == "11")
    assert komi["values"]["staff"] == 4
    assert (
        client.get("/api/v1/federal/reports?period=2026-H1", headers=auth).json["items"][0]["status"] is None
    )
    assert client.get("/api/v1/federal/indicators?group=planet", headers=auth).status_code == 400
    # centers are named by their slugs, as in their addresses, with their names and regions
    by_center = client.get("/api/v1/federal/indicators?period=2026&group=tenant", headers=auth).json
    assert by_center["indicators"]["staff"]["values"] == {"komi": 4, "tatarstan": 1}
    assert by_center["indicators"]["centers"]["values"] == {"komi": 1, "tatarstan": 1, "mordovia": 1}
    assert by_center["centers"]["komi"]["name_ru"] == three_centers[0].name_ru
    assert by_center["centers"]["komi"]["region"]["tax_code"] == "11"
    assert by_center["centers"]["tatarstan"]["region"]["federal_district"] == "VFD"
    assert "centers" not in body
    # a center's staff: its own figures only, and no federal endpoints
    staff_auth = {"Authorization": f"Bearer {staff_secret}"}
    own = client.get("/api/v1/tenants/komi/indicators?period=2026", headers=staff_auth).json
    assert own["indicators"]["staff"]["values"] == {"RU": 4}
    assert client.get("/api/v1/federal/indicators", headers=staff_auth).status_code == 403


def test_drill_down_to_the_records_behind_an_indicator(client, make_cluster, make_tenant, make_user, login):
    make_cluster(make_tenant("komi"), name="Лесной кластер", okved_codes="16.10")
    make_cluster(make_tenant("tatarstan"), name="Химический кластер", okved_codes="20.16")
    login(make_user("federal_analyst"))
    page = client.get("/federal/records/clusters?period=2026").get_data(as_text=True)
    assert "Лесной кластер" in page and "Химический кластер" in page
    only_timber = client.get("/federal/records/clusters?period=2026&specialisation=16").get_data(as_text=True)
    assert "Лесной кластер" in only_timber and "Химический кластер" not in only_timber
    assert client.get("/federal/records/staff").status_code == 404


def test_the_specialisation_filter_applies_to_cluster_figures(make_cluster, make_tenant):
    make_cluster(make_tenant("komi"), okved_codes="16.10 16.21")
    make_cluster(make_tenant("tatarstan"), okved_codes="20.16")
    with federal_read_scope(db.session):
        timber = ind.compute(
            ["clusters"], sql.Scope(period=parse_period("2026"), specialisation="16.2"), "country"
        )
        every = ind.compute(["clusters"], sql.Scope(period=parse_period("2026")), "country")
    assert timber["clusters"][sql.COUNTRY] == 1 and every["clusters"][sql.COUNTRY] == 2


def test_indicator_reads_go_to_the_reporting_replica_when_configured(app, three_centers, monkeypatch):
    """REPORTING_DATABASE_URL: the federal reads use that engine (here the same database, counted)."""
    app.config["SQLALCHEMY_BINDS"] = {"reporting": app.config["DATABASE_URL"]}
    replica = sa.create_engine(app.config["DATABASE_URL"])
    monkeypatch.setitem(db.engines, "reporting", replica)
    with QueryCounter(replica) as on_replica, QueryCounter(db.engine) as on_primary, sql.federal_reads():
        values = ind.compute(["staff"], sql.Scope(period=parse_period("2026")), "country")
    app.config["SQLALCHEMY_BINDS"] = {}
    replica.dispose()
    assert values["staff"][sql.COUNTRY] == 4
    assert on_replica.count >= 1 and on_primary.count == 0


def test_region_sums_and_grouped_figures_agree(three_centers):
    """The dashboard adds additive indicators up from regions: the sums equal the grouped statements."""
    scope = sql.Scope(period=parse_period("2026"))
    with federal_read_scope(db.session):
        data = services.build_dashboard(scope)
        for key in data.keys:
            grouped = ind.compute([key], scope, "country")[key][sql.COUNTRY]
            assert data.totals[key] == grouped, key
            assert {k: v for k, v in data.districts[key].items() if v} == {
                k: v for k, v in ind.compute([key], scope, "district")[key].items() if v
            }, key


def test_the_tile_map_is_a_group_of_links_named_by_their_text(client, three_centers, make_user, login):
    """Each tile is a link whose accessible name starts with what it shows; Russian short names in
    Russian, and the districts of the comparison by their Russian short names."""
    import re

    login(make_user("federal_analyst"))
    page = client.get("/federal/?period=2026&map=staff", headers={"Accept-Language": "ru"}).get_data(
        as_text=True
    )
    svg = page[page.index("<svg", page.index('id="map"')) : page.index("</svg>", page.index('id="map"'))]
    assert 'role="group"' in svg.split(">")[0] and 'role="img"' not in svg.split(">")[0]
    assert 'aria-label="Коми 3 — Республика Коми: 3"' in svg
    assert 'aria-label="Мск — г. Москва: 0"' in svg
    for label, text in re.findall(r'<a href="[^"]*" aria-label="([^"]*)">.*?<text[^>]*>([^<]*)</text>', svg):
        assert label.startswith(text)
    assert ">СЗФО</abbr>" in page and ">NWFD<" not in page
    english = client.get("/federal/?period=2026&map=staff", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert 'aria-label="KO 3 — Komi Republic: 3"' in english and ">NWFD</abbr>" in english


def test_the_dashboard_leads_with_a_summary_and_greys_zero_figures(client, three_centers, make_user, login):
    login(make_user("federal_analyst"))
    page = client.get("/federal/?period=2026", headers={"Accept-Language": "en"}).get_data(as_text=True)
    summary = page[page.index('id="summary"') : page.index('id="all-indicators"')]
    assert "Centers" in summary and "Sessions held" in summary
    assert "Employees of cluster participants" not in summary  # the rest is grouped below, collapsible
    assert page.count("<details") == 6
    staff_row = page[page.index("Center staff<div") - 100 : page.index("Center staff<div")]
    assert "text-body-secondary" not in staff_row  # four staff members
    sessions_row = page[page.index("Sessions held<div") - 100 : page.index("Sessions held<div")]
    assert "text-body-secondary" in sessions_row  # none this year
