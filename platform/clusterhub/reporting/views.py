"""The federal layer (read-only across tenants) and the centers' own indicators and period reports."""

import sys
from datetime import date
from urllib.parse import urlencode

import click
import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core import signals
from ..core.access import Permission, can, personal, requires
from ..core.menu import STAFF_GROUP, MenuItem
from ..core.page_cache import PageCache
from ..core.refusal import Refusal
from ..extensions import db
from ..regions.models import FEDERAL_DISTRICTS, Region, district_abbreviation
from ..tenancy.scoping import federal_read_scope
from . import charts, registry, services, sql, summaries
from . import indicators as ind
from .filters import federal_period_choices, filters_of, period_choices, scope_from_request
from .forms import KpiPlanForm, PresetForm, ReviewForm, SubmitReportForm
from .models import ExportPreset, PeriodReport, ReportStatus
from .periods import parse_period

bp = Blueprint("reporting", __name__, template_folder="templates")
RECORD_KEYS = {
    "clusters",
    "clusters_in_register",
    "sessions_held",
    "projects_presented",
    "projects_defended",
    "projects_filed",
    "technoparks",
}
# The few figures the dashboard leads with; every indicator follows, grouped by section.
HEADLINE_KEYS = [
    "centers",
    "clusters",
    "sessions_held",
    "registrations",
    "projects_presented",
    "projects_defended",
    "paid_services_delivered",
    "service_requests",
]


@bp.route("/federal/")
@requires(Permission.FEDERAL_READ)
def dashboard():
    scope = scope_from_request(request.args)
    view = {key: request.args[key] for key in ("map", "sort", "dir", "section") if request.args.get(key)}
    # The figures part of the page is the same for every analyst: rendered once per filters, language and
    # computation of the stored figures it shows (a live computation is never reused).
    reportable = summaries.STANDARD_PERIOD.fullmatch(scope.period.code) is not None  # centers report these
    with sql.federal_reads():
        version = summaries.version([scope] + services.time_series_scopes(scope))
        report_counts = services.report_status_counts(scope) if reportable else None
    filters = filters_of(request.args)
    map_key = _choice("map", next(iter(registry.REGISTRY)))
    key = (str(get_locale()), tuple(sorted(filters.items())), tuple(sorted(view.items())))
    figures_html = _figures_cache.get(key, version) if version else None
    if figures_html is None:
        figures_html = render_template("reporting/_dashboard_figures.html", **_dashboard_figures(scope))
        if version:
            _figures_cache.put(key, version, figures_html)
    compare = reportable and request.args.get("figures") == "submitted"
    return render_template(
        "reporting/dashboard.html",
        figures_html=figures_html,
        scope=scope,
        map_indicator=registry.REGISTRY[map_key],
        report_counts=report_counts,
        submitted_and_live=services.submitted_and_live(scope, map_key) if compare else None,
        compare_link=url_for("reporting.dashboard", **filters, **view, figures="submitted") + "#reports",
        preset_form=PresetForm(query=urlencode(filters)),
        presets=db.session.scalars(
            sa.select(ExportPreset).where(ExportPreset.user_id == current_user.id).order_by(ExportPreset.name)
        ).all(),
    )


# Rendered figures and exports, reused while the stored figures they show are unchanged.
_figures_cache = PageCache("federal-figures", max_entries=256)


