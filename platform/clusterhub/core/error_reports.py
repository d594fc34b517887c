"""Unexpected errors reach the team: Sentry when ``SENTRY_DSN`` is set, the log (with the request id the
500 page shows) always.

No personal data leaves: ``send_default_pii=False`` (no cookies, no user e-mail or address), request
bodies are not sent, and the only tags are the request id and the tenant's slug.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from .logs import request_fields


def configure(app: Flask) -> bool:
    """Start the Sentry client when a DSN is configured. Returns whether reports are sent."""
    dsn = app.config.get("SENTRY_DSN")
    app.extensions["error_reports"] = bool(dsn)
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=app.config.get("SENTRY_ENVIRONMENT") or app.config["ENV"],
        release=app.config.get("SENTRY_RELEASE") or None,
        integrations=[FlaskIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
        before_send=_tag_request,
    )
    return True


def _tag_request(event: Any, hint: dict[str, Any]) -> Any:
    """Every report carries the request id (the one the user quotes from the 500 page) and tenant."""
    tags = event.setdefault("tags", {})
    tags.update(request_fields())
    return event


def sending(app: Flask) -> bool:
    """Whether unexpected errors are reported to Sentry (else only logged)."""
    return bool(app.extensions.get("error_reports"))
