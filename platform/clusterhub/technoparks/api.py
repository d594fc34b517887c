"""JSON API of technoparks: catalogues, the platform-wide search, service requests; and for the center's
staff the catalogue (services and equipment) and the handling of requests, through the same services as
the technopark pages."""

from datetime import date
from typing import Literal

import sqlalchemy as sa
from flask import Blueprint, abort
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import Field

from ..accounts.authz import login_required, public, requires
from ..api import openapi as contract
from ..api.lists import ListQuery, cursor_page
from ..api.openapi import API_PREFIX, Body, Money, Payload, Query, UtcDateTime, choice, doc, items_of, respond
from ..core.refusal import Refusal
from ..enterprises.models import Enterprise
from ..extensions import csrf, db
from . import requests as service_requests
from . import search as search_module
from . import services as svc
from .models import (
    Audience,
    Equipment,
    EquipmentCategory,
    OfferStatus,
    RequestStatus,
    ServiceCategory,
    ServiceOffer,
    ServiceRequest,
    ServiceUnit,
    Technopark,
    VatTreatment,
)
from .views import HANDLE_REQUESTS, MANAGE_CATALOGUE

bp = Blueprint("technoparks_api", __name__, url_prefix=API_PREFIX)
csrf.exempt(bp)  # bearer tokens only

TAGS = ["technoparks"]
VatName = choice(VatTreatment)
CategoryName = choice(ServiceCategory)
UnitName = choice(ServiceUnit)
AudienceName = choice(Audience)
OfferStatusName = choice(OfferStatus)
EquipmentCategoryName = choice(EquipmentCategory)
RequestStatusName = choice(RequestStatus)


class ServiceOut(Payload):
    id: int
    name_ru: str
    name_en: str | None
    category: str
    unit: str
    price: Money
    gross_price: Money
    price_on_request: bool
    vat: VatName
    lead_time_days: int | None
    audience: str


class StaffServiceOut(ServiceOut):
    technopark_id: int
    description_ru: str | None
    description_en: str | None
    status: OfferStatusName
    equipment_ids: list[int]
    updated_at: UtcDateTime


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


class Spec(Payload):
    key: str
    value: str
    unit: str | None


class EquipmentOut(Payload):
    id: int
    name_ru: str
    name_en: str | None
    category: str
    manufacturer: str | None
    model: str | None
    quantity: int
    bookable: bool
    specs: list[Spec]


class StaffEquipmentOut(EquipmentOut):
    technopark_id: int
    zone_id: int | None
    updated_at: UtcDateTime


class ZoneOut(Payload):
    id: int
    name_ru: str
    kind: str
    area: Money
    free_area: Money


class Operator(Payload):
    inn: str
    name: str


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


class RequestOut(Payload):
    id: int
    status: RequestStatusName
    quote: Money
    tenant: str = Field(description="the center's slug")
    service: str
    technopark: str
    created_at: UtcDateTime


class CreatedRequest(Payload):
    id: int
    status: RequestStatusName
    quote: Money
    service: str


class HistoryEntry(Payload):
    from_status: str | None
    to_status: str
    note: str | None
    at: UtcDateTime


class StaffRequestOut(Payload):
    id: int
    status: RequestStatusName
    service_id: int
    service: str
    enterprise: Operator
    quantity: str
    desired_start: date | None
    desired_end: date | None
    comment: str | None
    quote: Money
    scheduled_start: date | None
    scheduled_end: date | None
    staff_note: str | None
    allowed_actions: list[str]
    history: list[HistoryEntry]
    created_at: UtcDateTime
    updated_at: UtcDateTime


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


class RequestBody(Body):
    enterprise_inn: str = Field(max_length=12)
    quantity: str | int | float = Field(description="in the service's unit")
    desired_start: date | None = None
    desired_end: date | None = None
    comment: str | None = Field(None, max_length=5000)


