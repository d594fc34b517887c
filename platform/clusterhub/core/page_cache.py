"""A small in-process LRU of rendered HTML, each entry stamped with the version of what it shows.

A hit is served only while the stored version equals the current one, which the caller reads from the
database (an event's ``updated_at``, the computation time of the federal figures), so an entry is never
stale and nothing needs invalidating across workers or pods: each worker keeps its own.
"""

from collections import OrderedDict
from threading import Lock

# Pages carrying the session's CSRF token store this marker instead and get the visitor's own token back.
CSRF_MARKER = "\x00csrf\x00"
# Likewise the Content-Security-Policy nonce: a page served with another request's nonce would have its
# scripts blocked, since the header carries the new one.
NONCE_MARKER = "\x00nonce\x00"


def freeze(html: str, csrf_token: str, nonce: str) -> str:
    """``html`` with this request's CSRF token and CSP nonce replaced by markers, ready to be stored."""
    return html.replace(csrf_token, CSRF_MARKER).replace(f'nonce="{nonce}"', f'nonce="{NONCE_MARKER}"')


def thaw(html: str, csrf_token: str, nonce: str) -> str:
    """A stored page with the markers replaced by the current request's token and nonce."""
    return html.replace(CSRF_MARKER, csrf_token).replace(NONCE_MARKER, nonce)


class PageCache:
    def __init__(self, max_entries: int = 512):
        self.max_entries = max_entries
        self._entries: OrderedDict = OrderedDict()
        self._lock = Lock()

    def get(self, key, version) -> str | bytes | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key, version, html: str | bytes) -> None:
        with self._lock:
            self._entries[key] = (version, html)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
