"""The one authorization helper every view uses.

Every endpoint declares who may reach it with :func:`public`, :func:`login_required` or
:func:`requires`. A ``before_request`` hook (:func:`enforce`) checks the declaration; an endpoint without
one is refused (deny by default), and a test walks the URL map to prove that none is missing.
"""

import enum

import sqlalchemy as sa
from flask import abort, current_app, g, request
from flask_login import current_user

from ..core import signals
from ..extensions import db, login_manager
from ..tenancy.scoping import tenant_scope
from .models import GlobalRole, Membership, TenantRole


class Permission(enum.StrEnum):
    STAFF_AREA = "tenant.staff_area"
    MANAGE_MEMBERS = "tenant.manage_members"
    VIEW_AUDIT = "tenant.view_audit"
    EXPERT_AREA = "tenant.expert_area"
    MANAGE_TENANTS = "platform.manage_tenants"
    MANAGE_FEDERAL_STAFF = "platform.manage_federal_staff"
    FEDERAL_READ = "federal.read"
    REVIEW_REPORTS = "federal.review_reports"
    SUBMIT_REPORTS = "tenant.submit_reports"


TENANT_ROLE_PERMISSIONS = {
    TenantRole.CENTER_ADMIN: {
        Permission.STAFF_AREA,
        Permission.MANAGE_MEMBERS,
        Permission.VIEW_AUDIT,
        Permission.SUBMIT_REPORTS,
    },
    TenantRole.CENTER_STAFF: {Permission.STAFF_AREA},
    TenantRole.EXPERT: {Permission.EXPERT_AREA},
}
GLOBAL_ROLE_PERMISSIONS = {
    GlobalRole.PLATFORM_ADMIN: set(Permission),
    GlobalRole.FEDERAL_ANALYST: {Permission.FEDERAL_READ},
    GlobalRole.FEDERAL_REVIEWER: {Permission.FEDERAL_READ, Permission.REVIEW_REPORTS},
}
PUBLIC_ENDPOINTS = {"static", "bootstrap.static"}


def register_permissions(role, permissions) -> None:
    """Grant ``permissions`` to ``role`` (idempotent: the tables only grow)."""
    table = GLOBAL_ROLE_PERMISSIONS if isinstance(role, GlobalRole) else TENANT_ROLE_PERMISSIONS
    table.setdefault(role, set()).update(permissions)


def grant_connected_permissions() -> None:
    """Merge every module's answer to ``signals.role_permissions`` into the role tables (create_app)."""
    for answer in signals.answers(signals.role_permissions):
        for role, permissions in answer or ():
            register_permissions(role, permissions)


def is_tenant_permission(permission) -> bool:
    """A permission that a role inside a center can hold (as opposed to a platform or federal one)."""
    return any(permission in granted for granted in TENANT_ROLE_PERMISSIONS.values())


def remember_tenant_role(user, tenant, role) -> None:
    """``role`` (or None) is ``user``'s in ``tenant`` for the rest of the request (read with the user)."""
    g.setdefault("_tenant_roles", {})[(user.id, tenant.id)] = role


def tenant_role(user, tenant) -> str | None:
    """The user's role in ``tenant`` (memoized for the request)."""
    if tenant is None or not user.is_authenticated:
        return None
    cache = g.setdefault("_tenant_roles", {})
    key = (user.id, tenant.id)
    if key not in cache:
        with tenant_scope(db.session, tenant.id):
            cache[key] = db.session.scalar(sa.select(Membership.role).where(Membership.user_id == user.id))
    return cache[key]


def permissions_of(user, tenant=None) -> set:
    if not user.is_authenticated:
        return set()
    if hasattr(user, "token_permissions"):  # a center's API token: its scopes, in its own center only
        return user.token_permissions(tenant)
    granted = set(GLOBAL_ROLE_PERMISSIONS.get(user.global_role, set()))
    role = tenant_role(user, tenant)
    if role:
        granted |= TENANT_ROLE_PERMISSIONS.get(role, set())
    return granted


def can(permission, tenant=None, user=None) -> bool:
    """May ``user`` (default: the current user) do ``permission`` in ``tenant`` (default: the request's)?"""
    user = user if user is not None else current_user
    tenant = tenant if tenant is not None else g.get("tenant")
    return permission in permissions_of(user, tenant)


READ_ONLY_ROLES = {GlobalRole.FEDERAL_ANALYST, GlobalRole.FEDERAL_REVIEWER}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def personal(view):
    """The view changes only the user's own things (profile, tokens, saved exports), or is the one federal
    action there is (reviewing a report, checked by its own permission): federal roles may POST to it."""
    view.personal = True
    return view


def public(view):
    view.access_rule = ("public",)
    return view


def login_required(view):
    view.access_rule = ("login",)
    return view


def requires(*permissions):
    """Only users holding every one of ``permissions`` (in the request's tenant, if any) reach the view."""

    def decorator(view):
        view.access_rule = ("permissions", *permissions)
        return view

    return decorator


def enforce():
    """``before_request``: apply the endpoint's declared rule. No declaration means no access.

    Two rules hold whatever the declaration: federal roles change nothing except through ``@personal``
    views (public forms included), and a write to an endpoint that needs a tenant permission is refused
    while a read-only guard (billing: a lapsed center) says so.
    """
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    view = current_app.view_functions[request.endpoint]
    rule = getattr(view, "access_rule", None)
    if rule is None:
        abort(403)
    writing = request.method not in SAFE_METHODS
    kind, *needed = rule
    token = g.get("api_token")
    if token is not None:  # scopes first: a read-only token is refused whatever its user may do
        from ..tokens.access import check_rule

        check_rule(token, kind, needed, writing)
    if (
        writing
        and current_user.is_authenticated
        and current_user.global_role in READ_ONLY_ROLES
        and not getattr(view, "personal", False)
    ):
        abort(403)  # federal roles read everything and change nothing, whatever the route
    if kind == "public":
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if kind == "permissions" and not all(can(p) for p in needed):
        abort(403)
    if writing and kind == "permissions" and any(is_tenant_permission(p) for p in needed):
        return _read_only_refusal()
    return None


def _read_only_refusal():
    """The first refusal a module answers to ``signals.read_only_refusals`` (billing: a lapsed center),
    or None; what a module refuses is its own business (billing keeps its payment pages writable)."""
    tenant = g.get("tenant")
    if tenant is None or current_user.is_platform_admin:
        return None  # the platform admin may repair a read-only center
    for refusal in signals.answers(signals.read_only_refusals, tenant):
        if refusal is not None:
            return refusal
    return None