class ServiceBody(Body):
    name_ru: str = Field(max_length=300)
    name_en: str | None = Field(None, max_length=300)
    description_ru: str | None = Field(None, max_length=20000)
    description_en: str | None = Field(None, max_length=20000)
    category: CategoryName
    unit: UnitName
    price: str | None = Field(None, max_length=20, description="roubles without VAT where VAT is added")
    price_on_request: bool = False
    vat: VatName = "plus_20"
    lead_time_days: int | None = Field(None, ge=0, le=3650)
    audience: AudienceName = "anyone"
    status: OfferStatusName = "draft"
    equipment_ids: list[int] | None = Field(None, max_length=200, description="equipment of this technopark")


class ServicePatch(Body):
    """Only the fields sent change."""

    name_ru: str | None = Field(None, max_length=300)
    name_en: str | None = Field(None, max_length=300)
    description_ru: str | None = Field(None, max_length=20000)
    description_en: str | None = Field(None, max_length=20000)
    category: CategoryName | None = None
    unit: UnitName | None = None
    price: str | None = Field(None, max_length=20)
    price_on_request: bool | None = None
    vat: VatName | None = None
    lead_time_days: int | None = Field(None, ge=0, le=3650)
    audience: AudienceName | None = None
    status: OfferStatusName | None = None
    equipment_ids: list[int] | None = Field(None, max_length=200)


class SpecBody(Body):
    key: str = Field(max_length=100)
    value: str = Field(max_length=200)
    unit: str | None = Field(None, max_length=40)


class EquipmentBody(Body):
    name_ru: str = Field(max_length=300)
    name_en: str | None = Field(None, max_length=300)
    category: EquipmentCategoryName
    manufacturer: str | None = Field(None, max_length=200)
    model: str | None = Field(None, max_length=200)
    quantity: int = Field(1, ge=1, le=100_000)
    bookable: bool = False
    zone_id: int | None = Field(None, ge=0)
    specs: list[SpecBody] | None = Field(None, max_length=100, description="replaces the specifications")


class EquipmentPatch(Body):
    """Only the fields sent change."""

    name_ru: str | None = Field(None, max_length=300)
    name_en: str | None = Field(None, max_length=300)
    category: EquipmentCategoryName | None = None
    manufacturer: str | None = Field(None, max_length=200)
    model: str | None = Field(None, max_length=200)
    quantity: int | None = Field(None, ge=1, le=100_000)
    bookable: bool | None = None
    zone_id: int | None = Field(None, ge=0)
    specs: list[SpecBody] | None = Field(None, max_length=100)


class AcceptBody(Body):
    quote: str = Field(max_length=20, description="roubles, e.g. 15000.00")
    scheduled_start: date
    scheduled_end: date
    note: str | None = Field(None, max_length=5000)


class NoteBody(Body):
    note: str = Field(max_length=5000, description="what should change, or the reason for the rejection")


class CompleteBody(Body):
    note: str | None = Field(None, max_length=5000)


class ServiceQuery(ListQuery):
    status: OfferStatusName | None = None
    category: CategoryName | None = None


class RequestQuery(ListQuery):
    status: RequestStatusName | None = None


TechnoparkList = items_of(TechnoparkOut, "TechnoparkList")
RequestList = items_of(RequestOut, "MyServiceRequestList")
StaffServiceList = items_of(StaffServiceOut, "StaffServiceList", cursor=True)
StaffEquipmentList = items_of(StaffEquipmentOut, "StaffEquipmentList", cursor=True)
StaffRequestList = items_of(StaffRequestOut, "StaffServiceRequestList", cursor=True)


def _money(value):
    return None if value is None else f"{value:.2f}"


def _service_json(s) -> dict:
    return {
        "id": s.id,
        "name_ru": s.name_ru,
        "name_en": s.name_en,
        "category": s.category,
        "unit": s.unit,
        "price": _money(s.price),
        "gross_price": _money(s.gross_price),
        "price_on_request": bool(s.price_on_request),
        "vat": s.vat,
        "lead_time_days": s.lead_time_days,
        "audience": s.audience,
    }


def _staff_service_json(s: ServiceOffer) -> dict:
    return {
        **_service_json(s),
        "technopark_id": s.technopark_id,
        "description_ru": s.description_ru,
        "description_en": s.description_en,
        "status": s.status,
        "equipment_ids": sorted(e.id for e in svc.linked_equipment(s)),
        "updated_at": s.updated_at,
    }


