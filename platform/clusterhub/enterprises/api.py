"""Enterprise directory and profiles as JSON: ``/api/v1/enterprises``. Public fields only."""

import sqlalchemy as sa
from flask import Blueprint, abort
from pydantic import Field

from ..api import openapi as contract
from ..api.openapi import API_PREFIX, Money, Payload, Query, doc, items_of, respond
from ..core.access import login_required
from ..core.pagination import paginate
from ..core.refusal import Refusal
from ..extensions import csrf, db
from ..regions.models import Region
from .models import PUBLIC_FIELDS, Enterprise
from .services.profiles import find_by_inn
from .services.search import search_statement

bp = Blueprint("enterprises_api", __name__, url_prefix=f"{API_PREFIX}/enterprises")
csrf.exempt(bp)

TAGS = ["enterprises"]


class EnterpriseSummary(Payload):
    id: int
    inn: str
    ogrn: str | None
    full_name: str
    short_name: str | None
    okved_main: str | None
    region: str | None = Field(description="tax-authority region code")


class EnterpriseRegion(Payload):
    tax_code: str
    iso_code: str | None
    name_ru: str
    name_en: str
    derived: bool = Field(description="read from the ИНН/ОГРН and not yet confirmed by a person")


class Product(Payload):
    name: str
    okpd2: str | None
    description: str | None


class Figure(Payload):
    year: int
    headcount: int | None
    revenue: Money


class EnterpriseProfile(Payload):
    id: int
    inn: str
    ogrn: str | None
    kpp: str | None
    full_name: str
    short_name: str | None
    legal_form: str | None
    legal_address: str | None
    actual_address: str | None
    okved_main: str | None
    okved_additional: list[str]
    size_category: str | None
    website: str | None
    email: str | None
    phone: str | None
    description: str | None
    region: EnterpriseRegion | None
    products: list[Product]
    figures: list[Figure]


class SearchQuery(Query):
    q: str | None = Field(
        None, max_length=200, description="words of the name, or the first digits of ИНН/ОГРН"
    )
    region: str | None = Field(None, max_length=2, description="tax-authority region code, e.g. 11")
    okved: str | None = Field(None, max_length=8, description="ОКВЭД 2 code or its prefix")
    page: int = Field(1, ge=1, description="page number, from 1 (beyond the last: the last)")
    per_page: int = Field(25, ge=1, le=100, description="items per page, at most 100")


EnterprisePage = items_of(EnterpriseSummary, "EnterprisePage", page=int, pages=int, total=int)


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
@doc("Search the enterprise directory", tags=TAGS, query=SearchQuery, response=EnterprisePage)
def search():
    params = contract.query(SearchQuery)
    region_id = None
    if params.region:
        region_id = db.session.scalar(sa.select(Region.id).where(Region.tax_code == params.region))
        if region_id is None:
            return respond(EnterprisePage, {"items": [], "page": 1, "pages": 1, "total": 0})
    page = paginate(
        search_statement(params.q or "", region_id, params.okved or ""),
        per_page=params.per_page,
        page=params.page,
    )
    return respond(
        EnterprisePage,
        {
            "items": [summary_json(e) for e in page.items],
            "page": page.page,
            "pages": page.pages,
            "total": page.total,
        },
    )


@bp.route("/<int:enterprise_id>")
@login_required
@doc(
    "One enterprise profile (public fields, products, yearly figures)",
    tags=TAGS,
    response=EnterpriseProfile,
    etag=True,
)
def profile(enterprise_id):
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        abort(404)
    return respond(EnterpriseProfile, profile_json(enterprise), etag=True)


@bp.route("/by-inn/<inn>")
@login_required
@doc("One enterprise profile found by ИНН", tags=TAGS, response=EnterpriseProfile, etag=True)
def by_inn(inn):
    try:
        enterprise = find_by_inn(inn)
    except Refusal:
        enterprise = None
    if enterprise is None:
        abort(404)
    return respond(EnterpriseProfile, profile_json(enterprise), etag=True)
