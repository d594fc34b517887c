"""The catalogue for the center's staff: services (drafts included) and equipment, created, changed,
published or archived and deleted through the same services as the staff pages."""

import sqlalchemy as sa
from flask_login import current_user
from pydantic import Field

from ...api import openapi as contract
from ...api.lists import ListQuery, cursor_page
from ...api.openapi import Body, UtcDateTime, doc, items_of, respond
from ...core.access import requires
from ...extensions import db
from ..models import Equipment, OfferStatus, ServiceOffer, Technopark
from ..services import equipment as equipment_services
from ..services import offers
from ..views import MANAGE_CATALOGUE
from . import (
    TAGS,
    AudienceName,
    CategoryName,
    EquipmentCategoryName,
    EquipmentOut,
    OfferStatusName,
    ServiceOut,
    UnitName,
    VatName,
    bp,
    equipment_json,
    service_json,
)


class StaffServiceOut(ServiceOut):
    technopark_id: int
    description_ru: str | None
    description_en: str | None
    status: OfferStatusName
    equipment_ids: list[int]
    updated_at: UtcDateTime


class StaffEquipmentOut(EquipmentOut):
    technopark_id: int
    zone_id: int | None
    updated_at: UtcDateTime


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


class ServiceQuery(ListQuery):
    status: OfferStatusName | None = None
    category: CategoryName | None = None


StaffServiceList = items_of(StaffServiceOut, "StaffServiceList", cursor=True)
StaffEquipmentList = items_of(StaffEquipmentOut, "StaffEquipmentList", cursor=True)


def _staff_service_json(s: ServiceOffer) -> dict:
    return {
        **service_json(s),
        "technopark_id": s.technopark_id,
        "description_ru": s.description_ru,
        "description_en": s.description_en,
        "status": s.status,
        "equipment_ids": sorted(e.id for e in offers.linked_equipment(s)),
        "updated_at": s.updated_at,
    }


def _staff_equipment_json(e: Equipment) -> dict:
    return {
        **equipment_json(e),
        "technopark_id": e.technopark_id,
        "zone_id": e.zone_id,
        "updated_at": e.updated_at,
    }


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
    service = offers.save_service(tp, values, equipment_ids=equipment_ids, actor=current_user)
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
    offers.save_service(
        service.technopark, values, equipment_ids=equipment_ids, service=service, actor=current_user
    )
    return respond(StaffServiceOut, _staff_service_json(service), etag=True)


def _service_status_view(status, summary):
    def view(service_id):
        service = _service(service_id)
        offers.set_service_status(service, status, actor=current_user)
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
    offers.delete_service(_service(service_id), actor=current_user)
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
    equipment = equipment_services.save_equipment(
        tp, values, specs=_specs(values.pop("specs")), actor=current_user
    )
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
    equipment_services.save_equipment(tp, values, specs=specs, equipment=row, actor=current_user)
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
    equipment_services.save_equipment(
        _technopark(row.technopark_id), values, equipment=row, actor=current_user
    )
    return respond(StaffEquipmentOut, _staff_equipment_json(row), etag=True)


@bp.route("/tenants/<tenant>/technoparks/equipment/<int:equipment_id>", methods=["DELETE"])
@requires(MANAGE_CATALOGUE)
@doc("Delete equipment that was never booked (archive the rest)", tags=TAGS, status=204)
def delete_equipment(equipment_id):
    equipment_services.delete_equipment(_equipment(equipment_id), actor=current_user)
    return "", 204
