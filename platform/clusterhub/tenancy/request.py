"""Resolving the tenant from the URL prefix, once, at the edge of the request."""

from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, abort, current_app, g
from flask_login import current_user

from ..core.shared_store import shared_store
from ..extensions import db
from . import row_cache
from .models import Tenant, TenantStatus
from .scoping import TENANT_KEY, set_request_tenant

TENANT_ARG = "tenant"


def load_tenant(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """URL value preprocessor: turn ``<tenant>`` into ``g.tenant`` and open the tenant scope.

    Unknown slugs answer 404, and so do suspended centers for everyone but platform admins.
    """
    if not values or TENANT_ARG not in values:
        return
    slug = values.pop(TENANT_ARG)
    tenant = _tenant_opening_scope(slug)
    if tenant is None:
        abort(404)
    if tenant.status != TenantStatus.ACTIVE and not (
        current_user.is_authenticated and current_user.is_platform_admin
    ):
        set_request_tenant(db.session, None)
        abort(404)
    g.tenant = tenant


def _tenant_opening_scope(slug: str) -> Tenant | None:
    """The tenant of ``slug``, with its scope open for the rest of the request: from this worker's rows while
    the shared version counter says they are current (``row_cache``), else read from the database.

    On PostgreSQL the row and the transaction's ``app.tenant_id`` come in one round trip (the statement
    that reads the row also calls ``set_config``), so every tenant page pays one query for tenancy and
    always sees the current status: a center suspended a moment ago is refused on the very next request.
    """
    store = shared_store()
    version = row_cache.rows.version(store, slug)
    if version is not None:
        tenant_id = row_cache.rows.tenant_id(slug)
        if tenant_id is not None:
            # No round trip: the first statement of the request, if any, opens the scope in its transaction
            # (set before the row is attached, which begins the session's transaction without a connection).
            set_request_tenant(db.session, tenant_id)
            return row_cache.rows.get(slug, db.session)
    tenant = _read_tenant_opening_scope(slug)
    if tenant is not None and version is not None:
        row_cache.rows.keep(tenant, version)
    return tenant


def _read_tenant_opening_scope(slug: str) -> Tenant | None:
    if db.session.get_bind().dialect.name != "postgresql":
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
        if tenant is not None:
            set_request_tenant(db.session, tenant.id)
        return tenant
    opening = sa.func.set_config("app.tenant_id", sa.cast(Tenant.id, sa.Text), True)
    row = db.session.execute(sa.select(Tenant, opening).where(Tenant.slug == slug)).first()
    if row is None:
        return None
    db.session.info[TENANT_KEY] = row[0].id  # already set in the database by the statement above
    return row[0]


def fill_tenant(endpoint: str, values: dict[str, Any]) -> None:
    """URL defaults: ``url_for`` inside a tenant page fills in the current tenant's slug."""
    if TENANT_ARG in values or "tenant" not in g:
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, TENANT_ARG):
        values[TENANT_ARG] = g.tenant.slug


def clear_tenant(exc: BaseException | None = None) -> None:
    """Close the scope by ending the transaction: its settings end with it, with no extra round trip."""
    if "tenant" in g:
        db.session.info[TENANT_KEY] = None
        db.session.close()


def tenant_header(response: Response) -> Response:
    tenant = g.get("tenant")
    response.headers.add("X-Tenant", tenant.slug if tenant is not None else "-")  # no view sets it
    return response


def init_app(app: Flask) -> None:
    app.url_value_preprocessor(load_tenant)
    app.url_defaults(fill_tenant)
    app.teardown_request(clear_tenant)
    app.after_request(tenant_header)