def _equipment_json(e: Equipment) -> dict:
    return {
        "id": e.id,
        "name_ru": e.name_ru,
        "name_en": e.name_en,
        "category": e.category,
        "manufacturer": e.manufacturer,
        "model": e.model,
        "quantity": e.quantity,
        "bookable": e.bookable,
        "specs": [{"key": s.key, "value": s.value, "unit": s.unit} for s in e.specs],
    }


def _staff_equipment_json(e: Equipment) -> dict:
    return {
        **_equipment_json(e),
        "technopark_id": e.technopark_id,
        "zone_id": e.zone_id,
        "updated_at": e.updated_at,
    }


def _staff_request_json(r: ServiceRequest) -> dict:
    return {
        "id": r.id,
        "status": r.status,
        "service_id": r.service_id,
        "service": r.service.name_ru,
        "enterprise": {"inn": r.enterprise.inn, "name": r.enterprise.name},
        "quantity": str(r.quantity),
        "desired_start": r.desired_start,
        "desired_end": r.desired_end,
        "comment": r.comment,
        "quote": _money(r.quote),
        "scheduled_start": r.scheduled_start,
        "scheduled_end": r.scheduled_end,
        "staff_note": r.staff_note,
        "allowed_actions": service_requests.allowed_actions(r, "technopark"),
        "history": [
            {"from_status": h.from_status, "to_status": h.to_status, "note": h.note, "at": h.created_at}
            for h in r.history
        ],
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }


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
    for tp in svc.technoparks():
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
                "total_area": _money(tp.total_area),
                "useful_area": _money(tp.useful_area),
                "contact_email": tp.contact_email,
                "zones": [
                    {
                        "id": z.id,
                        "name_ru": z.name_ru,
                        "kind": z.kind,
                        "area": _money(z.area),
                        "free_area": _money(z.free_area),
                    }
                    for z in svc.zones(tp)
                ],
                "equipment": [_equipment_json(e) for e in svc.equipment_list(tp)],
                "services": [
                    _service_json(s) for s in db.session.scalars(svc.services_of(tp, published_only=True))
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
    from ..regions.models import Region

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
                setattr(filters, name, svc.clean_price(value, field=name))
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
                **_service_json(r),
                "tenant": r.tenant_slug,
                "technopark_id": r.technopark_id,
                "technopark_name_ru": r.technopark_name_ru,
                "region_name_ru": r.region_name_ru,
                "federal_district": r.federal_district,
            }
            for r in page.items
        ]
    return respond(SearchPage, {"items": items, "page": page.page, "pages": page.pages, "total": page.total})


@bp.route("/tenants/<tenant>/technoparks/services/<int:service_id>/requests", methods=["POST"])
@login_required
@doc(
    "Request a service on behalf of an enterprise you represent",
    tags=TAGS,
    body=RequestBody,
    response=CreatedRequest,
    status=201,
)
def create_request(service_id):
    service = db.session.scalar(
        sa.select(ServiceOffer).where(
            ServiceOffer.id == service_id, ServiceOffer.status == OfferStatus.PUBLISHED
        )
    )
    if service is None:
        abort(404)
    data = contract.body(RequestBody)
    enterprise = db.session.scalar(sa.select(Enterprise).where(Enterprise.inn == data.enterprise_inn.strip()))
    if enterprise is None:
        raise Refusal(_("No enterprise has this ИНН."), "enterprise_inn")
    created = service_requests.create_request(
        service,
        enterprise,
        current_user,
        str(data.quantity),
        comment=data.comment,
        desired_start=data.desired_start,
        desired_end=data.desired_end,
    )
    return respond(
        CreatedRequest,
        {"id": created.id, "status": created.status, "quote": None, "service": service.name_ru},
        201,
    )


@bp.route("/technoparks/my-requests")
@login_required
@doc("Service requests of the enterprises you represent, in every region", tags=TAGS, response=RequestList)
def my_requests():
    from ..enterprises.services.representatives import represented_enterprises

    rows = service_requests.requests_of_enterprises([e.id for e in represented_enterprises(current_user)])
    return respond(
        RequestList,
        {
            "items": [
                {
                    "id": r.id,
                    "status": r.status,
                    "quote": _money(r.quote),
                    "tenant": r.tenant_slug,
                    "service": r.service_name_ru,
                    "technopark": r.technopark_name_ru,
                    "created_at": r.created_at,
                }
                for r in rows
            ]
        },
    )