def _dashboard_figures(scope: sql.Scope) -> dict:
    """What the figures part of the dashboard shows: totals, the map, the charts and the comparison."""
    map_key = _choice("map", next(iter(registry.REGISTRY)))
    with sql.federal_reads():
        data = services.build_dashboard(scope)
        computed_at = summaries.computed_at(scope)
        tenant_values = ind.compute(data.keys, scope, "tenant") if scope.region_id else None
        tenants = services.tenants_in(scope) if scope.region_id else []
        series = services.time_series(scope, map_key)
        breakdowns = summaries.breakdown_totals(scope)
        periods = period_choices()
    sort = _choice("sort", None)
    descending = request.args.get("dir", "desc") != "asc"
    # The comparison shows one section's indicators at a time (the map's, unless chosen): 90 regions by
    # every indicator is a wall of numbers; the exports carry every column.
    section = request.args.get("section")
    section = section if section in registry.SECTIONS else registry.REGISTRY[sort or map_key].group
    columns = [key for key in data.keys if registry.REGISTRY[key].group == section]
    filters = filters_of(request.args)
    all_regions = list(db.session.scalars(sa.select(Region).order_by(Region.name_ru)))
    base = url_for("reporting.dashboard")

    def link(**changes):  # ~150 links a page: built by hand, url_for costs a route lookup each
        query = {**filters, **changes}
        if "tenant" not in changes and ("region" in changes or "district" in changes):
            query.pop("tenant", None)  # another area than the center's
        return f"{base}?{urlencode(query)}" if query else base

    rows = services.comparison_rows(data, sort, descending)
    number = services.number_formatter(str(get_locale()))
    for row in rows:  # formatted in one pass rather than a template call per cell
        row["cells"] = [number(row[key], registry.REGISTRY[key].unit) for key in columns]
    label = str(registry.REGISTRY[map_key].label)
    breakdown_svgs = []
    for breakdown in registry.BREAKDOWNS.values():
        counts = breakdowns.get(breakdown.key, {})
        parts = [(str(name), counts[c]) for c, name in breakdown.categories.items() if counts.get(c)]
        if parts:
            breakdown_svgs.append(charts.share_bar(parts, str(breakdown.label)))
    region_links = {r.id: link(region=r.id, map=map_key) for r in all_regions}
    district_links = {
        code: f"{base}?{urlencode({**scope.period.query_args(), 'district': code, 'map': map_key})}"
        for code in FEDERAL_DISTRICTS
    }
    return dict(
        data=data,
        scope=scope,
        computed_at=computed_at,
        headline_keys=[key for key in HEADLINE_KEYS if key in data.keys],
        nonzero_keys={key for key in data.keys if data.totals.get(key)},
        district_abbreviation=district_abbreviation,
        rows=rows,
        columns=columns,
        section=section,
        sort=sort,
        descending=descending,
        map_key=map_key,
        region_links=region_links,
        district_links=district_links,
        map_svg=charts.tile_map(all_regions, data.by_region[map_key], label, links=region_links),
        bars_svg=charts.bar_chart(
            sorted(((r["region"].name, r[map_key]) for r in rows if r[map_key]), key=lambda x: -float(x[1])),
            label,
        ),
        series_svg=charts.line_chart(series, _("%(indicator)s: by year", indicator=label)),
        breakdown_svgs=breakdown_svgs,
        filters=filters,
        registry=registry.REGISTRY,
        sections=registry.SECTIONS,
        districts=FEDERAL_DISTRICTS,
        regions=all_regions,
        periods=periods,
        tenants=tenants,
        tenant_values=tenant_values,
        link=link,
        record_keys=RECORD_KEYS,
    )


def _choice(argument: str, default):
    """An indicator key named in the query string, or ``default``."""
    value = request.args.get(argument)
    return value if value in registry.REGISTRY else default


