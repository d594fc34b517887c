"""Error pages in both languages, and JSON errors under /api."""

import contextlib
import logging
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, flash, g, jsonify, make_response, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from ..extensions import db
from . import error_reports
from .refusal import Refusal, request_refused

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. If you sent a form, reload the page and try again."),
    ),
    401: (_l("Authentication required"), _l("Log in to continue.")),
    403: (_l("Access denied"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("There is no such page. Check the address or go to the home page.")),
    405: (_l("Method not allowed"), _l("This address does not accept this kind of request.")),
    413: (_l("File too large"), _l("The uploaded file is larger than allowed.")),
    429: (_l("Too many requests"), _l("Too many attempts. Wait a few minutes and try again.")),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error occurred. We have been notified; please try again later."),
    ),
}
# Without an error reporter (SENTRY_DSN) nobody is told: the page must not claim otherwise.
UNREPORTED_500 = _l(
    "An unexpected error occurred. Please try again later; if it happens again, write to support and "
    "quote the request number below."
)


def _render(code: int, detail: str | None = None, headers: dict[str, str] | None = None) -> Any:
    title, text = MESSAGES.get(code, (HTTP_STATUS_CODES.get(code, str(code)), ""))
    request_id = g.get("request_id") if code >= 500 else None
    if code == 500 and not error_reports.sending(current_app):
        text = UNREPORTED_500
    if request.path.startswith("/api/"):
        error = {"code": code, "message": str(title), "detail": detail or str(text)}
        if request_id:
            error["request_id"] = request_id
        return jsonify(error=error), code, headers or {}
    return (
        render_template(
            "core/error.html", code=code, title=title, text=detail or text, request_id=request_id
        ),
        code,
        headers or {},
    )


# Untranslated on purpose: this is the answer when even the user's language cannot be looked up.
_BARE_500 = "Something went wrong / Что-то пошло не так. Please try again later / Попробуйте позже."


def _render_without_database(code: int) -> Any:
    name = HTTP_STATUS_CODES.get(code, str(code))
    detail = _BARE_500 if code >= 500 else name
    if code >= 500 and g.get("request_id"):
        detail = f"{detail} Request / Запрос: {escape(g.request_id)}"
    if request.path.startswith("/api/"):
        return jsonify(error={"code": code, "message": name, "detail": detail}), code
    return f"<!doctype html><title>{code} {name}</title><p>{detail}</p>", code, {"Content-Type": "text/html"}


def _database_unreachable(error: Exception) -> bool:
    """The connection to the database failed or was cut (as opposed to a statement that failed)."""
    return isinstance(error, sa.exc.OperationalError) or (
        isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated
    )


def _specific_description(error: HTTPException) -> str | None:
    """The text given to ``abort(code, text)``, or None when the exception carries Werkzeug's default.

    A rate limit's own description is the limit ("5 per 15 minute"): not for users, and the same wording
    must answer whether or not an account exists."""
    if hasattr(error, "limit"):
        return None
    if error.description and error.description != type(error).description:
        return str(error.description)
    return None


def _allow_header(error: HTTPException) -> dict[str, str]:
    # A 405 must say which methods the address does accept (RFC 9110).
    methods = getattr(error, "valid_methods", None)
    return {"Allow": ", ".join(methods)} if methods else {}


def _refused(error: Refusal) -> Any:
    """A refusal no view turned into a form error: the API answers 422 with the field, a page flashes the
    reason and goes back to where the form was. The request's writes are rolled back, unless the refusal
    is one whose trace is kept (``rolls_back = False``) and nothing else refused."""
    if request_refused():
        with contextlib.suppress(Exception):
            db.session.rollback()
    else:
        try:
            db.session.commit()
        except Exception:
            log.exception("The trace of a refusal could not be stored on %s", request.path)
            with contextlib.suppress(Exception):
                db.session.rollback()
    if request.path.startswith("/api/"):
        body = {"code": error.status, "message": str(error)}
        if error.field:
            body["field"] = error.field
        return jsonify(error=body), error.status
    flash(str(error), "danger")
    if request.method in ("GET", "HEAD"):
        return _render(400, str(error))
    return redirect(_back_url(), code=303)


def _back_url() -> str:
    """The page the refused form was on: the referrer when it is a page of this site (browsers send it
    on same-origin posts), else the address that was posted to."""
    from urllib.parse import urlsplit

    from .urls import safe_next_url

    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.scheme in ("http", "https"):
        back = referrer.path + (f"?{referrer.query}" if referrer.query else "")
        return safe_next_url(back, request.path)
    return request.path


def register(app: Flask) -> None:
    app.register_error_handler(Refusal, _refused)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Any:
        return _render(400, _("The form has expired or was sent from another page. Reload it and try again."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        code = error.code or 500
        if code in MESSAGES or request.path.startswith("/api/"):
            try:
                return _render(code, _specific_description(error), _allow_header(error))
            except Exception:  # e.g. the database is down and the user's language cannot be read
                log.exception("The %s page could not be rendered on %s", code, request.path)
                return _render_without_database(code)
        return error

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        if isinstance(error, HTTPException):
            return _http(error)
        if _database_unreachable(error):
            # A failover or a restart of the database: the request is refused whole (its transaction never
            # committed), with a status that tells clients and load balancers to try again shortly.
            log.warning("Database unreachable on %s: %s", request.path, error.__class__.__name__)
            with contextlib.suppress(Exception):
                db.session.rollback()
            response = make_response(_render_without_database(503))
            response.headers["Retry-After"] = "5"
            return response
        # With SENTRY_DSN set, the Flask integration has already reported it, tagged with the request id.
        log.exception("Unhandled error on %s", request.path)
        try:
            db.session.rollback()
        except Exception:  # the database is unreachable: the error page must not depend on it
            log.exception("Rollback failed after the error on %s", request.path)
        try:
            return _render(500)
        except Exception:  # choosing the language reads the user, the page shell reads the menu: no database
            log.exception("The error page could not be rendered on %s", request.path)
            return _render_without_database(500)
