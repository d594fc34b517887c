"""The one authorization hook every request passes: :func:`enforce` applies the endpoint's declaration.

The declarations (:func:`~clusterhub.core.access.public`, ``login_required``, ``requires``), the permissions
and :func:`~clusterhub.core.access.can` live in :mod:`clusterhub.core.access`, below every area that declares
access. An endpoint without a declaration is refused (deny by default), and a test walks the URL map to prove
that none is missing.
"""

from flask import abort, current_app, g, request
from flask_login import current_user

from ..core import signals
from ..core.access import PUBLIC_ENDPOINTS, READ_ONLY_ROLES, SAFE_METHODS, can, is_tenant_permission
from ..extensions import login_manager
from ..tokens.access import check_rule


def enforce():
    """``before_request``: apply the endpoint's declared rule. No declaration means no access.

    Two rules hold whatever the declaration: federal roles change nothing except through ``@personal``
    views (public forms included), and a write to an endpoint that needs a tenant permission is refused
    while a read-only guard (billing: a lapsed center) says so.
    """
    asked = request._get_current_object()  # type: ignore[attr-defined]  # one proxy look-up (every request)
    endpoint = asked.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return None
    view = current_app.view_functions[endpoint]
    rule = getattr(view, "access_rule", None)
    if rule is None:
        abort(403)
    writing = asked.method not in SAFE_METHODS
    kind, *needed = rule
    if kind == "public" and not writing:
        return None  # what follows refuses writes, or asks for a signed-in user
    token = g.get("api_token")
    if token is not None:  # scopes first: a read-only token is refused whatever its user may do
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
