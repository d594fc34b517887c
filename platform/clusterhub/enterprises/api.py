"""Enterprise directory and profiles as JSON: ``/api/v1/enterprises``. Public fields only."""

from flask import Blueprint, abort, jsonify, request

from ..accounts.authz import login_required
from ..api.openapi import API_PREFIX, doc
from ..core.pagination import paginate
from ..extensions import csrf, db
from . import services
from .models import PUBLIC_FIELDS, Enterprise

bp = Blueprint("enterprises_api", __name__, url_prefix=f"{API_PREFIX}/enterprises")
csrf.exempt(bp)

ENTERPRISE_SUMMARY = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "inn": {"type": "string"},
        "ogrn": {"type": ["string", "null"]},
        "full_name": {"type": "string"},
        "short_name": {"type": ["string", "null"]},
        "okved_main": {"type": ["string", "null"]},
        "region": {"type": ["string", "null"], "description": "tax-authority region code"},
    },
}
ENTERPRISE_PROFILE = {
    "type": "object",
    "properties": {
        **{name: {"type": ["string", "null"]} for name in PUBLIC_FIELDS if name != "region_id"},
        "id": {"type": "integer"},
        "region": {"type": ["object", "null"]},
        "okved_additional": {"type": "array", "items": {"type": "string"}},
        "products": {"type": "array", "items": {"type": "object"}},
        "figures": {"type": "array", "items": {"type": "object"}},
    },
}


def summary_json(e: Enterprise) -> dict:
    return {
        "id": e.id,
        "inn": e.inn,
        "ogrn": e.ogrn,
        "full_name": e.full_name,
        "short_name": e.short_name,
        "okved_main": e.okved_main,
        "region": e.region.tax_code if e.region else None,
    }


def profile_json(e: Enterprise) -> dict:
    data = {name: getattr(e, name) for name in PUBLIC_FIELDS if name != "region_id"}
    data.update(
        id=e.id,
        okved_additional=e.okved_additional_list,
        region=(
            {
                "tax_code": e.region.tax_code,
                "iso_code": e.region.iso_code,
                "name_ru": e.region.name_ru,
                "name_en": e.region.name_en,
                # read from the ИНН/ОГРН (where the number was issued) and not yet confirmed by a person
                "derived": e.region_derived,
            }
            if e.region
            else None
        ),
        products=[{"name": p.name, "okpd2": p.okpd2, "description": p.description} for p in e.products],
        figures=[
            {
                "year": f.year,
                "headcount": f.headcount,
                "revenue": None if f.revenue is None else str(f.revenue),
            }
            for f in e.figures
        ],
    )
    return data


@bp.route("")
@login_required
@doc(
    "Search the enterprise directory",
    query={
        "q": ("string", "words of the name, or the first digits of ИНН/ОГРН"),
        "region": ("string", "tax-authority region code, e.g. 11"),
        "okved": ("string", "ОКВЭД 2 code or its prefix"),
        "page": ("integer", "page number, from 1"),
        "per_page": ("integer", "items per page, at most 100"),
    },
    response={
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": ENTERPRISE_SUMMARY},
            "page": {"type": "integer"},
            "pages": {"type": "integer"},
            "total": {"type": "integer"},
        },
    },
)
def search():
    import sqlalchemy as sa

    from ..regions.models import Region

    region_id = None
    if request.args.get("region"):
        region_id = db.session.scalar(sa.select(Region.id).where(Region.tax_code == request.args["region"]))
        if region_id is None:
            return jsonify(items=[], page=1, pages=1, total=0)
    per_page = min(max(request.args.get("per_page", 25, type=int), 1), 100)
    page = paginate(
        services.search_statement(request.args.get("q", ""), region_id, request.args.get("okved", "")),
        per_page=per_page,
    )
    return jsonify(
        items=[summary_json(e) for e in page.items], page=page.page, pages=page.pages, total=page.total
    )


@bp.route("/<int:enterprise_id>")
@login_required
@doc("One enterprise profile (public fields, products, yearly figures)", response=ENTERPRISE_PROFILE)
def profile(enterprise_id):
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        abort(404)
    return jsonify(profile_json(enterprise))


@bp.route("/by-inn/<inn>")
@login_required
@doc("One enterprise profile found by ИНН", response=ENTERPRISE_PROFILE)
def by_inn(inn):
    try:
        enterprise = services.find_by_inn(inn)
    except services.EnterpriseError:
        enterprise = None
    if enterprise is None:
        abort(404)
    return jsonify(profile_json(enterprise))