# --- the catalogue (staff) ------------------------------------------------------------------------------


def _technopark(technopark_id) -> Technopark:
    return db.first_or_404(sa.select(Technopark).where(Technopark.id == technopark_id))


def _service(service_id) -> ServiceOffer:
    return db.first_or_404(sa.select(ServiceOffer).where(ServiceOffer.id == service_id))


def _equipment(equipment_id) -> Equipment:
    return db.first_or_404(sa.select(Equipment).where(Equipment.id == equipment_id))


def _service_values(s: ServiceOffer) -> dict:
    keys = ("name_ru", "name_en", "description_ru", "description_en", "category", "unit", "price_on_request")
    values = {key: getattr(s, key) for key in keys}
    values.update(vat=s.vat, audience=s.audience, status=s.status, lead_time_days=s.lead_time_days)
    values["price"] = None if s.price is None else str(s.price)
    return values


@bp.route("/tenants/<tenant>/technoparks/<int:technopark_id>/services")
@requires(MANAGE_CATALOGUE)
@doc(
    "Every service of a technopark, drafts included (staff)",
    tags=TAGS,
    query=ServiceQuery,
    response=StaffServiceList,
)
def staff_services(technopark_id):
    tp = _technopark(technopark_id)
    params = contract.query(ServiceQuery)
    statement = sa.select(ServiceOffer).where(ServiceOffer.technopark_id == tp.id)
    if params.status:
        statement = statement.where(ServiceOffer.status == params.status)
    if params.category:
        statement = statement.where(ServiceOffer.category == params.category)
    rows, next_cursor = cursor_page(statement, ServiceOffer, params)
    return respond(
        StaffServiceList, {"items": [_staff_service_json(s) for s in rows], "next_cursor": next_cursor}
    )


@bp.route("/tenants/<tenant>/technoparks/<int:technopark_id>/services", methods=["POST"])
@requires(MANAGE_CATALOGUE)
@doc(
    "Add a service to a technopark's catalogue",
    tags=TAGS,
    body=ServiceBody,
    response=StaffServiceOut,
    status=201,
)
def create_service(technopark_id):
    tp = _technopark(technopark_id)
    values = contract.body(ServiceBody).model_dump()
    equipment_ids = values.pop("equipment_ids")
    service = svc.save_service(tp, values, equipment_ids=equipment_ids, actor=current_user)
    return respond(StaffServiceOut, _staff_service_json(service), 201, etag=True)


@bp.route("/tenants/<tenant>/technoparks/services/<int:service_id>")
@requires(MANAGE_CATALOGUE)
@doc(
    "One service of the catalogue, draft or published (staff)", tags=TAGS, response=StaffServiceOut, etag=True
)
def staff_service(service_id):
    return respond(StaffServiceOut, _staff_service_json(_service(service_id)), etag=True)


@bp.route("/tenants/<tenant>/technoparks/services/<int:service_id>", methods=["PATCH"])
@requires(MANAGE_CATALOGUE)
@doc(
    "Change a service (send the ETag you read in If-Match)",
    tags=TAGS,
    body=ServicePatch,
    response=StaffServiceOut,
    if_match=True,
)
def update_service(service_id):
    service = _service(service_id)
    contract.check_if_match(StaffServiceOut, _staff_service_json(service))
    patch = contract.body(ServicePatch).model_dump(exclude_unset=True)
    equipment_ids = patch.pop("equipment_ids", None)
    values = _service_values(service) | patch
    svc.save_service(
        service.technopark, values, equipment_ids=equipment_ids, service=service, actor=current_user
    )
    return respond(StaffServiceOut, _staff_service_json(service), etag=True)


def _service_status_view(status, summary):
    def view(service_id):
        service = _service(service_id)
        svc.set_service_status(service, status, actor=current_user)
        return respond(StaffServiceOut, _staff_service_json(service), etag=True)

    view.__doc__ = summary
    return view


