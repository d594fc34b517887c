from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    """An absolute link on ``BASE_URL`` (for e-mails), also outside a request (CLI, worker, tests)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return base + url_for(endpoint, **values)


def safe_next_url(target: str | None, fallback: str | None = None) -> str:
    """``target`` if it is a path on this site, else ``fallback`` (the home page by default).

    Every ``next`` parameter a view follows goes through here. Browsers drop tabs and newlines from URLs and
    read a backslash as a slash, so ``/%09/evil``, ``/\\evil`` and ``//evil`` all lead off the site; only a
    plain absolute path with no scheme and no host is accepted.
    """
    fallback = fallback or url_for("core.home")
    if not target or any(ord(char) < 0x20 or char in "\x7f\\" for char in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target
