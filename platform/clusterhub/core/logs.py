"""Application logs: one JSON object per line in production, each carrying the request id and tenant.

``LOG_FORMAT=json`` (the default with ``CLUSTERHUB_ENV=production``) writes every record as JSON to
stdout and adds one ``request`` line per request: method, path, status, duration, request id, tenant
and user id. ``LOG_FORMAT=text`` (the local default) keeps Python's usual lines. gunicorn's own logs
use the same formatter through ``logconfig_dict`` in gunicorn.conf.py, so a log pipeline parses one
shape.
"""

from __future__ import annotations

import json
import logging
import secrets
import sys
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request

REQUEST_LOGGER = "clusterhub.request"
_request_log = logging.getLogger(REQUEST_LOGGER)

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged too.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def request_fields() -> dict[str, Any]:
    """The request id and tenant of the request being served, if any (for logs and error reports)."""
    if not has_request_context():
        return {}
    tenant = g.get("tenant")
    return {"request_id": g.get("request_id", "-"), "tenant": tenant.slug if tenant is not None else "-"}


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time, level, logger, message, the request's id and tenant, any
    ``extra=`` fields and the traceback. A record whose message is a dict is merged in as fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        if isinstance(record.msg, dict):
            entry.update(record.msg)
        else:
            entry["message"] = record.getMessage()
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry.setdefault(key, value)
        for key, value in request_fields().items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(app: Flask) -> None:
    """Set the log format and level; give each request an id and its start time, and log it when the
    format is JSON."""
    root = logging.getLogger()
    root.setLevel(app.config["LOG_LEVEL"])
    json_format = app.config["LOG_FORMAT"] == "json"
    # Under gunicorn, its logconfig_dict has already given the root logger a JSON handler.
    if not root.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter() if json_format else logging.Formatter(logging.BASIC_FORMAT))
        root.addHandler(handler)
    app.before_request(_begin_request)
    app.after_request(_end_request)


def _begin_request() -> None:
    # Bounded: the id is echoed in a header, every log line and error reports. The start time is read by
    # the log line and by core.metrics.
    state = g._get_current_object()  # one proxy look-up, not two
    state.request_started = time.perf_counter()
    state.request_id = request.environ.get("HTTP_X_REQUEST_ID", "")[:128] or secrets.token_hex(16)


def _end_request(response: Response) -> Response:
    """The request id header, and the request's log line in JSON (the development server prints its own)."""
    response.headers.add("X-Request-ID", g.get("request_id", "-"))  # no view sets it
    log = _request_log
    if not log.isEnabledFor(logging.INFO) or current_app.config["LOG_FORMAT"] != "json":
        return response
    started = g.get("request_started")
    # Flask-Login keeps the user it loaded in g; reading current_user here could load it (a query).
    user = g.get("_login_user")
    log.info(
        {
            "message": "request",
            "method": request.method,
            "path": request.path,
            "endpoint": request.endpoint or "-",
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "user_id": getattr(user, "id", None),
            "remote_addr": request.remote_addr,
        }
    )
    return response
