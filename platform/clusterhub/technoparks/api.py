"""JSON API of technoparks: catalogues, the platform-wide search, and service requests."""

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, request
from flask_login import current_user

from ..accounts.authz import login_required, public
from ..api.openapi import API_PREFIX, doc
from ..enterprises.models import Enterprise
from ..extensions import csrf, db
from . import requests as service_requests
from . import search as search_module
from . import services as svc
from .models import OfferStatus, ServiceOffer
from .services import TechnoparkError

bp = Blueprint("technoparks_api", __name__, url_prefix=API_PREFIX)
csrf.exempt(bp)  # bearer tokens only

MONEY = {"type": ["string", "null"], "description": "roubles, two decimals, as a string"}
SERVICE_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name_ru": {"type": "string"},
        "name_en": {"type": ["string", "null"]},
        "category": {"type": "string"},
        "unit": {"type": "string"},
        "price": MONEY,
        "gross_price": MONEY,
        "price_on_request": {"type": "boolean"},
        "vat": {"type": "string", "enum": ["plus_20", "included_20", "exempt", "not_subject"]},
        "lead_time_days": {"type": ["integer", "null"]},
        "audience": {"type": "string"},
    },
}
REQUEST_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string"},
        "quote": MONEY,
        "tenant": {"type": "string"},
        "service": {"type": "string"},
        "technopark": {"type": "string"},
        "created_at": {"type": "string"},
    },
}


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


def _error(status: int, message: str, field: str | None = None):
    response = jsonify(error={"code": status, "message": message, "detail": field or ""})
    response.status_code = status
    return response


@bp.route("/tenants/<tenant>/technoparks")
@public
@doc("Technoparks of a center with their zones, equipment and published services", public=True)
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
                "equipment": [
                    {
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
                    for e in svc.equipment_list(tp)
                ],
                "services": [
                    _service_json(s) for s in db.session.scalars(svc.services_of(tp, published_only=True))
                ],
            }
        )
    return jsonify(items=items)


@bp.route("/technoparks/search")
@public
@doc(
    "Search published services (or bookable equipment) of every center",
    public=True,
    query={
        "kind": ("string", "services (default) or equipment"),
        "q": ("string", "text"),
        "category": ("string", "service or equipment category"),
        "region": ("string", "region tax code, e.g. 11"),
        "district": ("string", "federal district code, e.g. NWFD"),
        "price_min": ("string", "roubles, with VAT where it applies"),
        "price_max": ("string", "roubles, with VAT where it applies"),
        "sort": ("string", "relevance, price_asc or price_desc"),
        "page": ("integer", "page number"),
    },
)
def search():
    from ..regions.models import Region

    args = request.args
    filters = search_module.SearchFilters(
        q=(args.get("q") or "").strip()[:200],
        category=args.get("category") or "",
        district=args.get("district") or "",
        sort=args.get("sort") if args.get("sort") in search_module.SORTS else "relevance",
    )
    if args.get("region"):
        filters.region_id = (
            db.session.scalar(sa.select(Region.id).where(Region.tax_code == args["region"])) or -1
        )
    try:
        for name in ("price_min", "price_max"):
            if args.get(name):
                setattr(filters, name, svc.clean_price(args[name], field=name))
    except TechnoparkError as error:
        return _error(400, str(error), error.field)
    page_number = args.get("page", 1, type=int)
    if args.get("kind") == "equipment":
        page = search_module.search_equipment(filters, page_number)
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
        page = search_module.search_services(filters, page_number)
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
    return jsonify(items=items, page=page.page, pages=page.pages, total=page.total)


@bp.route("/tenants/<tenant>/technoparks/services/<int:service_id>/requests", methods=["POST"])
@login_required
@doc(
    "Request a service on behalf of an enterprise you represent",
    request_body={
        "type": "object",
        "required": ["enterprise_inn", "quantity"],
        "properties": {
            "enterprise_inn": {"type": "string"},
            "quantity": {"type": "string"},
            "desired_start": {"type": "string", "format": "date"},
            "desired_end": {"type": "string", "format": "date"},
            "comment": {"type": "string"},
        },
    },
    response=REQUEST_SCHEMA,
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
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return _error(400, "Send a JSON object with the request's fields", None)
    for name in ("enterprise_inn", "quantity", "desired_start", "desired_end", "comment"):
        if payload.get(name) is not None and not isinstance(payload[name], str | int | float):
            return _error(400, f"{name} must be a string", name)
    if payload.get("comment") is not None and not isinstance(payload["comment"], str):
        return _error(400, "comment must be a string", "comment")
    enterprise = db.session.scalar(
        sa.select(Enterprise).where(Enterprise.inn == str(payload.get("enterprise_inn") or "").strip())
    )
    if enterprise is None:
        return _error(400, "Unknown enterprise_inn", "enterprise_inn")
    try:
        dates = {}
        for name in ("desired_start", "desired_end"):
            dates[name] = date.fromisoformat(payload[name]) if payload.get(name) else None
    except (TypeError, ValueError):
        return _error(400, "Dates must be YYYY-MM-DD", "desired_start")
    try:
        created = service_requests.create_request(
            service,
            enterprise,
            current_user,
            payload.get("quantity", "1"),
            comment=payload.get("comment"),
            **dates,
        )
    except TechnoparkError as error:
        db.session.rollback()
        return _error(400, str(error), error.field)
    db.session.commit()
    response = jsonify(id=created.id, status=created.status, quote=None, service=service.name_ru)
    response.status_code = 201
    return response


@bp.route("/technoparks/my-requests")
@login_required
@doc(
    "Service requests of the enterprises you represent, in every region",
    response={"type": "object", "properties": {"items": {"type": "array", "items": REQUEST_SCHEMA}}},
)
def my_requests():
    from ..enterprises.services import represented_enterprises

    rows = service_requests.requests_of_enterprises([e.id for e in represented_enterprises(current_user)])
    return jsonify(
        items=[
            {
                "id": r.id,
                "status": r.status,
                "quote": _money(r.quote),
                "tenant": r.tenant_slug,
                "service": r.service_name_ru,
                "technopark": r.technopark_name_ru,
                "created_at": r.created_at.isoformat(),
            }
            for r in rows
        ]
    )
