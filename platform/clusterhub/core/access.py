"""Who may do what: the permissions, which roles hold them, and the declarations every view makes.

Every endpoint declares who may reach it with :func:`public`, :func:`login_required` or :func:`requires`
(and :func:`personal` for the few writes a federal role may make); the ``before_request`` hook
``accounts.authz.enforce`` applies the declaration. :func:`can` answers whether a user holds a permission,
for the hook, the menus and the pages.

A foundation module: it reads the role models and the tenant scope and nothing above them, so every layer
(core's, the audit log's and the outbox's pages included) declares its access with it.
"""

import enum
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import g
from flask_login import current_user

from ..accounts.models import GlobalRole, Membership, TenantRole
from ..extensions import db
from ..tenancy.scoping import tenant_scope
from . import signals

View = TypeVar("View", bound=Callable[..., Any])


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


TENANT_ROLE_PERMISSIONS: dict[str, set[str]] = {
    TenantRole.CENTER_ADMIN: {
        Permission.STAFF_AREA,
        Permission.MANAGE_MEMBERS,
        Permission.VIEW_AUDIT,
        Permission.SUBMIT_REPORTS,
    },
    TenantRole.CENTER_STAFF: {Permission.STAFF_AREA},
    TenantRole.EXPERT: {Permission.EXPERT_AREA},
}
GLOBAL_ROLE_PERMISSIONS: dict[str, set[str]] = {
    GlobalRole.PLATFORM_ADMIN: set(Permission),
    GlobalRole.FEDERAL_ANALYST: {Permission.FEDERAL_READ},
    GlobalRole.FEDERAL_REVIEWER: {Permission.FEDERAL_READ, Permission.REVIEW_REPORTS},
}
PUBLIC_ENDPOINTS = {"static", "bootstrap.static"}


def register_permissions(role: GlobalRole | TenantRole, permissions: Iterable[str]) -> None:
    """Grant ``permissions`` to ``role`` (idempotent: the tables only grow)."""
    table = GLOBAL_ROLE_PERMISSIONS if isinstance(role, GlobalRole) else TENANT_ROLE_PERMISSIONS
    table.setdefault(role, set()).update(permissions)


def grant_connected_permissions() -> None:
    """Merge every module's answer to ``signals.role_permissions`` into the role tables (create_app)."""
    for answer in signals.answers(signals.role_permissions):
        for role, permissions in answer or ():
            register_permissions(role, permissions)


def is_tenant_permission(permission: str) -> bool:
    """A permission that a role inside a center can hold (as opposed to a platform or federal one)."""
    return any(permission in granted for granted in TENANT_ROLE_PERMISSIONS.values())


def remember_tenant_role(user: Any, tenant: Any, role: str | None) -> None:
    """``role`` (or None) is ``user``'s in ``tenant`` for the rest of the request (read with the user)."""
    g.setdefault("_tenant_roles", {})[(user.id, tenant.id)] = role


def tenant_role(user: Any, tenant: Any) -> str | None:
    """The user's role in ``tenant`` (memoized for the request)."""
    if tenant is None or not user.is_authenticated:
        return None
    cache = g.setdefault("_tenant_roles", {})
    key = (user.id, tenant.id)
    if key not in cache:
        with tenant_scope(db.session, tenant.id):
            cache[key] = db.session.scalar(sa.select(Membership.role).where(Membership.user_id == user.id))
    return cache[key]


def permissions_of(user: Any, tenant: Any = None) -> set[str]:
    if not user.is_authenticated:
        return set()
    if hasattr(user, "token_permissions"):  # a center's API token: its scopes, in its own center only
        return user.token_permissions(tenant)
    granted = set(GLOBAL_ROLE_PERMISSIONS.get(user.global_role, set()))
    role = tenant_role(user, tenant)
    if role:
        granted |= TENANT_ROLE_PERMISSIONS.get(role, set())
    return granted


def can(permission: object, tenant: Any = None, user: Any = None) -> bool:
    """May ``user`` (default: the current user) do ``permission`` in ``tenant`` (default: the request's)?"""
    user = user if user is not None else current_user
    tenant = tenant if tenant is not None else g.get("tenant")
    return permission in permissions_of(user, tenant)


READ_ONLY_ROLES = {GlobalRole.FEDERAL_ANALYST, GlobalRole.FEDERAL_REVIEWER}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # reads: no CSRF token, no commit, no write rule


def personal(view: View) -> View:
    """The view changes only the user's own things (profile, tokens, saved exports), or is the one federal
    action there is (reviewing a report, checked by its own permission): federal roles may POST to it."""
    view.personal = True  # type: ignore[attr-defined]
    return view


def public(view: View) -> View:
    view.access_rule = ("public",)  # type: ignore[attr-defined]
    return view


def login_required(view: View) -> View:
    view.access_rule = ("login",)  # type: ignore[attr-defined]
    return view


def requires(*permissions: str) -> Callable[[View], View]:
    """Only users holding every one of ``permissions`` (in the request's tenant, if any) reach the view."""

    def decorator(view: View) -> View:
        view.access_rule = ("permissions", *permissions)  # type: ignore[attr-defined]
        return view

    return decorator
