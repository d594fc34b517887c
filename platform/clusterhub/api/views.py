import sqlalchemy as sa
from flask import Blueprint, abort, jsonify
from flask_login import current_user

from ..core.access import login_required, public
from ..extensions import csrf, db
from ..tenancy.models import Tenant, TenantStatus
from .openapi import API_PREFIX, Payload, build_document, describe_external, doc, items_of, respond

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
csrf.exempt(bp)  # the API authenticates by bearer token only, never by cookie


class RegionRef(Payload):
    tax_code: str
    iso_code: str | None
    name_ru: str
    name_en: str
    federal_district: str


class CenterSummary(Payload):
    """How every API names a center: by its slug (as in /<slug>/), never by an internal id."""

    slug: str
    name_ru: str
    name_en: str
    region: RegionRef


class Center(CenterSummary):
    timezone: str
    email: str | None
    phone: str | None
    website: str | None


class Me(Payload):
    id: int
    email: str
    full_name: str
    global_role: str | None
    locale: str | None


class Health(Payload):
    status: str
    detail: str | None = None


class StripeAnswer(Payload):
    received: bool | None = None
    outcome: str | None = None
    error: str | None = None


describe_external(
    "core.healthz", summary="The process is alive", tags=["health"], public=True, response=Health
)
describe_external(
    "core.readyz",
    summary="The database is reachable and migrated to head (503 otherwise)",
    tags=["health"],
    public=True,
    response=Health,
)
describe_external(
    "billing_stripe.webhook",
    summary="Stripe's payment events (verified by their Stripe-Signature; not for API clients)",
    tags=["billing"],
    public=True,
    response=StripeAnswer,
    errors=StripeAnswer,  # Stripe reads only the status; the body says which check failed
)


def tenant_json(tenant: Tenant) -> dict:
    return {
        **tenant.public_summary(),
        "timezone": tenant.timezone,
        "email": tenant.email,
        "phone": tenant.phone,
        "website": tenant.website,
    }


@bp.route("/openapi.json")
@public
@doc("This document", public=True)
def openapi():
    return jsonify(build_document())


@bp.route("/me")
@login_required
@doc("The user the token belongs to", response=Me)
def me():
    return respond(
        Me,
        {
            "id": current_user.id,
            "email": current_user.email,
            "full_name": current_user.full_name,
            "global_role": current_user.global_role,
            "locale": current_user.locale,
        },
    )


@bp.route("/tenants")
@public
@doc("Active regional centers", public=True, response=items_of(Center, "CenterList"))
def tenants():
    rows = db.session.scalars(
        sa.select(Tenant).where(Tenant.status == TenantStatus.ACTIVE).order_by(Tenant.slug)
    ).all()
    return respond(items_of(Center, "CenterList"), {"items": [tenant_json(t) for t in rows]})


@bp.route("/tenants/<slug>")
@public
@doc("One regional center", public=True, response=Center, etag=True)
def tenant(slug):
    row = db.session.scalar(
        sa.select(Tenant).where(Tenant.slug == slug, Tenant.status == TenantStatus.ACTIVE)
    )
    if row is None:
        abort(404)
    return respond(Center, tenant_json(row), etag=True)
