"""The cooperation exchange as JSON: ``/api/v1/cooperation/offers``. Reads are public (published entries
only; contacts only for the entry's editors); writes are for the enterprise's confirmed representatives."""

from datetime import date
from typing import Literal

import sqlalchemy as sa
from flask import Blueprint, abort
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import Field

from ...api import openapi as contract
from ...api.openapi import API_PREFIX, Body, Payload, Query, doc, items_of, respond
from ...core.access import login_required, public
from ...core.pagination import paginate
from ...core.refusal import Refusal
from ...enterprises.models import Enterprise
from ...extensions import csrf, db
from ...regions.models import Region
from .models import CooperationOffer
from .services import entries
from .services import search as search_services
from .services import suggestions as suggestion_services

bp = Blueprint("cooperation_api", __name__, url_prefix=f"{API_PREFIX}/cooperation")
csrf.exempt(bp)

TAGS = ["cooperation"]
Codes = list[str]


class EnterpriseRef(Payload):
    id: int
    inn: str
    name: str
    region: str | None = Field(description="tax-authority region code")


class Contact(Payload):
    name: str | None
    email: str | None
    phone: str | None


class Offer(Payload):
    id: int
    kind_of_entry: Literal["offer", "request"]
    kind: str
    status: Literal["draft", "published", "archived"]
    title_ru: str
    title_en: str | None
    description_ru: str
    description_en: str | None
    okpd2_codes: Codes
    okved_codes: Codes
    served_districts: Codes
    served_regions: Codes = Field(description="tax-authority region codes")
    volume: str | None
    terms: str | None
    valid_from: date | None
    valid_until: date | None
    published_at: str | None = Field(description="UTC, ISO 8601")
    enterprise: EnterpriseRef
    contact: Contact | None = Field(description="only for the enterprise's representatives")


class OfferWrite(Body):
    enterprise_id: int | None = Field(None, description="on creation")
    kind_of_entry: Literal["offer", "request"] | None = Field(None, description="on creation")
    kind: str | None = None
    title_ru: str | None = None
    title_en: str | None = None
    description_ru: str | None = None
    description_en: str | None = None
    okpd2_codes: Codes | None = None
    okved_codes: Codes | None = None
    served_districts: Codes | None = None
    served_regions: Codes | None = Field(None, description="tax-authority region codes")
    volume: str | None = None
    terms: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None


class SearchQuery(Query):
    entry: Literal["offer", "request", ""] = Field("", description="offer or request")
    kind: str = Field("", max_length=40, description="kind of cooperation, e.g. contract_manufacturing")
    code: str = Field("", max_length=16, description="ОКПД 2 or ОКВЭД 2 code or its prefix, e.g. 22.2")
    district: str = Field("", max_length=8, description="federal district code, e.g. NWFD")
    region: str = Field("", max_length=2, description="tax-authority region code, e.g. 11")
    q: str = Field("", max_length=200, description="words of the title or description")
    page: int = Field(1, ge=1, description="page number, from 1")
    per_page: int = Field(25, ge=1, le=100, description="items per page, at most 100")


class Suggestion(Payload):
    score: float
    reasons: list[str]
    offer: Offer


OfferPage = items_of(Offer, "CooperationOfferPage", page=int, pages=int, total=int)
SuggestionList = items_of(Suggestion, "CooperationSuggestionList")


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
        "valid_from": offer.valid_from,
        "valid_until": offer.valid_until,
        "published_at": offer.published_at.isoformat() + "Z" if offer.published_at else None,
        "enterprise": {
            "id": enterprise.id,
            "inn": enterprise.inn,
            "name": enterprise.name,
            "region": enterprise.region.tax_code if enterprise.region else None,
        },
        "contact": None,
    }
    if entries.contact_visible(current_user, offer):
        data["contact"] = {
            "name": offer.contact_name,
            "email": offer.contact_email,
            "phone": offer.contact_phone,
        }
    return data


def _offer(offer_id) -> CooperationOffer:
    offer = db.session.get(CooperationOffer, offer_id)
    if offer is None or not entries.visible_to(current_user, offer):
        abort(404)
    return offer


