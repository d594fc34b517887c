"""The federal reporting layer: dashboards, comparisons, exports and period reports.

Reads go through :mod:`.indicators` (one aggregate statement per indicator and grouping, never a loop
over tenants). Across tenants they run in the federal read scope, on the reporting replica when
``REPORTING_DATABASE_URL`` is set.
"""

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit.services import record
from ..core import exports, signals
from ..core.refusal import Refusal
from ..defenses.models import DefenseRound
from ..events.models import Event
from ..extensions import db
from ..regions.models import Region, district_name
from ..technoparks.models import ServiceRequest
from ..tenancy.models import Tenant, TenantStatus, utcnow
from ..tenancy.scoping import federal_read_scope, tenant_scope
from . import indicators as ind
from . import registry, sql, summaries
from .models import ExportPreset, KpiPlan, PeriodReport, ReportStatus
from .periods import Period, parse_period


@dataclass
class Dashboard:
    scope: sql.Scope
    keys: list[str]
    totals: dict  # key -> value for the whole scope
    by_region: dict  # key -> {region id: value}
    regions: list  # Region rows in the scope
    districts: dict  # key -> {district: value}
    plans: dict = field(default_factory=dict)  # key -> the area's centers' plans for the period's year

    def attainment(self, key: str) -> Decimal | None:
        """The fact as a percentage of the plan (None without a plan)."""
        plan = self.plans.get(key)
        if not plan:
            return None
        return round(Decimal(str(self.totals.get(key) or 0)) * 100 / Decimal(str(plan)), 1)


def years_with_data(today: date | None = None) -> list[int]:
    """Every year from the earliest dated record the indicators count (a session, a project's submission,
    a defense, a service request or its completion, a KPI plan) to this year, or to next year when
    something is already planned then; the latest first. One statement, in whatever scope is open: the
    federal read scope for the dashboard, the center's own for its pages."""
    from .sources.projects import SUBMITTED_ON

    today = today or date.today()
    dated = [
        (Event.start_date, Event),
        (SUBMITTED_ON, None),
        (DefenseRound.held_on, DefenseRound),
        (ServiceRequest.created_at, ServiceRequest),
        (ServiceRequest.scheduled_end, ServiceRequest),
        (KpiPlan.year, KpiPlan),
    ]
    columns = []
    for column, model in dated:
        for extreme in (sa.func.min, sa.func.max):
            statement = sa.select(extreme(column))
            columns.append((statement.select_from(model) if model else statement).scalar_subquery())
    years = [_year(value) for value in sql.rows(sa.select(*columns)).one() if value is not None]
    first = max(min(years, default=today.year), today.year - 50)  # a mistyped year does not fill the list
    last = min(max(years + [today.year]), today.year + 1)
    return list(range(last, first - 1, -1))


def _year(value) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, str):  # SQLite answers MIN over a subquery as text
        return int(value[:4])
    return value.year


def time_series_scopes(scope: sql.Scope, years: int = 3) -> list[sql.Scope]:
    """The scope's area over each of the last ``years`` years up to the scope's own."""
    last = scope.period.start.year
    return [replace(scope, period=parse_period(str(year))) for year in range(last - years + 1, last + 1)]


def time_series(scope: sql.Scope, key: str, years: int = 3) -> list[tuple[str, object]]:
    """The indicator for the scope's area, year by year."""
    return [
        (year_scope.period.code, ind.compute([key], year_scope, "country")[key].get(sql.COUNTRY, 0))
        for year_scope in time_series_scopes(scope, years)
    ]


def regions_in(scope: sql.Scope) -> list[Region]:
    statement = sa.select(Region).order_by(Region.federal_district, Region.name_ru)
    if scope.district:
        statement = statement.where(Region.federal_district == scope.district)
    if scope.region_id:
        statement = statement.where(Region.id == scope.region_id)
    return list(db.session.scalars(statement))


def build_dashboard(scope: sql.Scope, keys: list[str] | None = None) -> Dashboard:
    """Every indicator for the scope: totals, by district and by region — three statements each."""
    keys = keys or list(registry.REGISTRY)
    regions = regions_in(scope)
    by_region = ind.compute(keys, scope, "region")
    district_of = {region.id: region.federal_district for region in regions}
    additive = [key for key in keys if registry.REGISTRY[key].additive]
    others = [key for key in keys if not registry.REGISTRY[key].additive]
    # Additive indicators add up from their regions; the others are computed at each grouping.
    totals = {key: sum(by_region[key].values(), 0) for key in additive}
    districts = {key: {} for key in additive}
    for key in additive:
        for region_id, value in by_region[key].items():
            district = district_of.get(region_id)
            if district is not None:
                districts[key][district] = districts[key].get(district, 0) + value
    totals |= {
        key: values.get(sql.COUNTRY, 0) for key, values in ind.compute(others, scope, "country").items()
    }
    districts |= ind.compute(others, scope, "district")
    plans = {key: plan for key, plan in summaries.plan_totals(scope).items() if key in keys}
    return Dashboard(scope, keys, totals, by_region, regions, districts, plans)


