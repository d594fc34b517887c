from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _


def external_url(endpoint: str, **values: Any) -> str:
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


class InvalidWebAddress(ValueError):
    """A stored link must be an http(s) address; the message says so in the user's language."""


def is_web_address(value: str) -> bool:
    """True for an absolute http:// or https:// address with a host and no whitespace or control characters.

    Anything else (``javascript:``, ``data:``, ``vbscript:``, a relative path) would run or mislead when a
    page renders it as a link."""
    if not value or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def clean_web_address(value: str | None) -> str | None:
    """The address stripped, or None when empty; raises :class:`InvalidWebAddress` unless it is http(s)."""
    value = (value or "").strip()
    if not value:
        return None
    if not is_web_address(value):
        raise InvalidWebAddress(
            _("Give a web address starting with http:// or https://, e.g. https://example.ru.")
        )
    return value


def web_href(value: str | None) -> str:
    """For templates: the address when it is http(s), otherwise a harmless ``#`` (rows stored before the
    check existed must not become a ``javascript:`` link)."""
    return value if value and is_web_address(value) else "#"


_ROW_MARKER = 987654321


def row_urls(endpoint: str, key: str, **values: Any) -> Callable[[int], str]:
    """``url_for`` for every row of a long table, built once: the returned function puts a row's integer
    ``key`` into the address. (A ``url_for`` call costs tens of microseconds; a 50-row staff list with
    four links a row paid milliseconds for them.)"""
    values[key] = _ROW_MARKER
    head, tail = url_for(endpoint, **values).split(str(_ROW_MARKER), 1)

    def address(value: int) -> str:
        return f"{head}{int(value)}{tail}"

    return address
