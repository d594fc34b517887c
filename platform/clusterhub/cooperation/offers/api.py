"""The cooperation exchange as JSON: ``/api/v1/cooperation/offers``. Reads are public (published entries
only; contacts only for the entry's editors); writes are for the enterprise's confirmed representatives."""

import sqlalchemy as sa
from flask import Blueprint, abort, jsonify, request
from flask_login import current_user

from ...accounts.authz import login_required, public
from ...api.openapi import API_PREFIX, doc
from ...core.pagination import paginate
from ...enterprises.models import Enterprise
from ...extensions import csrf, db
from ...regions.models import Region
from . import services
from .models import CooperationOffer

bp = Blueprint("cooperation_api", __name__, url_prefix=f"{API_PREFIX}/cooperation")
csrf.exempt(bp)

TAGS = ["cooperation"]
STRING_OR_NULL = {"type": ["string", "null"]}
CODES = {"type": "array", "items": {"type": "string"}}
OFFER_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "kind_of_entry": {"type": "string", "enum": ["offer", "request"]},
        "kind": {"type": "string"},
        "status": {"type": "string", "enum": ["draft", "published", "archived"]},
        "title_ru": {"type": "string"},
        "title_en": STRING_OR_NULL,
        "description_ru": {"type": "string"},
        "description_en": STRING_OR_NULL,
        "okpd2_codes": CODES,
        "okved_codes": CODES,
        "served_districts": CODES,
        "served_regions": {"type": "array", "items": {"type": "string"}, "description": "tax codes"},
        "volume": STRING_OR_NULL,
        "terms": STRING_OR_NULL,
        "valid_from": {"type": ["string", "null"], "format": "date"},
        "valid_until": {"type": ["string", "null"], "format": "date"},
        "published_at": {"type": ["string", "null"], "format": "date-time"},
        "enterprise": {"type": "object"},
        "contact": {"type": ["object", "null"], "description": "only for the enterprise's representatives"},
    },
}
WRITE_SCHEMA = {
    "type": "object",
    "properties": {
        "enterprise_id": {"type": "integer", "description": "on creation"},
        "kind_of_entry": {"type": "string", "enum": ["offer", "request"], "description": "on creation"},
        "kind": {"type": "string"},
        "title_ru": {"type": "string"},
        "title_en": {"type": "string"},
        "description_ru": {"type": "string"},
        "description_en": {"type": "string"},
        "okpd2_codes": CODES,
        "okved_codes": CODES,
        "served_districts": CODES,
        "served_regions": {"type": "array", "items": {"type": "string"}, "description": "tax codes"},
        "volume": {"type": "string"},
        "terms": {"type": "string"},
        "valid_from": {"type": "string", "format": "date"},
        "valid_until": {"type": "string", "format": "date"},
        "contact_name": {"type": "string"},
        "contact_email": {"type": "string"},
        "contact_phone": {"type": "string"},
    },
}
PAGE_SCHEMA = {
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": OFFER_SCHEMA},
        "page": {"type": "integer"},
        "pages": {"type": "integer"},
        "total": {"type": "integer"},
    },
}


def _region_codes(region_ids: list[int]) -> list[str]:
    if not region_ids:
        return []
    return list(db.session.scalars(sa.select(Region.tax_code).where(Region.id.in_(region_ids))))


def offer_json(offer: CooperationOffer) -> dict:
    enterprise = offer.enterprise
    data = {
        "id": offer.id,
        "kind_of_entry": offer.kind_of_entry,
        "kind": offer.kind,
        "status": offer.status,
        "title_ru": offer.title_ru,
        "title_en": offer.title_en,
        "description_ru": offer.description_ru,
        "description_en": offer.description_en,
        "okpd2_codes": offer.okpd2_list,
        "okved_codes": offer.okved_list,
        "served_districts": offer.served_district_list,
        "served_regions": _region_codes(offer.served_region_id_list),
        "volume": offer.volume,
        "terms": offer.terms,
        "valid_from": offer.valid_from.isoformat() if offer.valid_from else None,
        "valid_until": offer.valid_until.isoformat() if offer.valid_until else None,
        "published_at": offer.published_at.isoformat() + "Z" if offer.published_at else None,
        "enterprise": {
            "id": enterprise.id,
            "inn": enterprise.inn,
            "name": enterprise.name,
            "region": enterprise.region.tax_code if enterprise.region else None,
        },
        "contact": None,
    }
    if services.contact_visible(current_user, offer):
        data["contact"] = {
            "name": offer.contact_name,
            "email": offer.contact_email,
            "phone": offer.contact_phone,
        }
    return data


def _offer(offer_id) -> CooperationOffer:
    offer = db.session.get(CooperationOffer, offer_id)
    if offer is None or not services.visible_to(current_user, offer):
        abort(404)
    return offer


def _payload() -> dict:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise services.CooperationError("Send a JSON object with the entry's fields")
    if "served_regions" in payload:
        codes = payload.pop("served_regions") or []
        if not isinstance(codes, list):
            raise services.CooperationError("served_regions must be a list of region codes", "served_regions")
        ids = dict(
            db.session.execute(sa.select(Region.tax_code, Region.id).where(Region.tax_code.in_(codes))).all()
        )
        unknown = [c for c in codes if c not in ids]
        if unknown:
            raise services.CooperationError(f"Unknown region code {unknown[0]}", "served_regions")
        payload["served_region_ids"] = [ids[c] for c in codes]
    return payload