def number_formatter(locale: str):
    """A fast formatter of indicator values for the locale ("1 234,5" / "1,234.5"; percents with %)."""
    group, point = ("\u00a0", ",") if locale == "ru" else (",", ".")

    def format_value(value, unit="count") -> str:
        if value is None:
            return "—"
        if isinstance(value, int):
            text = f"{value:,}".replace(",", group)
        else:
            number = float(value)
            text = f"{number:,.1f}" if number != int(number) else f"{int(number):,}"
            text = text.replace(",", "\x00").replace(".", point).replace("\x00", group)
        return f"{text}\u00a0%" if unit == "percent" else text

    return format_value


def comparison_rows(dashboard: Dashboard, sort: str | None = None, descending: bool = True) -> list[dict]:
    rows = [
        {"region": region, **{key: dashboard.by_region[key].get(region.id, 0) for key in dashboard.keys}}
        for region in dashboard.regions
    ]
    if sort in dashboard.keys:
        rows.sort(key=lambda row: row[sort] or 0, reverse=descending)
    return rows


def tenants_in(scope: sql.Scope) -> list[Tenant]:
    statement = sa.select(Tenant).join(Region).where(Tenant.status == TenantStatus.ACTIVE)
    return list(db.session.scalars(sql.in_area(statement, scope).order_by(Tenant.name_ru)))


# --- exports ---------------------------------------------------------------------------------------


EXPORT_TABLES = {
    "regions": _l("Regions"),
    "indicators": _l("Indicators"),
    "years": _l("By year"),
    "breakdowns": _l("Breakdowns"),
    "centers": _l("Centers"),
}


@dataclass
class Table:
    """One exported table: a sheet of the workbook, or a CSV file."""

    key: str
    title: str
    header: list[str]
    rows: list[list]


def export_tables(scope: sql.Scope, locale: str, only: str | None = None) -> list[Table]:
    """The data of every table and chart of the dashboard for the scope (or only one of them), with
    the same numbers: read through the same indicators inside the federal read scope."""
    builders = {
        "regions": _regions_table,
        "indicators": _indicators_table,
        "years": _years_table,
        "breakdowns": _breakdowns_table,
        "centers": _centers_table,
    }
    keys = [only] if only else list(builders)
    with sql.federal_reads():
        dashboard = build_dashboard(scope)
        return [Table(key, str(EXPORT_TABLES[key]), *builders[key](dashboard, locale)) for key in keys]


def _region_name(region, locale: str) -> str:
    return region.name_ru if locale == "ru" else region.name_en


def _regions_table(dashboard: Dashboard, locale: str):
    """The region comparison: one row per region, every indicator."""
    header = [_("Region"), _("Federal district")] + [str(registry.REGISTRY[k].label) for k in dashboard.keys]
    rows = [
        [_region_name(row["region"], locale), district_name(row["region"].federal_district)]
        + [row[k] for k in dashboard.keys]
        for row in comparison_rows(dashboard)
    ]
    return header, rows


def _indicators_table(dashboard: Dashboard, locale: str):
    """The cards: each indicator of the whole area with its plan and definition."""
    header = [
        _("Section"),
        _("Indicator"),
        _("Value"),
        _("Plan for the year"),
        _("Share of the plan, %"),
        _("Definition"),
    ]
    rows = [
        [
            str(registry.SECTIONS[registry.REGISTRY[k].group]),
            str(registry.REGISTRY[k].label),
            dashboard.totals[k],
            dashboard.plans.get(k),
            dashboard.attainment(k),
            str(registry.REGISTRY[k].definition),
        ]
        for k in dashboard.keys
    ]
    return header, rows


def _years_table(dashboard: Dashboard, locale: str):
    """The time series: every indicator of the area for each of the last three years."""
    scopes = time_series_scopes(dashboard.scope)
    by_year = [ind.compute(dashboard.keys, scope, "country") for scope in scopes]
    header = [_("Indicator")] + [scope.period.code for scope in scopes]
    rows = [
        [str(registry.REGISTRY[k].label)] + [values[k].get(sql.COUNTRY, 0) for values in by_year]
        for k in dashboard.keys
    ]
    return header, rows


