"""Rendered HTML of pages that many read and few change, each entry stamped with the version of what it
shows.

A hit is served only while the stored version equals the current one, which the caller reads from the
database (an event's ``updated_at``, the computation time of the federal figures), so an entry is never
stale and nothing needs invalidating. Each worker keeps a small LRU; with ``REDIS_URL`` configured (as in
production) the entries are also shared through Redis, so a page rendered by one worker or pod is served
by all of them. Redis is only a cache here: when it does not answer, the page is rendered as if it missed.
"""

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from threading import Lock
from typing import Any, NamedTuple

from flask import g, request, session
from flask_babel import get_locale
from flask_login import current_user

from ..config import project_root
from ..tenancy.row_cache import content_version, row_digest
from .security import csp_nonce
from .shared_store import shared_store

# Pages carrying the session's CSRF token store this marker instead and get the visitor's own token back.
CSRF_MARKER = "\x00csrf\x00"
SHARED_TTL_SECONDS = 24 * 3600

# Likewise the Content-Security-Policy nonce: a page served with another request's nonce would have its
# scripts blocked, since the header carries the new one.
NONCE_MARKER = "\x00nonce\x00"


def freeze(html: str, nonce: str) -> str:
    """``html`` with this request's CSRF token (if the page carries one) and CSP nonce replaced by markers,
    ready to be stored."""
    token = g.get("csrf_token")  # where Flask-WTF keeps the token it put on this page, if it made one
    if token:
        html = html.replace(token, CSRF_MARKER)
    return html.replace(f'nonce="{nonce}"', f'nonce="{NONCE_MARKER}"')


class _Thawing(NamedTuple):
    """A stored page ready to be served again: its UTF-8 bytes around each nonce marker, so that serving
    it joins bytes with the request's nonce (replacing the marker in the text and encoding a 24 KB page
    cost more than the rest of serving it)."""

    parts: tuple[bytes, ...]
    csrf: bool  # it carries the CSRF marker (a page with a form for a visitor with a session)


def _thawing(html: str) -> _Thawing:
    return _Thawing(tuple(part.encode() for part in html.split(NONCE_MARKER)), CSRF_MARKER in html)


def _thawed(thawing: _Thawing, nonce: str) -> bytes:
    """The stored page with the markers replaced by the current request's token and nonce. A page without a
    form asks for no CSRF token, so serving it starts no session and sets no cookie."""
    parts = thawing.parts
    if thawing.csrf:
        from flask_wtf.csrf import generate_csrf

        token = generate_csrf().encode()
        parts = tuple(part.replace(_CSRF_MARKER_BYTES, token) for part in parts)
    return nonce.encode().join(parts)


_CSRF_MARKER_BYTES = CSRF_MARKER.encode()


row_version = row_digest  # a short digest of every column of an ORM row (kept with the center's row)


class PageCache:
    def __init__(self, name: str, max_entries: int = 512):
        self.name = name
        self.max_entries = max_entries
        # key -> (version, stored page, its thawing once served: see ``serve``)
        self._entries: OrderedDict[Any, tuple[Any, str | bytes, _Thawing | None]] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Any, version: Any) -> str | bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(key)
                return entry[1]
        return self._shared(key, version)

    def serve(self, key: Any, version: Any, nonce: str) -> bytes | None:
        """The stored page of ``key`` at ``version`` (stored by ``put`` after ``freeze``) as this request's
        response body, with its CSRF token and CSP nonce put back; None when there is none."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(key)
                if entry[2] is not None:
                    return _thawed(entry[2], nonce)
                html = entry[1]
            else:
                html = None
        if html is None:
            html = self._shared(key, version)
            if html is None:
                return None
        thawing = _thawing(html if isinstance(html, str) else html.decode())
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == version and entry[1] is html:
                self._entries[key] = (version, html, thawing)
        return _thawed(thawing, nonce)

    def _shared(self, key: Any, version: Any) -> str | bytes | None:
        """The entry another worker stored in Redis, kept by this one too; None without it."""
        shared = shared_store()
        if shared is None:
            return None
        stored = shared.get(self._shared_key(key))
        if stored is None:
            return None
        stored_version, html = _decode(stored)
        if stored_version != str(version):
            return None
        self._keep(key, version, html)
        return html

    def put(self, key: Any, version: Any, html: str | bytes) -> None:
        self._keep(key, version, html)
        shared = shared_store()
        if shared is not None:
            shared.set(self._shared_key(key), _encode(version, html), SHARED_TTL_SECONDS)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _keep(self, key: Any, version: Any, html: str | bytes) -> None:
        with self._lock:
            self._entries[key] = (version, html, None)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def _shared_key(self, key: Any) -> str:
        # The release's templates and translations are part of the key: after a deploy, pages rendered by
        # the previous release are not served even though the data they show has not changed.
        return f"clusterhub:page:{_release_fingerprint()}:{self.name}:{key!r}"


def _encode(version: Any, html: str | bytes) -> bytes:
    kind, body = (b"s", html.encode()) if isinstance(html, str) else (b"b", html)
    return str(version).encode() + b"\n" + kind + body


def _decode(stored: bytes) -> tuple[str, str | bytes]:
    version, rest = stored.split(b"\n", 1)
    body = rest[1:]
    return version.decode(), body.decode() if rest[:1] == b"s" else body


_fingerprint: str | None = None


def _release_fingerprint() -> str:
    """A short hash of every template and compiled catalogue of this installation, computed once."""
    global _fingerprint
    if _fingerprint is None:
        package = Path(__file__).resolve().parents[1]
        files = sorted(package.rglob("*.html")) + sorted((project_root() / "translations").rglob("*.mo"))
        digest = hashlib.blake2b(digest_size=8)
        for path in files:
            digest.update(str(path.relative_to(path.anchor)).encode())
            digest.update(path.read_bytes())
        _fingerprint = digest.hexdigest()
    return _fingerprint


def per_viewer(name: str, max_entries: int = 256) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Keep a page's rendered HTML per viewer while nothing of what the centers own has changed.

    For pages opened again and again while their data stands still: a center's staff page (the participant
    list between check-ins) or a platform page built only from the centers' rows (the service search). The
    key is the center, the viewer (None for an anonymous visitor), the language and the full address; the
    version is the content version of the center, or of all centers on a page outside any center
    (:func:`~clusterhub.tenancy.row_cache.content_version`), which moves after every commit that wrote a
    row of the center and once a minute. Without Redis there is no such version and the page is rendered
    every time. Only a GET without pending flash messages is kept or served, and
    only after the view's permission check has passed (``authz.enforce`` runs before the view); the viewer's
    own CSRF token and this request's nonce are put back into a stored page.
    """
    cache = PageCache(name, max_entries=max_entries)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def serve(*args: Any, **kwargs: Any) -> Any:
            if request.method != "GET" or "_flashes" in session:
                return view(*args, **kwargs)
            tenant_id = g.tenant.id if g.get("tenant") is not None else None
            version = content_version(shared_store(), tenant_id)
            if version is None:
                return view(*args, **kwargs)
            key = (tenant_id, current_user.get_id(), str(get_locale()), request.full_path)
            page = cache.serve(key, version, csp_nonce())
            if page is not None:
                return page
            response = view(*args, **kwargs)
            if isinstance(response, str):
                cache.put(key, version, freeze(response, csp_nonce()))
            return response

        return serve

    return decorate