@bp.route("/federal/records/<key>")
@requires(Permission.FEDERAL_READ)
def records(key):
    """The records behind an indicator, read-only and paginated."""
    from ..core.pagination import paginate
    from .records import RECORDS

    if key not in RECORDS:
        abort(404)
    scope = scope_from_request(request.args)
    statement, columns = RECORDS[key](scope)
    with federal_read_scope(db.session):
        page = paginate(statement.execution_options(cross_tenant=True), per_page=50, scalars=False)
    return render_template(
        "reporting/records.html",
        page=page,
        columns=columns,
        indicator=registry.REGISTRY[key],
        key=key,
        filters=filters_of(request.args),
        scope=scope,
    )


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.route("/federal/export.<fmt>")
@requires(Permission.FEDERAL_READ)
def export(fmt):
    """The data of the dashboard's tables and charts: one table as CSV, or a workbook of every table
    (or of the one named by ``table``) as XLSX."""
    if fmt not in EXPORT_TYPES:
        abort(404)
    table = request.args.get("table") or None
    if table not in (None, *services.EXPORT_TABLES):
        abort(404)
    if fmt == "csv":
        table = table or "regions"
    scope = scope_from_request(request.args)
    locale = str(get_locale())
    with sql.federal_reads():
        version = summaries.version([scope] + services.time_series_scopes(scope))
    key = (fmt, table, locale, tuple(sorted(filters_of(request.args).items())))
    body = _figures_cache.get(key, version) if version else None
    if body is None:
        tables = services.export_tables(scope, locale, only=table)
        body = services.to_csv(tables[0].header, tables[0].rows) if fmt == "csv" else services.to_xlsx(tables)
        if version:
            _figures_cache.put(key, version, body)
    name = f"clusterhub-{table or 'dashboard'}-{scope.period.code}.{fmt}"
    return Response(
        body, content_type=EXPORT_TYPES[fmt], headers={"Content-Disposition": f"attachment; filename={name}"}
    )


@bp.route("/federal/presets", methods=["POST"])
@requires(Permission.FEDERAL_READ)
@personal
def save_preset():
    """Saving one's own export preset is the analyst's own setting, not a change to any center's data."""
    form = PresetForm()
    if form.validate_on_submit():
        services.save_export_preset(current_user, form.name.data, form.query.data or "")
        flash(_("The export has been saved."), "success")
    return redirect(url_for("reporting.dashboard") + ("?" + form.query.data if form.query.data else ""))


@bp.route("/federal/presets/<int:preset_id>/run.<fmt>")
@requires(Permission.FEDERAL_READ)
def run_preset(preset_id, fmt):
    preset = db.session.get(ExportPreset, preset_id)
    if preset is None or preset.user_id != current_user.id:
        abort(404)
    return redirect(url_for("reporting.export", fmt=fmt) + "?" + preset.parameters.get("query", ""))


@bp.route("/federal/reports")
@requires(Permission.FEDERAL_READ)
def reports():
    period_code = request.args.get("period") or f"{date.today().year}-H1"
    try:
        period = parse_period(period_code)
    except Refusal:
        abort(404)
    rows = services.reports_for_period(period.code)
    return render_template(
        "reporting/reports.html", rows=rows, period=period, periods=federal_period_choices()
    )


def _report_across_tenants(report_id) -> PeriodReport:
    with federal_read_scope(db.session):
        report = db.session.scalar(
            sa.select(PeriodReport).where(PeriodReport.id == report_id).execution_options(cross_tenant=True)
        )
    if report is None:
        abort(404)
    return report


@bp.route("/federal/reports/<int:report_id>", methods=["GET", "POST"])
@requires(Permission.FEDERAL_READ)
@personal
def report_detail(report_id):
    if request.method == "POST" and not can(Permission.REVIEW_REPORTS):
        abort(403)
    report = _report_across_tenants(report_id)
    period_code, period = report.period, parse_period(report.period)
    form = ReviewForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.review_report(
                report, accept=bool(form.accept.data), comment=form.comment.data or "", actor=current_user
            )
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(
                _("The report has been accepted.")
                if form.accept.data
                else _("The report has been returned to the center."),
                "success",
            )
            return redirect(url_for("reporting.reports", period=period_code))
    live = services.snapshot_for(report.tenant, period)
    return render_template(
        "reporting/report_detail.html",
        report=report,
        live=live,
        form=form,
        registry=registry.REGISTRY,
        period=period,
    )


# --- a center's own figures (under /<tenant>/) ------------------------------------------------------