def _breakdowns_table(dashboard: Dashboard, locale: str):
    """The share bars: each breakdown's categories with their counts and shares."""
    totals = summaries.breakdown_totals(dashboard.scope)
    header = [_("Breakdown"), _("Category"), _("Count"), _("Share, %")]
    rows = []
    for key, breakdown in registry.BREAKDOWNS.items():
        counts = totals.get(key, {})
        whole = sum(counts.values())
        for category, label in breakdown.categories.items():
            count = counts.get(category, 0)
            share = round(Decimal(count) * 100 / whole, 1) if whole else None
            rows.append([str(breakdown.label), str(label), count, share])
    return header, rows


def _centers_table(dashboard: Dashboard, locale: str):
    """The centers of the area with every indicator."""
    values = ind.compute(dashboard.keys, dashboard.scope, "tenant")
    regions = {region.id: region for region in dashboard.regions}
    header = [_("Center"), _("Region")] + [str(registry.REGISTRY[k].label) for k in dashboard.keys]
    rows = []
    for tenant in tenants_in(dashboard.scope):
        region = regions.get(tenant.region_id)
        rows.append(
            [
                tenant.name_ru if locale == "ru" else tenant.name_en,
                _region_name(region, locale) if region else "",
            ]
            + [values[k].get(tenant.id, 0) for k in dashboard.keys]
        )
    return header, rows


def to_csv(header, rows) -> bytes:
    decimal_commas = (
        [str(value).replace(".", ",") if isinstance(value, Decimal) else value for value in row]
        for row in rows
    )
    return exports.csv_bytes(header, decimal_commas, delimiter=";")


def to_xlsx(tables: list[Table]) -> bytes:
    """A workbook with one sheet per table: bold frozen headers, grouped thousands, fitted widths."""
    sheets = [
        exports.table(
            t.header, [[float(v) if isinstance(v, Decimal) else v for v in row] for row in t.rows], t.title
        )
        for t in tables
    ]
    return exports.xlsx_book(sheets, freeze="B2", group_numbers=True)


def save_export_preset(user, name: str, query: str) -> ExportPreset:
    """A user's saved dashboard export: the filters as a query string, rerun from the dashboard."""
    preset = ExportPreset(user_id=user.id, name=name.strip(), parameters={"query": query})
    db.session.add(preset)
    db.session.flush()
    return preset


# --- KPI plans and period reports -------------------------------------------------------------------


def set_kpi_plan(tenant: Tenant, year: int, indicator: str, plan, fact=None, actor=None) -> KpiPlan:
    if indicator not in registry.REGISTRY:
        raise Refusal(_("Unknown indicator."))
    with tenant_scope(db.session, tenant.id):
        row = db.session.scalar(
            sa.select(KpiPlan).where(KpiPlan.year == year, KpiPlan.indicator == indicator)
        )
        if row is None:
            row = KpiPlan(year=year, indicator=indicator)
            db.session.add(row)
        before = {"plan": row.plan, "fact": row.fact}
        row.plan, row.fact = plan, fact
        db.session.flush()
        record(
            "kpi_plan.set",
            row,
            actor=actor,
            before=before,
            after={"plan": plan, "fact": fact, "year": year, "indicator": indicator},
        )
    return row


def kpi_plans(tenant_id: int, year: int) -> dict[str, KpiPlan]:
    with tenant_scope(db.session, tenant_id):
        return {
            row.indicator: row for row in db.session.scalars(sa.select(KpiPlan).where(KpiPlan.year == year))
        }


def snapshot_for(tenant: Tenant, period: Period) -> dict:
    """The tenant's indicator values for the period, as they are now (JSON-safe)."""
    scope = sql.Scope(period=period, tenant_id=tenant.id)
    with tenant_scope(db.session, tenant.id):
        values = ind.compute(list(registry.REGISTRY), scope, "country")
        plans = kpi_plans(tenant.id, period.start.year)
    return {
        "computed_at": utcnow().isoformat(timespec="seconds"),
        "values": {key: _json_number(v.get(sql.COUNTRY, 0)) for key, v in values.items()},
        "plans": {key: _json_number(row.plan) for key, row in plans.items()},
    }


