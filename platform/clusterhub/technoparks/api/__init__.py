"""JSON API of technoparks: a center's catalogues and the platform-wide search (``catalogue``), service
requests sent by enterprises and handled by the center's staff (``requests``), and the staff's catalogue of
services and equipment (``staff``), through the same services as the technopark pages. The blueprint, the
choices and payloads the three share and their JSON shapes live here."""

from flask import Blueprint

from ...api.openapi import API_PREFIX, Money, Payload, choice
from ...extensions import csrf
from ..models import (
    Audience,
    Equipment,
    EquipmentCategory,
    OfferStatus,
    RequestStatus,
    ServiceCategory,
    ServiceUnit,
    VatTreatment,
)

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


class Operator(Payload):
    inn: str
    name: str


def money(value):
    return None if value is None else f"{value:.2f}"


def service_json(s) -> dict:
    return {
        "id": s.id,
        "name_ru": s.name_ru,
        "name_en": s.name_en,
        "category": s.category,
        "unit": s.unit,
        "price": money(s.price),
        "gross_price": money(s.gross_price),
        "price_on_request": bool(s.price_on_request),
        "vat": s.vat,
        "lead_time_days": s.lead_time_days,
        "audience": s.audience,
    }


def equipment_json(e: Equipment) -> dict:
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


# The operations register their routes on ``bp``; imported last, as they use what is defined above.
from . import catalogue, requests, staff  # noqa: E402, F401
