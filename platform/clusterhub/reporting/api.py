"""The federal layer's JSON API: the same indicators as the dashboard, from the same definitions."""

from datetime import date
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa
from flask import Blueprint, abort, g, request
from flask_babel import get_locale
from flask_login import current_user
from pydantic import Field

from ..api import openapi as contract
from ..api.lists import ListQuery, cursor_page
from ..api.openapi import Body, Payload, Query, UtcDateTime, choice, doc, items_of, respond
from ..api.views import CenterSummary
from ..core.access import Permission, personal, requires
from ..core.refusal import Refusal
from ..extensions import csrf, db
from ..regions.models import FEDERAL_DISTRICTS
from ..tenancy.models import Tenant
from . import indicators as ind
from . import registry, services, sql, summaries
from .models import PeriodReport, ReportStatus
from .periods import parse_period

bp = Blueprint("reporting_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

TAGS = ["federal"]


class Filters(Query):
    period: str | None = Field(None, max_length=32, description="2026, 2026-H1, 2026-Q3 (default: this year)")
    from_: date | None = Field(None, alias="from", description="custom period start, ISO date")
    to: date | None = Field(None, description="custom period end (inclusive), ISO date")
    district: str | None = Field(
        None, max_length=10, description="federal district code: CFD, NWFD, SFD, NCFD, VFD, UFD, SibFD, FEFD"
    )
    region: int | None = Field(None, ge=0, le=2**31 - 1, description="region id (see /federal/regions)")
    specialisation: str | None = Field(
        None, max_length=20, description="cluster specialisation: an ОКВЭД 2 prefix such as 16 or 16.10"
    )


class IndicatorQuery(Filters):
    group: Literal["country", "district", "region", "tenant"] = "country"


class CenterPeriodQuery(Query):
    period: str | None = Field(None, max_length=32, description="2026, 2026-H1, 2026-Q3 (default: this year)")
    from_: date | None = Field(None, alias="from", description="custom period start, ISO date")
    to: date | None = Field(None, description="custom period end (inclusive), ISO date")


class ReportsQuery(Query):
    period: str | None = Field(
        None, max_length=32, description="2026-H1 (default: the first half of this year)"
    )


class PeriodOut(Payload):
    code: str
    start: date
    end_exclusive: date


class IndicatorOut(Payload):
    label: str
    definition: str
    unit: str
    section: str
    values: dict[str, float | int | None] = Field(
        description="by group key: country, district code, region id, or the center's slug"
    )
    plan: float | int | None = Field(description="the area's centers' plans for the period's year, added up")


class BreakdownOut(Payload):
    label: str
    definition: str
    section: str
    categories: dict[str, str]
    values: dict[str, Any]


class Indicators(Payload):
    period: PeriodOut
    group: str
    locale: str
    indicators: dict[str, IndicatorOut]
    breakdowns: dict[str, BreakdownOut] = Field(
        description="counts of the whole area split by category (registrations by participant category, "
        "service requests and projects by status, defense outcomes)"
    )
    centers: dict[str, CenterSummary] | None = Field(
        None,
        description="with group=tenant: each center the values name, by its slug (as in /<slug>/ and the "
        "other endpoints), with its name and region",
    )


class RegionOut(Payload):
    id: int
    tax_code: str
    iso_code: str | None
    name_ru: str
    name_en: str
    federal_district: str


class RegionRow(Payload):
    region: RegionOut
    values: dict[str, float | int | None]


class RegionComparison(Payload):
    period: str
    items: list[RegionRow]


class FederalReport(Payload):
    tenant: str = Field(description="the center's slug")
    status: choice(ReportStatus) | None
    submitted_at: UtcDateTime | None
    snapshot: dict[str, Any] | None


class FederalReports(Payload):
    period: str
    items: list[FederalReport]


class CenterReport(Payload):
    tenant: str = Field(description="the center's slug")
    period: str
    status: choice(ReportStatus)
    narrative: str
    snapshot: dict[str, Any] | None
    submitted_at: UtcDateTime | None
    reviewed_at: UtcDateTime | None
    review_comment: str | None
    updated_at: UtcDateTime


class SubmitBody(Body):
    narrative: str = Field("", max_length=20000, description="the center's account of the period")


class ReviewBody(Body):
    comment: str = Field("", max_length=20000, description="what should be corrected (needed to return)")


CenterReportList = items_of(CenterReport, "CenterReportList", cursor=True)


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def _scope(tenant_id=None) -> sql.Scope:
    try:
        period = parse_period(request.args.get("period"), request.args.get("from"), request.args.get("to"))
    except Refusal as error:
        abort(400, str(error))
    district = request.args.get("district")
    if district and district not in FEDERAL_DISTRICTS:
        abort(400, "unknown district")
    specialisation = request.args.get("specialisation") or None
    if specialisation and not sql.SPECIALISATION.fullmatch(specialisation):
        abort(400, "specialisation is an ОКВЭД 2 code or its beginning, e.g. 16 or 16.10")
    return sql.Scope(
        period=period,
        district=district,
        region_id=request.args.get("region", type=int),
        tenant_id=tenant_id,
        specialisation=specialisation,
    )


def _keyed_by_slug(values: dict) -> tuple[dict, dict]:
    """Values grouped by center, re-keyed from the internal ids to the slugs every other API publishes,
    and the centers they name."""
    ids = {center for by_center in values.values() for center in by_center}
    tenants = db.session.scalars(sa.select(Tenant).where(Tenant.id.in_(ids))).all() if ids else []
    slug = {tenant.id: tenant.slug for tenant in tenants}
    keyed = {
        key: {slug[c]: v for c, v in by_center.items() if c in slug} for key, by_center in values.items()
    }
    return keyed, {tenant.slug: tenant.public_summary() for tenant in sorted(tenants, key=lambda t: t.slug)}


def _indicators_json(scope, grouping) -> dict:
    values = ind.compute(list(registry.REGISTRY), scope, grouping)
    centers = None
    if grouping == "tenant":
        values, centers = _keyed_by_slug(values)
    plans = summaries.plan_totals(scope)
    breakdowns = summaries.breakdown_totals(scope)
    body = {
        "period": {
            "code": scope.period.code,
            "start": scope.period.start.isoformat(),
            "end_exclusive": scope.period.end.isoformat(),
        },
        "group": grouping,
        "locale": str(get_locale()),
        "indicators": {
            key: {
                "label": str(i.label),
                "definition": str(i.definition),
                "unit": i.unit,
                "section": i.group,
                "values": {str(k): _number(v) for k, v in values[key].items()},
                "plan": _number(plans.get(key)),
            }
            for key, i in registry.REGISTRY.items()
        },
        "breakdowns": {
            key: {
                "label": str(b.label),
                "definition": str(b.definition),
                "section": b.group,
                "categories": {category: str(name) for category, name in b.categories.items()},
                "values": breakdowns.get(key, {}),
            }
            for key, b in registry.BREAKDOWNS.items()
        },
    }
    if centers is not None:
        body["centers"] = centers
    return body


@bp.route("/federal/indicators")
@requires(Permission.FEDERAL_READ)
@doc(
    "Every indicator for a period and area, grouped by country, district, region or tenant",
    tags=TAGS,
    query=IndicatorQuery,
    response=Indicators,
)
def federal_indicators():
    grouping = contract.query(IndicatorQuery).group
    with sql.federal_reads():
        body = _indicators_json(_scope(), grouping)
    return respond(Indicators, body)


@bp.route("/federal/regions")
@requires(Permission.FEDERAL_READ)
@doc(
    "The region comparison (one row per region, every indicator), as on the dashboard",
    tags=TAGS,
    query=Filters,
    response=RegionComparison,
)
def federal_regions():
    contract.query(Filters)
    scope = _scope()
    with sql.federal_reads():
        data = services.build_dashboard(scope)
    items = [
        {
            "region": {
                "id": row["region"].id,
                "tax_code": row["region"].tax_code,
                "iso_code": row["region"].iso_code,
                "name_ru": row["region"].name_ru,
                "name_en": row["region"].name_en,
                "federal_district": row["region"].federal_district,
            },
            "values": {key: _number(row[key]) for key in data.keys},
        }
        for row in services.comparison_rows(data)
    ]
    return respond(RegionComparison, {"period": scope.period.code, "items": items})


def _report_period(code: str | None):
    try:
        return parse_period(code or f"{date.today().year}-H1")
    except Refusal as error:
        raise contract.BadRequest(str(error), "period") from None


@bp.route("/federal/reports")
@requires(Permission.FEDERAL_READ)
@doc(
    "Period reports of every center for a period (missing ones included, with status null)",
    tags=TAGS,
    query=ReportsQuery,
    response=FederalReports,
)
def federal_reports():
    period = _report_period(contract.query(ReportsQuery).period)
    items = [
        {
            "tenant": tenant.slug,
            "status": report.status if report else None,
            "submitted_at": report.submitted_at if report else None,
            "snapshot": report.snapshot if report else None,
        }
        for tenant, report in services.reports_for_period(period.code)
    ]
    return respond(FederalReports, {"period": period.code, "items": items})


def _center_report_json(report: PeriodReport, slug: str) -> dict:
    return {
        "tenant": slug,
        "period": report.period,
        "status": report.status,
        "narrative": report.narrative or "",
        "snapshot": report.snapshot,
        "submitted_at": report.submitted_at,
        "reviewed_at": report.reviewed_at,
        "review_comment": report.review_comment,
        "updated_at": report.updated_at,
    }


def _federal_report(slug: str, period_code: str) -> tuple[PeriodReport, Tenant]:
    """A center's report named by the center's slug and the period: the federal API never uses ids."""
    from ..tenancy.scoping import federal_read_scope

    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        abort(404)
    with federal_read_scope(db.session):
        report = db.session.scalar(
            sa.select(PeriodReport)
            .where(PeriodReport.tenant_id == tenant.id, PeriodReport.period == period_code)
            .execution_options(cross_tenant=True)
        )
    if report is None:
        abort(404)
    return report, tenant


def _review(slug, period, accept: bool):
    report, tenant = _federal_report(slug, period)
    comment = contract.body(ReviewBody).comment
    services.review_report(report, accept=accept, comment=comment, actor=current_user)
    return respond(CenterReport, _center_report_json(report, tenant.slug))


@bp.route("/federal/reports/<slug>/<period>/accept", methods=["POST"])
@requires(Permission.REVIEW_REPORTS)
@personal
@doc(
    "Accept a center's submitted report (federal reviewer); from then on it cannot change",
    tags=TAGS,
    body=ReviewBody,
    response=CenterReport,
)
def accept_report(slug, period):
    return _review(slug, period, True)


@bp.route("/federal/reports/<slug>/<period>/return", methods=["POST"])
@requires(Permission.REVIEW_REPORTS)
@personal
@doc(
    "Return a center's submitted report with what should be corrected (federal reviewer)",
    tags=TAGS,
    body=ReviewBody,
    response=CenterReport,
)
def return_report(slug, period):
    return _review(slug, period, False)


@bp.route("/tenants/<tenant>/indicators")
@requires(Permission.STAFF_AREA)
@doc(
    "The center's own indicators (center staff; the same definitions as the federal layer)",
    tags=["reporting"],
    query=CenterPeriodQuery,
    response=Indicators,
)
def center_indicators():
    contract.query(CenterPeriodQuery)
    return respond(Indicators, _indicators_json(_scope(tenant_id=g.tenant.id), "country"))


@bp.route("/tenants/<tenant>/reports")
@requires(Permission.STAFF_AREA)
@doc(
    "The center's period reports (center staff)",
    tags=["reporting"],
    query=ListQuery,
    response=CenterReportList,
)
def center_reports():
    params = contract.query(ListQuery)
    rows, next_cursor = cursor_page(sa.select(PeriodReport), PeriodReport, params)
    return respond(
        CenterReportList,
        {"items": [_center_report_json(r, g.tenant.slug) for r in rows], "next_cursor": next_cursor},
    )


@bp.route("/tenants/<tenant>/reports/<period>/submit", methods=["POST"])
@requires(Permission.SUBMIT_REPORTS)
@doc(
    "Submit the center's report for a period (center admin): the indicators are frozen as they are now",
    tags=["reporting"],
    body=SubmitBody,
    response=CenterReport,
)
def submit_report(period):
    try:
        parsed = parse_period(period)
    except Refusal as error:
        raise Refusal(str(error), "period") from None
    data = contract.body(SubmitBody)
    report = services.get_or_create_report(g.tenant, parsed)
    services.submit_report(report, parsed, data.narrative, current_user)
    return respond(CenterReport, _center_report_json(report, g.tenant.slug))