bp.add_url_rule(
    "/tenants/<tenant>/technoparks/services/<int:service_id>/publish",
    endpoint="publish_service",
    view_func=requires(MANAGE_CATALOGUE)(
        doc(
            "Publish a service: it appears in the catalogue and the search",
            tags=TAGS,
            response=StaffServiceOut,
        )(_service_status_view(OfferStatus.PUBLISHED, "publish"))
    ),
    methods=["POST"],
)
bp.add_url_rule(
    "/tenants/<tenant>/technoparks/services/<int:service_id>/archive",
    endpoint="archive_service",
    view_func=requires(MANAGE_CATALOGUE)(
        doc(
            "Archive a service: back to drafts, out of the catalogue; its requests keep their history",
            tags=TAGS,
            response=StaffServiceOut,
        )(_service_status_view(OfferStatus.DRAFT, "archive"))
    ),
    methods=["POST"],
)


@bp.route("/tenants/<tenant>/technoparks/services/<int:service_id>", methods=["DELETE"])
@requires(MANAGE_CATALOGUE)
@doc("Delete a service nobody has requested (archive the others)", tags=TAGS, status=204)
def delete_service(service_id):
    svc.delete_service(_service(service_id), actor=current_user)
    return "", 204


@bp.route("/tenants/<tenant>/technoparks/<int:technopark_id>/equipment")
@requires(MANAGE_CATALOGUE)
@doc("Equipment of a technopark (staff)", tags=TAGS, query=ListQuery, response=StaffEquipmentList)
def staff_equipment(technopark_id):
    tp = _technopark(technopark_id)
    params = contract.query(ListQuery)
    rows, next_cursor = cursor_page(
        sa.select(Equipment).where(Equipment.technopark_id == tp.id), Equipment, params
    )
    return respond(
        StaffEquipmentList, {"items": [_staff_equipment_json(e) for e in rows], "next_cursor": next_cursor}
    )


def _specs(specs):
    return None if specs is None else [dict(s) for s in specs]


@bp.route("/tenants/<tenant>/technoparks/<int:technopark_id>/equipment", methods=["POST"])
@requires(MANAGE_CATALOGUE)
@doc("Add equipment to a technopark", tags=TAGS, body=EquipmentBody, response=StaffEquipmentOut, status=201)
def create_equipment(technopark_id):
    tp = _technopark(technopark_id)
    values = contract.body(EquipmentBody).model_dump()
    equipment = svc.save_equipment(tp, values, specs=_specs(values.pop("specs")), actor=current_user)
    return respond(StaffEquipmentOut, _staff_equipment_json(equipment), 201, etag=True)


@bp.route("/tenants/<tenant>/technoparks/equipment/<int:equipment_id>")
@requires(MANAGE_CATALOGUE)
@doc("One piece of equipment (staff)", tags=TAGS, response=StaffEquipmentOut, etag=True)
def equipment(equipment_id):
    return respond(StaffEquipmentOut, _staff_equipment_json(_equipment(equipment_id)), etag=True)


@bp.route("/tenants/<tenant>/technoparks/equipment/<int:equipment_id>", methods=["PATCH"])
@requires(MANAGE_CATALOGUE)
@doc(
    "Change equipment (send the ETag you read in If-Match)",
    tags=TAGS,
    body=EquipmentPatch,
    response=StaffEquipmentOut,
    if_match=True,
)
def update_equipment(equipment_id):
    row = _equipment(equipment_id)
    contract.check_if_match(StaffEquipmentOut, _staff_equipment_json(row))
    patch = contract.body(EquipmentPatch).model_dump(exclude_unset=True)
    specs = _specs(patch.pop("specs", None))
    keys = ("name_ru", "name_en", "category", "manufacturer", "model", "quantity", "bookable", "zone_id")
    values = {key: getattr(row, key) for key in keys} | patch
    tp = _technopark(row.technopark_id)
    svc.save_equipment(tp, values, specs=specs, equipment=row, actor=current_user)
    return respond(StaffEquipmentOut, _staff_equipment_json(row), etag=True)