def _payload() -> dict:
    """The fields the client gave (the others are left as they are), region codes turned into ids."""
    payload = contract.body(OfferWrite).model_dump(exclude_unset=True)
    if "served_regions" in payload:
        codes = payload.pop("served_regions") or []
        ids = dict(
            db.session.execute(sa.select(Region.tax_code, Region.id).where(Region.tax_code.in_(codes))).all()
        )
        unknown = [c for c in codes if c not in ids]
        if unknown:
            raise Refusal(_("Unknown region code %(code)s.", code=unknown[0]), "served_regions")
        payload["served_region_ids"] = [ids[c] for c in codes]
    return payload


@bp.route("/offers")
@public
@doc(
    "Search live (published, not expired) offers and requests of every region",
    tags=TAGS,
    public=True,
    query=SearchQuery,
    response=OfferPage,
)
def search():
    params = contract.query(SearchQuery)
    region_id = None
    if params.region:
        region_id = db.session.scalar(sa.select(Region.id).where(Region.tax_code == params.region))
        if region_id is None:
            return respond(OfferPage, {"items": [], "page": 1, "pages": 1, "total": 0})
    filters = search_services.SearchFilters(
        kind_of_entry=params.entry,
        kind=params.kind,
        code=params.code.strip(),
        district=params.district,
        region_id=region_id,
        q=params.q.strip(),
    )
    page = paginate(search_services.search_statement(filters), per_page=params.per_page)
    return respond(
        OfferPage,
        {
            "items": [offer_json(o) for o in page.items],
            "page": page.page,
            "pages": page.pages,
            "total": page.total,
        },
    )


@bp.route("/offers/<int:offer_id>")
@public
@doc(
    "One offer or request (drafts and archived ones for its representatives only)",
    tags=TAGS,
    public=True,
    response=Offer,
)
def one(offer_id):
    return respond(Offer, offer_json(_offer(offer_id)))


@bp.route("/offers/<int:offer_id>/suggestions")
@login_required
@doc(
    "Ranked partners of a live offer or request, each with its score and reasons in words (no contacts)",
    tags=TAGS,
    response=SuggestionList,
)
def suggestions(offer_id):
    offer = _offer(offer_id)
    found = (
        suggestion_services.suggestions(offer)
        if offer.status == "published" and not offer.is_expired()
        else []
    )
    items = []
    for s in found:
        data = offer_json(s.offer)
        data["contact"] = None  # never on a match
        items.append({"score": round(s.match.score, 1), "reasons": s.reasons, "offer": data})
    return respond(SuggestionList, {"items": items})


@bp.route("/offers", methods=["POST"])
@login_required
@doc(
    "Create a draft offer or request of an enterprise you represent",
    tags=TAGS,
    body=OfferWrite,
    response=Offer,
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
        raise Refusal(_("Choose an enterprise you represent."), "enterprise_id")
    if not entries.can_edit(current_user, enterprise):
        abort(403)
    offer = entries.create_offer(enterprise, payload, current_user)
    return respond(Offer, offer_json(offer), 201)


@bp.route("/offers/<int:offer_id>", methods=["PATCH"])
@login_required
@doc(
    "Change an offer or request: the fields given change, the others stay",
    tags=TAGS,
    body=OfferWrite,
    response=Offer,
)
def update(offer_id):
    offer = _offer(offer_id)
    if not entries.can_edit(current_user, offer):
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
    entries.update_offer(offer, {**current, **payload}, current_user)
    return respond(Offer, offer_json(offer))


def _transition(offer_id, action):
    offer = _offer(offer_id)
    if not entries.can_edit(current_user, offer):
        abort(403)
    action(offer, current_user)
    return respond(Offer, offer_json(offer))


@bp.route("/offers/<int:offer_id>/publish", methods=["POST"])
@login_required
@doc("Publish an offer or request: it enters the search and the matching", tags=TAGS, response=Offer)
def publish(offer_id):
    return _transition(offer_id, entries.publish)


@bp.route("/offers/<int:offer_id>/archive", methods=["POST"])
@login_required
@doc("Archive an offer or request: it leaves the search and the matching", tags=TAGS, response=Offer)
def archive(offer_id):
    return _transition(offer_id, entries.archive)
