"""The federal layer's JSON API: the same indicators as the dashboard, from the same definitions."""

from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, abort, g, jsonify, request
from flask_babel import get_locale

from ..accounts.authz import Permission, requires
from ..api.openapi import doc
from ..extensions import csrf, db
from ..regions.models import FEDERAL_DISTRICTS
from ..tenancy.models import Tenant
from . import indicators as ind
from . import services, summaries
from .periods import PeriodError, parse_period

bp = Blueprint("reporting_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

FILTERS = {
    "period": ("string", "2026, 2026-H1, 2026-Q3 (default: this year)"),
    "from": ("string", "custom period start, ISO date"),
    "to": ("string", "custom period end (inclusive), ISO date"),
    "district": ("string", "federal district code: CFD, NWFD, SFD, NCFD, VFD, UFD, SibFD, FEFD"),
    "region": ("integer", "region id"),
    "specialisation": ("string", "cluster specialisation: an ОКВЭД 2 prefix such as 16 or 16.10"),
}
INDICATORS_SCHEMA = {
    "type": "object",
    "properties": {
        "period": {"type": "object"},
        "group": {"type": "string"},
        "centers": {
            "type": "object",
            "description": "with group=tenant: each center the values name, by its slug (as in /<slug>/ and "
            "the other endpoints), with its name and region",
            "additionalProperties": {"type": "object"},
        },
        "breakdowns": {
            "type": "object",
            "description": "counts of the whole area split by category (registrations by participant "
            "category, service requests and projects by status, defense outcomes)",
            "additionalProperties": {"type": "object"},
        },
        "indicators": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "label": {"type": "string"},
                    "definition": {"type": "string"},
                    "unit": {"type": "string"},
                    "section": {"type": "string"},
                    "values": {"type": "object"},
                    "plan": {
                        "type": ["number", "null"],
                        "description": "the area's centers' plans for the period's year, added up",
                    },
                },
            },
        },
    },
}


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def _scope(tenant_id=None) -> ind.Scope:
    try:
        period = parse_period(request.args.get("period"), request.args.get("from"), request.args.get("to"))
    except PeriodError as error:
        abort(400, str(error))
    district = request.args.get("district")
    if district and district not in FEDERAL_DISTRICTS:
        abort(400, "unknown district")
    specialisation = request.args.get("specialisation") or None
    if specialisation and not ind.SPECIALISATION.fullmatch(specialisation):
        abort(400, "specialisation is an ОКВЭД 2 code or its beginning, e.g. 16 or 16.10")
    return ind.Scope(
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
    values = ind.compute(list(ind.REGISTRY), scope, grouping)
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
            for key, i in ind.REGISTRY.items()
        },
        "breakdowns": {
            key: {
                "label": str(b.label),
                "definition": str(b.definition),
                "section": b.group,
                "categories": {category: str(name) for category, name in b.categories.items()},
                "values": breakdowns.get(key, {}),
            }
            for key, b in ind.BREAKDOWNS.items()
        },
    }
    if centers is not None:
        body["centers"] = centers
    return body


@bp.route("/federal/indicators")
@requires(Permission.FEDERAL_READ)
@doc(
    "Every indicator for a period and area, grouped by country, district, region or tenant",
    tags=["federal"],
    query={**FILTERS, "group": ("string", "country (default), district, region or tenant")},
    response=INDICATORS_SCHEMA,
)
def federal_indicators():
    grouping = request.args.get("group", "country")
    if grouping not in ind.GROUPS:
        abort(400, "group must be country, district, region or tenant")
    with ind.federal_reads():
        return jsonify(_indicators_json(_scope(), grouping))


@bp.route("/federal/regions")
@requires(Permission.FEDERAL_READ)
@doc(
    "The region comparison (one row per region, every indicator), as on the dashboard",
    tags=["federal"],
    query=FILTERS,
    response={"type": "object", "properties": {"items": {"type": "array"}}},
)
def federal_regions():
    scope = _scope()
    with ind.federal_reads():
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
    return jsonify(period=scope.period.code, items=items)


@bp.route("/federal/reports")
@requires(Permission.FEDERAL_READ)
@doc(
    "Period reports of every center for a period (missing ones included, with status null)",
    tags=["federal"],
    query={"period": ("string", "2026-H1 (default: the first half of this year)")},
    response={"type": "object", "properties": {"items": {"type": "array"}}},
)
def federal_reports():
    from datetime import date

    try:
        period = parse_period(request.args.get("period") or f"{date.today().year}-H1")
    except PeriodError as error:
        abort(400, str(error))
    items = [
        {
            "tenant": tenant.slug,
            "status": report.status if report else None,
            "submitted_at": report.submitted_at.isoformat() if report and report.submitted_at else None,
            "snapshot": report.snapshot if report else None,
        }
        for tenant, report in services.reports_for_period(period.code)
    ]
    return jsonify(period=period.code, items=items)


@bp.route("/tenants/<tenant>/indicators")
@requires(Permission.STAFF_AREA)
@doc(
    "The center's own indicators (center staff; the same definitions as the federal layer)",
    tags=["reporting"],
    query={k: v for k, v in FILTERS.items() if k in ("period", "from", "to")},
    response=INDICATORS_SCHEMA,
)
def center_indicators():
    return jsonify(_indicators_json(_scope(tenant_id=g.tenant.id), "country"))
