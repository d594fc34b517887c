"""Security headers on every response, and the refusal of hostile input before any view sees it.

The Content-Security-Policy carries a fresh nonce per request: templates give it to their few ``<script>``
and ``<style>`` elements (``csp_nonce()``); inline event handlers and ``style=`` attributes are not allowed
at all, so pages use classes from ``static/clusterhub.css`` and behaviour from ``static/clusterhub.js``.
"""

import secrets
from typing import Any, TypeVar

from flask import Flask, Response, abort, current_app, g, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from .urls import web_href

# Nesting deeper than this in a JSON body is refused before it is parsed: no API document needs more than
# a few levels, and Python's parser recurses once per level.
MAX_JSON_DEPTH = 32

# Features no page uses; the check-in page alone may ask for the camera (see ``permits_camera``).
_DISABLED_FEATURES = (
    "accelerometer",
    "autoplay",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "payment",
    "usb",
)


View = TypeVar("View")


def permits_camera(view: View) -> View:
    """Mark a view whose page may use the camera (the check-in scanner); every other page may not."""
    view.permits_camera = True  # type: ignore[attr-defined]
    return view


def csp_nonce() -> str:
    """This request's nonce for inline ``<script>``/``<style>`` elements."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    return _CSP_TEMPLATE.replace(_NONCE_SLOT, nonce)


_NONCE_SLOT = "\x00nonce\x00"


def _csp_template() -> str:
    nonce = _NONCE_SLOT
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": f"'self' 'nonce-{nonce}'",
        # Bootstrap draws its toggler and select arrows as data: SVG images.
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


# Every response carries these: written once here rather than on every request.
_CSP_TEMPLATE = _csp_template()
# A response in which nothing asked for a nonce has no element that could carry one (a JSON answer, a
# file, a redirect): its policy allows no inline script or style at all, and no random draw is needed.
_CSP_WITHOUT_NONCE = _CSP_TEMPLATE.replace(f" 'nonce-{_NONCE_SLOT}'", "")


def _permissions_policy(camera_allowed: bool) -> str:
    features = [f"{name}=()" for name in _DISABLED_FEATURES]
    features.append("camera=(self)" if camera_allowed else "camera=()")
    return ", ".join(sorted(features))


def _view_permits_camera(app: Flask, endpoint: str | None) -> bool:
    view = app.view_functions.get(endpoint or "")
    return bool(getattr(view, "permits_camera", False))


_HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def _headers(camera_allowed: bool, production: bool) -> tuple[tuple[str, str], ...]:
    """Every header but the Content-Security-Policy (which carries the request's nonce, if any)."""
    fixed = (
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", _permissions_policy(camera_allowed)),
    )
    return (*fixed, _HSTS) if production else fixed


_HEADERS = {
    (camera, production): _headers(camera, production)
    for camera in (False, True)
    for production in (False, True)
}


# A view that set one of these itself (an uploaded file's nosniff) has it replaced rather than doubled.
_WRITTEN_NAMES = {"content-security-policy"} | {name.lower() for name, _value in _headers(True, True)}


def set_security_headers(response: Response) -> Response:
    # The context's objects are taken once: each look-up through Flask's proxies costs about a microsecond,
    # and this runs on every response.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    nonce = g.get("csp_nonce")
    policy = _CSP_WITHOUT_NONCE if nonce is None else content_security_policy(nonce)
    written = (
        ("Content-Security-Policy", policy),
        *_HEADERS[_view_permits_camera(app, request.endpoint), app.config["ENV"] == "production"],
    )
    headers = response.headers
    if _WRITTEN_NAMES.isdisjoint(name.lower() for name, _value in headers):
        # Every name and value here is a constant checked when this module was loaded, or the nonce
        # (URL-safe base64): appending skips werkzeug's check of each value and search for each name.
        headers._list.extend(written)
    else:
        for name, value in written:  # a response that set one itself (an uploaded file's nosniff)
            headers[name] = value
    return response


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text, counted without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def refuse_hostile_input() -> None:
    """400 for a NUL character in any query, form or JSON text, and for JSON nested beyond reason.

    PostgreSQL cannot store NUL in text and raises on it; no legitimate client sends one."""
    environ = request.environ
    if environ.get("QUERY_STRING") and any(
        _contains_nul(key) or _contains_nul(value) for key, value in request.args.items(multi=True)
    ):
        abort(400, _("The request contains a NUL character, which is not allowed in text."))
    if not environ.get("CONTENT_TYPE"):
        return  # no body Flask would read as a form or as JSON (most requests: every GET of a page)
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if any(_contains_nul(key) or _contains_nul(value) for key, value in request.form.items(multi=True)):
            abort(400, _("The request contains a NUL character, which is not allowed in text."))
        if any(_contains_nul(upload.filename or "") for upload in request.files.values()):
            abort(400, _("The request contains a NUL character, which is not allowed in text."))
    if request.is_json and request.content_length != 0:
        raw = request.get_data(cache=True)
        if json_depth(raw) > MAX_JSON_DEPTH:
            abort(400, _("The JSON document is nested too deeply."))
        if b"\\u0000" in raw or b"\x00" in raw:
            abort(400, _("The request contains a NUL character, which is not allowed in text."))


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` in every route, bounded by PostgreSQL's ``integer`` (every primary key): a larger id
    in the address would raise "out of range" in the database (a 500); beyond it the route does not
    match (a 404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    # Before any blueprint adds its rules: a rule takes its converters when it is added to the map.
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(refuse_hostile_input)
    app.after_request(set_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.filters["web_href"] = web_href