def _json_number(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    return value


def get_or_create_report(tenant: Tenant, period: Period) -> PeriodReport:
    with tenant_scope(db.session, tenant.id):
        report = db.session.scalar(sa.select(PeriodReport).where(PeriodReport.period == period.code))
        if report is None:
            report = PeriodReport(period=period.code, tenant_id=tenant.id)
            db.session.add(report)
            db.session.flush()
    return report


def submit_report(report: PeriodReport, period: Period, narrative: str, actor) -> None:
    """Freeze the indicators as they are now and send the report for review."""
    if report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
        raise Refusal(_("This report has already been submitted."))
    with tenant_scope(db.session, report.tenant_id):
        report.snapshot = snapshot_for(report.tenant, period)
        report.narrative = narrative.strip()
        report.status = ReportStatus.SUBMITTED
        report.submitted_at, report.submitted_by_id = utcnow(), actor.id
        db.session.flush()
        record("period_report.submitted", report, actor=actor, after={"period": report.period})


def review_report(report: PeriodReport, accept: bool, comment: str, actor) -> None:
    """Accept (from then on the report is immutable) or return it with comments."""
    if report.status != ReportStatus.SUBMITTED:
        raise Refusal(_("Only a submitted report can be accepted or returned."))
    if not accept and not comment.strip():
        raise Refusal(_("Say what should be corrected."))
    with tenant_scope(db.session, report.tenant_id):
        report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
        report.reviewed_at, report.reviewed_by_id = utcnow(), actor.id
        report.review_comment = comment.strip() or None
        db.session.flush()
        record(
            "period_report.accepted" if accept else "period_report.returned",
            report,
            actor=actor,
            after={"comment": report.review_comment},
        )
        if accept:
            signals.period_report_accepted.send(report)


def reports_for_period(
    period_code: str, scope: sql.Scope | None = None
) -> list[tuple[Tenant, PeriodReport | None]]:
    """Every active center (of the scope's area) with its report for the period (None: not submitted)
    — one query."""
    statement = (
        sa.select(Tenant, PeriodReport)
        .join(Region, Region.id == Tenant.region_id)
        .outerjoin(
            PeriodReport, sa.and_(PeriodReport.tenant_id == Tenant.id, PeriodReport.period == period_code)
        )
        .where(Tenant.status == TenantStatus.ACTIVE)
        .order_by(Tenant.name_ru)
        .execution_options(cross_tenant=True)
    )
    if scope is not None:
        statement = sql.in_area(statement, scope)
    with federal_read_scope(db.session):
        return [(tenant, report) for tenant, report in db.session.execute(statement)]


def report_status_counts(scope: sql.Scope) -> dict[str, int]:
    """How many centers of the scope's area have a report for its period in each status, and how many
    have none yet (``"missing"``) — one query."""
    status = sa.func.coalesce(PeriodReport.status, "missing")
    statement = (
        sa.select(status, sa.func.count(Tenant.id))
        .select_from(Tenant)
        .join(Region, Region.id == Tenant.region_id)
        .outerjoin(
            PeriodReport,
            sa.and_(PeriodReport.tenant_id == Tenant.id, PeriodReport.period == scope.period.code),
        )
        .where(Tenant.status == TenantStatus.ACTIVE)
        .group_by(status)
        .execution_options(cross_tenant=True)
    )
    with federal_read_scope(db.session):
        return dict(db.session.execute(sql.in_area(statement, scope)).all())


@dataclass
class SubmittedAndLive:
    tenant: Tenant
    report: PeriodReport | None
    submitted: object  # the value frozen in the report (None: no report submitted)
    live: object

    @property
    def difference(self):
        if self.submitted is None:
            return None
        return Decimal(str(self.live or 0)) - Decimal(str(self.submitted))


def submitted_and_live(scope: sql.Scope, key: str) -> list[SubmittedAndLive]:
    """For each center of the scope's area: the indicator as its report for the period froze it next to
    its value now."""
    reports = reports_for_period(scope.period.code, scope)
    with sql.federal_reads():  # computed from the records now, not read from the stored figures
        live = registry.REGISTRY[key].compute(scope, "tenant")
    rows = []
    for tenant, report in reports:
        frozen = None
        if report is not None and report.snapshot and report.status != ReportStatus.DRAFT:
            value = report.snapshot.get("values", {}).get(key)
            frozen = Decimal(value) if isinstance(value, str) else value
        rows.append(SubmittedAndLive(tenant, report, frozen, live.get(tenant.id, 0)))
    return rows


def default_year() -> int:
    return date.today().year
