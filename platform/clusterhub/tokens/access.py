"""Requests made with an API token: who they are, what their scopes allow, how often, and the audit trail.

Order on every request under ``/api/`` that carries ``Authorization: Bearer …``:

1. :func:`authenticate` (``before_request``, before ``authz.enforce``) reads the token afresh — no cache,
   so a revoked or expired token answers 401 on the very next request; a center token used at another
   center's address answers 404 (as any object of another center does); then it counts the request
   against the token's rate limit (429 with ``Retry-After`` when over).
2. ``authz.enforce`` checks the endpoint's declaration as for anyone, and asks :func:`check_rule` first:
   a read-only token changes nothing (403); a center token writes only where its scopes cover the area of
   every permission the endpoint needs, and never acts as a person (``@login_required`` endpoints).
3. :func:`after_request` (registered by :func:`authenticate` for this request only) adds the ``X-RateLimit-*`` headers and writes the audit entry: one per write
   (whatever its outcome), and for reads one per token per minute (with the first address read). Reads
   change nothing, and a syncing client reads thousands of pages an hour; a per-minute trace says which
   token read when, at a bounded cost (≤ 1,440 rows a day per token), while every change is recorded in
   full — by this entry and by the service's own entries, which carry the token's label too.
"""

import contextlib
import logging
import time
from datetime import timedelta

import limits
from flask import after_this_request, current_app, g, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import Forbidden, NotFound

from ..audit.services import record
from ..core.access import SAFE_METHODS
from ..extensions import db, limiter
from ..tenancy.models import utcnow
from ..tenancy.scoping import tenant_scope
from . import scopes as token_scopes
from .services import find_token

log = logging.getLogger(__name__)

READ_AUDIT_INTERVAL = timedelta(minutes=1)
_UNSET = object()


def bearer_secret(req) -> str | None:
    header = req.headers.get("Authorization", "")
    if not req.path.startswith("/api/") or not header.startswith("Bearer "):
        return None
    return header.removeprefix("Bearer ").strip()


def request_token():
    """The token of the current request (looked up once per request), or None."""
    found = g.get("_api_token_lookup", _UNSET)
    if found is _UNSET:
        secret = bearer_secret(request)
        found = find_token(secret) if secret else None
        g._api_token_lookup = found
    return found


def _unauthorized(message: str):
    response = jsonify(error={"code": 401, "message": message})
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def authenticate():
    """``before_request``: see the module's docstring (step 1)."""
    if not request.path.startswith("/api/") or bearer_secret(request) is None:
        return None
    token = request_token()
    if token is None:
        return _unauthorized(_("The token is unknown, expired or revoked."))
    tenant = g.get("tenant")
    if token.kind == "center" and tenant is not None and tenant.id != token.tenant_id:
        raise NotFound()
    g.api_token = token
    after_this_request(after_request)  # only token requests pay for it, their refusals (429) included
    return _count_request(token)


def _rate_limit():
    return limits.parse(current_app.config["API_TOKEN_RATE_LIMIT"])


def _count_request(token):
    item = _rate_limit()
    keys = (current_app.config.get("RATELIMIT_KEY_PREFIX") or "clusterhub", token.rate_key)
    allowed = limiter.limiter.hit(item, *keys)
    stats = limiter.limiter.get_window_stats(item, *keys)
    g.api_rate = (item.amount, max(stats.remaining, 0), int(stats.reset_time))
    if allowed:
        return None
    response = jsonify(
        error={"code": 429, "message": _("Too many requests with this token. Try again later.")}
    )
    response.status_code = 429
    response.headers["Retry-After"] = str(max(1, int(stats.reset_time - time.time()) + 1))
    return response


def _issue_limit():
    return current_app.config["API_TOKEN_ISSUE_RATE_LIMIT"]


def _issue_ip_limit():
    return current_app.config["API_TOKEN_ISSUE_IP_RATE_LIMIT"]


def _issuing_account():
    from flask_login import current_user

    return f"account:{getattr(current_user, 'id', None)}"


def issuing_limited(view):
    """Issuing tokens (a center's or personal ones) is limited per account and per client address, over
    every page that issues them together (``API_TOKEN_ISSUE_RATE_LIMIT``, ``…_IP_RATE_LIMIT``)."""
    from flask_limiter.util import get_remote_address

    view = limiter.shared_limit(
        _issue_ip_limit, "api-token-issue-ip", key_func=get_remote_address, methods=["POST"]
    )(view)
    return limiter.shared_limit(_issue_limit, "api-token-issue", key_func=_issuing_account, methods=["POST"])(
        view
    )


def check_rule(token, kind: str, needed, writing: bool) -> None:
    """Called by ``authz.enforce`` for a token request: refuse what the token's scopes do not cover."""
    if writing and token.read_only:
        raise Forbidden(_("This token is read-only: it cannot change data."))
    if token.kind != "center":
        return  # a personal token acts as its user, whose permissions enforce checks next
    if kind == "login":
        raise Forbidden(_("This operation acts for a person: use a personal token, not the center's."))
    if not writing:
        return
    if kind == "public":
        raise Forbidden(_("A center token cannot send this form; it is for people."))
    for permission in needed:
        area = token_scopes.area_of(permission)
        if area not in token.write_areas:
            scope = token_scopes.write_scope(area)
            raise Forbidden(_("This token cannot change this: it lacks the scope %(scope)s.", scope=scope))


def after_request(response):
    state = g._get_current_object()  # one proxy look-up, not two (this runs on every response)
    token = state.get("api_token")
    rate = state.get("api_rate")
    if rate is not None:
        limit, remaining, reset = rate
        response.headers["X-RateLimit-Limit"] = str(limit)
        response.headers["X-RateLimit-Remaining"] = str(remaining)
        response.headers["X-RateLimit-Reset"] = str(reset)
    if token is not None:
        try:
            _audit(token, response)
        except Exception:  # the answer is ready; a lost trace is logged, not a failed request
            log.exception("The audit entry of an API call with token %s failed", token.audit_label)
            db.session.rollback()
    return response


def _audit(token, response) -> None:
    """One entry per write; reads once per token per minute (see the module's docstring)."""
    now = utcnow()
    writing = request.method not in SAFE_METHODS
    # A center token's row is read and written in its center's scope (RLS), whatever the address.
    scope = tenant_scope(db.session, token.tenant_id) if token.tenant_id else contextlib.nullcontext()
    with scope:
        row = token.row
        due = row.last_used_at is None or now - row.last_used_at >= READ_AUDIT_INTERVAL
        if not writing and not due:
            return
        if due:
            row.last_used_at = now
        tenant_id = token.tenant_id or getattr(g.get("tenant"), "id", None)
        record(
            "api.write" if writing else "api.read",
            (type(row).__name__, row.id),
            actor=None if token.kind == "center" else token.user,
            tenant_id=tenant_id,
            after={"method": request.method, "path": request.path[:300], "response": response.status_code},
        )
    db.session.commit()
