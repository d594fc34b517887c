"""The public side: a center's technoparks with their catalogue, and the platform-wide search."""

from typing import Literal

import sqlalchemy as sa
from pydantic import Field

from ...api import openapi as contract
from ...api.openapi import Money, Payload, Query, doc, items_of, respond
from ...core.access import public
from ...core.refusal import Refusal
from ...extensions import db
from ...regions.models import Region
from ..services import equipment as equipment_services
from ..services import offers, technoparks, zones
from ..services import search as search_module
from ..services.values import clean_price
from . import TAGS, EquipmentOut, Operator, ServiceOut, bp, equipment_json, money, service_json


class SearchServiceOut(ServiceOut):
    tenant: str = Field(description="the center's slug")
    technopark_id: int
    technopark_name_ru: str
    region_name_ru: str
    federal_district: str


class SearchEquipmentOut(Payload):
    id: int
    name_ru: str
    name_en: str | None
    category: str
    manufacturer: str | None
    model: str | None
    tenant: str = Field(description="the center's slug")
    technopark_id: int
    technopark_name_ru: str
    region_name_ru: str
    federal_district: str


class SearchPage(Payload):
    items: list[SearchServiceOut] | list[SearchEquipmentOut]
    page: int
    pages: int
    total: int


class ZoneOut(Payload):
    id: int
    name_ru: str
    kind: str
    area: Money
    free_area: Money


class TechnoparkOut(Payload):
    id: int
    name_ru: str
    name_en: str | None
    kind: str
    register_status: str
    operator: Operator | None
    region: str
    address_ru: str | None
    total_area: Money
    useful_area: Money
    contact_email: str | None
    zones: list[ZoneOut]
    equipment: list[EquipmentOut]
    services: list[ServiceOut]


class SearchQuery(Query):
    kind: Literal["services", "equipment"] = "services"
    q: str | None = Field(None, max_length=200)
    category: str | None = Field(None, max_length=40, description="service or equipment category")
    region: str | None = Field(None, max_length=2, description="region tax code, e.g. 11")
    district: str | None = Field(None, max_length=10, description="federal district code, e.g. NWFD")
    price_min: str | None = Field(None, max_length=20, description="roubles, with VAT where it applies")
    price_max: str | None = Field(None, max_length=20, description="roubles, with VAT where it applies")
    sort: Literal["relevance", "price_asc", "price_desc"] = "relevance"
    page: int = Field(1, ge=1, description="page number, from 1 (beyond the last: the last)")


TechnoparkList = items_of(TechnoparkOut, "TechnoparkList")


@bp.route("/tenants/<tenant>/technoparks")
@public
@doc(
    "Technoparks of a center with their zones, equipment and published services",
    tags=TAGS,
    public=True,
    response=TechnoparkList,
)
def catalogue():
    items = []
    for tp in technoparks.technoparks():
        items.append(
            {
                "id": tp.id,
                "name_ru": tp.name_ru,
                "name_en": tp.name_en,
                "kind": tp.kind,
                "register_status": tp.register_status,
                "operator": {"inn": tp.operator.inn, "name": tp.operator.name} if tp.operator else None,
                "region": tp.region.tax_code,
                "address_ru": tp.address_ru,
                "total_area": money(tp.total_area),
                "useful_area": money(tp.useful_area),
                "contact_email": tp.contact_email,
                "zones": [
                    {
                        "id": z.id,
                        "name_ru": z.name_ru,
                        "kind": z.kind,
                        "area": money(z.area),
                        "free_area": money(z.free_area),
                    }
                    for z in zones.zones(tp)
                ],
                "equipment": [equipment_json(e) for e in equipment_services.equipment_list(tp)],
                "services": [
                    service_json(s) for s in db.session.scalars(offers.services_of(tp, published_only=True))
                ],
            }
        )
    return respond(TechnoparkList, {"items": items})


@bp.route("/technoparks/search")
@public
@doc(
    "Search published services (or bookable equipment) of every center",
    tags=TAGS,
    public=True,
    query=SearchQuery,
    response=SearchPage,
)
def search():
    params = contract.query(SearchQuery)
    filters = search_module.SearchFilters(
        q=(params.q or "").strip()[:200],
        category=params.category or "",
        district=params.district or "",
        sort=params.sort,
    )
    if params.region:
        filters.region_id = (
            db.session.scalar(sa.select(Region.id).where(Region.tax_code == params.region)) or -1
        )
    for name in ("price_min", "price_max"):
        value = getattr(params, name)
        if value:
            try:
                setattr(filters, name, clean_price(value, field=name))
            except Refusal as error:
                raise contract.BadRequest(str(error), name) from None
    if params.kind == "equipment":
        page = search_module.search_equipment(filters, params.page)
        items = [
            {
                "id": r.id,
                "name_ru": r.name_ru,
                "name_en": r.name_en,
                "category": r.category,
                "manufacturer": r.manufacturer,
                "model": r.model,
                "tenant": r.tenant_slug,
                "technopark_id": r.technopark_id,
                "technopark_name_ru": r.technopark_name_ru,
                "region_name_ru": r.region_name_ru,
                "federal_district": r.federal_district,
            }
            for r in page.items
        ]
    else:
        page = search_module.search_services(filters, params.page)
        items = [
            {
                **service_json(r),
                "tenant": r.tenant_slug,
                "technopark_id": r.technopark_id,
                "technopark_name_ru": r.technopark_name_ru,
                "region_name_ru": r.region_name_ru,
                "federal_district": r.federal_district,
            }
            for r in page.items
        ]
    return respond(SearchPage, {"items": items, "page": page.page, "pages": page.pages, "total": page.total})
