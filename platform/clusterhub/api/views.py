import sqlalchemy as sa
from flask import Blueprint, abort, jsonify
from flask_login import current_user

from ..accounts.authz import login_required, public
from ..extensions import csrf, db
from ..tenancy.models import Tenant, TenantStatus
from .openapi import API_PREFIX, build_document, doc

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
csrf.exempt(bp)  # the API authenticates by bearer token only, never by cookie

TENANT_SCHEMA = {
    "type": "object",
    "properties": {
        "slug": {"type": "string"},
        "name_ru": {"type": "string"},
        "name_en": {"type": "string"},
        "region": {"type": "object"},
        "timezone": {"type": "string"},
        "email": {"type": ["string", "null"]},
        "phone": {"type": ["string", "null"]},
        "website": {"type": ["string", "null"]},
    },
}


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
@doc(
    "The user the token belongs to",
    response={
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "email": {"type": "string"},
            "full_name": {"type": "string"},
            "global_role": {"type": ["string", "null"]},
            "locale": {"type": ["string", "null"]},
        },
    },
)
def me():
    return jsonify(
        id=current_user.id,
        email=current_user.email,
        full_name=current_user.full_name,
        global_role=current_user.global_role,
        locale=current_user.locale,
    )


@bp.route("/tenants")
@public
@doc(
    "Active regional centers",
    public=True,
    response={"type": "object", "properties": {"items": {"type": "array", "items": TENANT_SCHEMA}}},
)
def tenants():
    rows = db.session.scalars(
        sa.select(Tenant).where(Tenant.status == TenantStatus.ACTIVE).order_by(Tenant.slug)
    ).all()
    return jsonify(items=[tenant_json(t) for t in rows])


@bp.route("/tenants/<slug>")
@public
@doc("One regional center", public=True, response=TENANT_SCHEMA)
def tenant(slug):
    row = db.session.scalar(
        sa.select(Tenant).where(Tenant.slug == slug, Tenant.status == TenantStatus.ACTIVE)
    )
    if row is None:
        abort(404)
    return jsonify(tenant_json(row))
