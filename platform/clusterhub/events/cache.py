"""An in-process cache of the public event page for anonymous visitors.

Each entry is keyed by (tenant, event, language) and stamped with the event's ``updated_at``; services
touch that column whenever anything the page shows changes (details, agenda, venues, organisers, the
counts of participants), so a hit is never stale: serving one costs a single indexed read of the event
row. Every worker keeps its own small LRU; nothing is shared, so nothing needs invalidating across pods.

The page carries the session's CSRF token (the language switch form): it is replaced by a marker when
stored and by the visitor's own token when served.
"""

from collections import OrderedDict
from threading import Lock

CSRF_MARKER = "\x00csrf\x00"
MAX_ENTRIES = 512

_entries: OrderedDict = OrderedDict()
_lock = Lock()


def get(key, version) -> str | None:
    with _lock:
        entry = _entries.get(key)
        if entry is None or entry[0] != version:
            return None
        _entries.move_to_end(key)
        return entry[1]


def put(key, version, html: str) -> None:
    with _lock:
        _entries[key] = (version, html)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def clear() -> None:
    with _lock:
        _entries.clear()
