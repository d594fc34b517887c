"""Resolving the tenant from the URL prefix, once, at the edge of the request."""

from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, abort, after_this_request, current_app, g, has_app_context
from flask_login import current_user
from sqlalchemy.orm import Session
from sqlalchemy.util import ScopedRegistry

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
        g.pop(_UNOPENED, None)
        set_request_tenant(db.session, None)
        abort(404)
    g.tenant = tenant
    after_this_request(tenant_header)


def _tenant_opening_scope(slug: str) -> Tenant | None:
    """The tenant of ``slug``, with its scope open for the rest of the request: from this worker's rows while
    the shared version counter says they are current (``row_cache``), else read from the database.

    On PostgreSQL the row and the transaction's ``app.tenant_id`` come in one round trip (the statement
    that reads the row also calls ``set_config``), so every tenant page pays one query for tenancy and
    always sees the current status: a center suspended a moment ago is refused on the very next request.
    """
    store = shared_store()
    version = row_cache.rows.version(store, slug)
    if version is not None and row_cache.rows.tenant_id(slug) is not None:
        # No round trip: the first statement of the request, if any, opens the scope in its transaction.
        return _scope_with_kept_row(slug)
    tenant = _read_tenant_opening_scope(slug)
    if tenant is not None and version is not None:
        row_cache.rows.keep(tenant, version)
    return tenant


def _scope_with_kept_row(slug: str) -> Tenant:
    """This request's copy of the kept row of ``slug``, with the scope open in the request's session.

    A page that never touches the database (one served from the page cache) opens no session at all: the
    copy then waits in ``g`` and is attached, with the scope, by whatever opens the session first
    (:func:`_install_session_opening`), so every statement of the request still runs in the center's scope and sees
    ``g.tenant`` attached. Only a copy that carries its region waits (a detached row cannot load it)."""
    tenant = row_cache.rows.get(slug)
    if db.session.registry.has() or "region" not in tenant.__dict__:
        # Set before the row is attached, which begins the session's transaction without a connection.
        set_request_tenant(db.session, tenant.id)
        return db.session.merge(tenant, load=False)  # no query; the session may hold the row already
    g.setdefault(_UNOPENED, tenant)
    return tenant


_UNOPENED = "clusterhub_tenant_to_attach"


def _attach_waiting_tenant(db_session: Session) -> None:
    tenant = g.pop(_UNOPENED, None)
    if tenant is not None:
        db_session.info[TENANT_KEY] = tenant.id  # no transaction yet: ``after_begin`` applies it
        db_session.add(tenant)


def _install_session_opening(registry: ScopedRegistry[Any]) -> None:
    """Let the request's session, when something first opens it, take the waiting tenant and its scope."""
    create = registry.createfunc
    if getattr(create, "attaches_waiting_tenant", False):
        return  # another application of this process installed it already

    def _open_session() -> Any:
        db_session = create()
        if has_app_context():
            _attach_waiting_tenant(db_session)
        return db_session

    _open_session.attaches_waiting_tenant = True  # type: ignore[attr-defined]
    registry.createfunc = _open_session


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
    """Close the scope by ending the transaction: its settings end with it, with no extra round trip.
    A request that opened no session has nothing to close."""
    if "tenant" in g:
        g.pop(_UNOPENED, None)
        if db.session.registry.has():
            db.session.info[TENANT_KEY] = None
            db.session.close()


def tenant_header(response: Response) -> Response:
    """The center's slug for the access log (gunicorn.conf.py), added to a center's pages only (registered
    by ``load_tenant``): the log writes "-" without it, and other requests pay nothing for it."""
    tenant = g.get("tenant")
    if tenant is not None:
        response.headers.add("X-Tenant", tenant.slug)  # no view sets it
    return response


def init_app(app: Flask) -> None:
    app.url_value_preprocessor(load_tenant)
    app.url_defaults(fill_tenant)
    app.teardown_request(clear_tenant)
    _install_session_opening(db.session.registry)