@bp.route("/tenants/<tenant>/technoparks/equipment/<int:equipment_id>/archive", methods=["POST"])
@requires(MANAGE_CATALOGUE)
@doc(
    "Archive equipment: no longer bookable, its bookings and history kept",
    tags=TAGS,
    response=StaffEquipmentOut,
)
def archive_equipment(equipment_id):
    row = _equipment(equipment_id)
    keys = ("name_ru", "name_en", "category", "manufacturer", "model", "quantity", "zone_id")
    values = {key: getattr(row, key) for key in keys} | {"bookable": False}
    svc.save_equipment(_technopark(row.technopark_id), values, equipment=row, actor=current_user)
    return respond(StaffEquipmentOut, _staff_equipment_json(row), etag=True)


@bp.route("/tenants/<tenant>/technoparks/equipment/<int:equipment_id>", methods=["DELETE"])
@requires(MANAGE_CATALOGUE)
@doc("Delete equipment that was never booked (archive the rest)", tags=TAGS, status=204)
def delete_equipment(equipment_id):
    svc.delete_equipment(_equipment(equipment_id), actor=current_user)
    return "", 204


# --- service requests (staff) ---------------------------------------------------------------------------


def _request(request_id) -> ServiceRequest:
    return db.first_or_404(sa.select(ServiceRequest).where(ServiceRequest.id == request_id))


@bp.route("/tenants/<tenant>/technoparks/requests")
@requires(HANDLE_REQUESTS)
@doc(
    "Service requests to the center's technoparks (staff)",
    tags=TAGS,
    query=RequestQuery,
    response=StaffRequestList,
)
def staff_requests():
    params = contract.query(RequestQuery)
    rows, next_cursor = cursor_page(
        service_requests.requests_for_staff(params.status), ServiceRequest, params
    )
    return respond(
        StaffRequestList, {"items": [_staff_request_json(r) for r in rows], "next_cursor": next_cursor}
    )


@bp.route("/tenants/<tenant>/technoparks/requests/<int:request_id>")
@requires(HANDLE_REQUESTS)
@doc("One service request with its history (staff)", tags=TAGS, response=StaffRequestOut, etag=True)
def staff_request(request_id):
    return respond(StaffRequestOut, _staff_request_json(_request(request_id)), etag=True)


@bp.route("/tenants/<tenant>/technoparks/requests/<int:request_id>/accept", methods=["POST"])
@requires(HANDLE_REQUESTS)
@doc("Accept a request with a quote and a schedule", tags=TAGS, body=AcceptBody, response=StaffRequestOut)
def accept_request(request_id):
    row = _request(request_id)
    data = contract.body(AcceptBody)
    service_requests.accept(
        row, current_user, data.quote, data.scheduled_start, data.scheduled_end, data.note
    )
    return respond(StaffRequestOut, _staff_request_json(row), etag=True)


@bp.route("/tenants/<tenant>/technoparks/requests/<int:request_id>/request-changes", methods=["POST"])
@requires(HANDLE_REQUESTS)
@doc("Ask the enterprise to change its request", tags=TAGS, body=NoteBody, response=StaffRequestOut)
def request_changes(request_id):
    row = _request(request_id)
    service_requests.request_changes(row, current_user, contract.body(NoteBody).note)
    return respond(StaffRequestOut, _staff_request_json(row), etag=True)


@bp.route("/tenants/<tenant>/technoparks/requests/<int:request_id>/reject", methods=["POST"])
@requires(HANDLE_REQUESTS)
@doc("Reject a request, with the reason", tags=TAGS, body=NoteBody, response=StaffRequestOut)
def reject_request(request_id):
    row = _request(request_id)
    service_requests.reject(row, current_user, contract.body(NoteBody).note)
    return respond(StaffRequestOut, _staff_request_json(row), etag=True)


@bp.route("/tenants/<tenant>/technoparks/requests/<int:request_id>/complete", methods=["POST"])
@requires(HANDLE_REQUESTS)
@doc("Mark an accepted request's work completed", tags=TAGS, body=CompleteBody, response=StaffRequestOut)
def complete_request(request_id):
    row = _request(request_id)
    service_requests.complete(row, current_user, contract.body(CompleteBody).note)
    return respond(StaffRequestOut, _staff_request_json(row), etag=True)
