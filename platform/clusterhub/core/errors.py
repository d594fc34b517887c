"""Error pages in both languages, and JSON errors under /api."""

import logging

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db

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


def _render(code: int, detail: str | None = None):
    title, text = MESSAGES.get(code, (str(code), ""))
    if request.path.startswith("/api/"):
        return jsonify(error={"code": code, "message": str(title), "detail": detail or str(text)}), code
    return render_template("core/error.html", code=code, title=title, text=detail or text), code


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return _render(400, _("The form has expired or was sent from another page. Reload it and try again."))

    @app.errorhandler(HTTPException)
    def _http(error):
        if error.code in MESSAGES:
            return _render(error.code)
        return error

    @app.errorhandler(Exception)
    def _unexpected(error):
        if isinstance(error, HTTPException):
            return _http(error)
        log.exception("Unhandled error on %s", request.path)
        db.session.rollback()
        return _render(500)