@bp.route("/offers")
@public
@doc(
    "Search live (published, not expired) offers and requests of every region",
    tags=TAGS,
    public=True,
    query={
        "entry": ("string", "offer or request"),
        "kind": ("string", "kind of cooperation, e.g. contract_manufacturing"),
        "code": ("string", "ОКПД 2 or ОКВЭД 2 code or its prefix, e.g. 22.2"),
        "district": ("string", "federal district code, e.g. NWFD"),
        "region": ("string", "tax-authority region code, e.g. 11"),
        "q": ("string", "words of the title or description"),
        "page": ("integer", "page number, from 1"),
        "per_page": ("integer", "items per page, at most 100"),
    },
    response=PAGE_SCHEMA,
)
def search():
    region_id = None
    if request.args.get("region"):
        region_id = db.session.scalar(sa.select(Region.id).where(Region.tax_code == request.args["region"]))
        if region_id is None:
            return jsonify(items=[], page=1, pages=1, total=0)
    filters = services.SearchFilters(
        kind_of_entry=request.args.get("entry", ""),
        kind=request.args.get("kind", ""),
        code=request.args.get("code", "").strip()[:16],
        district=request.args.get("district", ""),
        region_id=region_id,
        q=request.args.get("q", "").strip()[:200],
    )
    per_page = min(max(request.args.get("per_page", 25, type=int), 1), 100)
    page = paginate(services.search_statement(filters), per_page=per_page)
    return jsonify(
        items=[offer_json(o) for o in page.items], page=page.page, pages=page.pages, total=page.total
    )


@bp.route("/offers/<int:offer_id>")
@public
@doc(
    "One offer or request (drafts and archived ones for its representatives only)",
    tags=TAGS,
    public=True,
    response=OFFER_SCHEMA,
)
def one(offer_id):
    return jsonify(offer_json(_offer(offer_id)))


@bp.route("/offers/<int:offer_id>/suggestions")
@login_required
@doc(
    "Ranked partners of a live offer or request, each with its score and reasons in words (no contacts)",
    tags=TAGS,
    response={
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "score": {"type": "number"},
                        "reasons": {"type": "array", "items": {"type": "string"}},
                        "offer": OFFER_SCHEMA,
                    },
                },
            }
        },
    },
)
def suggestions(offer_id):
    offer = _offer(offer_id)
    found = services.suggestions(offer) if offer.status == "published" and not offer.is_expired() else []
    items = []
    for s in found:
        data = offer_json(s.offer)
        data["contact"] = None  # never on a match
        items.append({"score": round(s.match.score, 1), "reasons": s.reasons, "offer": data})
    return jsonify(items=items)


@bp.route("/offers", methods=["POST"])
@login_required
@doc(
    "Create a draft offer or request of an enterprise you represent",
    tags=TAGS,
    request_body=WRITE_SCHEMA,
    response=OFFER_SCHEMA,
    status=201,
)
def create():
    payload = _payload()
    enterprise = (
        db.session.get(Enterprise, payload.get("enterprise_id"))
        if isinstance(payload.get("enterprise_id"), int)
        else None
    )
    if enterprise is None:
        raise services.CooperationError("Unknown enterprise_id", "enterprise_id")
    if not services.can_edit(current_user, enterprise):
        abort(403)
    offer = services.create_offer(enterprise, payload, current_user)
    return jsonify(offer_json(offer)), 201


@bp.route("/offers/<int:offer_id>", methods=["PATCH"])
@login_required
@doc(
    "Change an offer or request: the fields given change, the others stay",
    tags=TAGS,
    request_body=WRITE_SCHEMA,
    response=OFFER_SCHEMA,
)
def update(offer_id):
    offer = _offer(offer_id)
    if not services.can_edit(current_user, offer):
        abort(403)
    payload = _payload()
    current = {
        "kind": offer.kind,
        "title_ru": offer.title_ru,
        "title_en": offer.title_en,
        "description_ru": offer.description_ru,
        "description_en": offer.description_en,
        "okpd2_codes": offer.okpd2_list,
        "okved_codes": offer.okved_list,
        "served_districts": offer.served_district_list,
        "served_region_ids": offer.served_region_id_list,
        "volume": offer.volume,
        "terms": offer.terms,
        "valid_from": offer.valid_from,
        "valid_until": offer.valid_until,
        "contact_name": offer.contact_name,
        "contact_email": offer.contact_email,
        "contact_phone": offer.contact_phone,
    }
    services.update_offer(offer, {**current, **payload}, current_user)
    return jsonify(offer_json(offer))


def _transition(offer_id, action):
    offer = _offer(offer_id)
    if not services.can_edit(current_user, offer):
        abort(403)
    action(offer, current_user)
    return jsonify(offer_json(offer))


@bp.route("/offers/<int:offer_id>/publish", methods=["POST"])
@login_required
@doc("Publish an offer or request: it enters the search and the matching", tags=TAGS, response=OFFER_SCHEMA)
def publish(offer_id):
    return _transition(offer_id, services.publish)


@bp.route("/offers/<int:offer_id>/archive", methods=["POST"])
@login_required
@doc("Archive an offer or request: it leaves the search and the matching", tags=TAGS, response=OFFER_SCHEMA)
def archive(offer_id):
    return _transition(offer_id, services.archive)