@bp.route("/<tenant>/staff/indicators", methods=["GET", "POST"])
@requires(Permission.STAFF_AREA)
def center_indicators():
    scope = scope_from_request(request.args)
    scope = sql.Scope(period=scope.period, tenant_id=g.tenant.id)
    form = KpiPlanForm()
    if form.validate_on_submit():
        if not can(Permission.SUBMIT_REPORTS):
            abort(403)
        try:
            services.set_kpi_plan(
                g.tenant,
                scope.period.start.year,
                form.indicator.data,
                form.plan.data,
                form.fact.data,
                actor=current_user,
            )
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The plan has been saved."), "success")
        return redirect(url_for("reporting.center_indicators", **filters_of(request.args)))
    values = {
        key: v.get(sql.COUNTRY, 0)
        for key, v in ind.compute(list(registry.REGISTRY), scope, "country").items()
    }
    plans = services.kpi_plans(g.tenant.id, scope.period.start.year)
    return render_template(
        "reporting/center_indicators.html",
        values=values,
        plans=plans,
        scope=scope,
        registry=registry.REGISTRY,
        sections=registry.SECTIONS,
        periods=period_choices(),
        filters=filters_of(request.args),
    )


@bp.route("/<tenant>/staff/reports", methods=["GET", "POST"])
@requires(Permission.STAFF_AREA)
def center_reports():
    period_code = request.args.get("period") or f"{date.today().year}-H1"
    try:
        period = parse_period(period_code)
    except Refusal:
        abort(404)
    report = db.session.scalar(sa.select(PeriodReport).where(PeriodReport.period == period.code))
    form = SubmitReportForm(obj=report)
    if form.validate_on_submit():
        if not can(Permission.SUBMIT_REPORTS):
            abort(403)
        report = report or services.get_or_create_report(g.tenant, period)
        try:
            services.submit_report(report, period, form.narrative.data, current_user)
        except Refusal as error:
            flash(str(error), "danger")
        else:
            flash(_("The report has been submitted."), "success")
            return redirect(url_for("reporting.center_reports", period=period.code))
    history = db.session.scalars(sa.select(PeriodReport).order_by(PeriodReport.period.desc())).all()
    preview = services.snapshot_for(g.tenant, period)
    return render_template(
        "reporting/center_reports.html",
        report=report,
        form=form,
        period=period,
        periods=period_choices(),
        history=history,
        preview=preview,
        registry=registry.REGISTRY,
        editable=report is None or report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED),
    )


REPORT_STATUS_LABELS = {
    ReportStatus.DRAFT: _l("Draft"),
    ReportStatus.SUBMITTED: _l("Submitted"),
    ReportStatus.RETURNED: _l("Returned for corrections"),
    ReportStatus.ACCEPTED: _l("Accepted"),
}


@bp.app_context_processor
def _labels():
    return {"report_status_label": lambda status: REPORT_STATUS_LABELS.get(status, status)}


@bp.cli.command("refresh")
@click.option("--period", "periods", multiple=True, help="Only these periods (e.g. 2026, 2026-H1, 2026-Q3).")
def refresh_command(periods):
    """Recompute the stored federal figures of this year's and last year's periods; drop the other
    stored figures (other years, cluster specialisations) a day after a request computed them."""
    pairs = [(code, "") for code in periods] if periods else summaries.periods_to_refresh()
    for code, _specialisation in pairs:
        try:
            parse_period(code)
        except Refusal as error:
            raise click.BadParameter(str(error), param_hint="--period") from error
    with click.progressbar(length=len(pairs), label="Federal figures", file=sys.stderr) as bar:
        done = summaries.refresh_all(pairs, progress=lambda _code: bar.update(1))
    for code, specialisation, milliseconds in done:
        click.echo(f"{code}{' ' + specialisation if specialisation else ''}: {milliseconds} ms")
    if not periods:
        click.echo(f"pruned {summaries.prune()} figure sets not viewed for a day")


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "global": [
            MenuItem(_l("Federal figures"), "reporting.dashboard", Permission.FEDERAL_READ),
        ],
        "tenant": [
            MenuItem(
                _l("Indicators"), "reporting.center_indicators", Permission.STAFF_AREA, group=STAFF_GROUP
            ),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's menu entries and home blocks (called from ``create_app``)."""
    signals.menu_items.connect(_menu_items)
