"""The in-process cache of the public event page for anonymous visitors.

Each entry is keyed by (tenant, event, language) and stamped with the event's ``updated_at``; services
touch that column whenever anything the page shows changes (details, agenda, venues, organisers, the
counts of participants), so a hit is never stale: serving one costs a single indexed read of the event
row.

The page carries the session's CSRF token (the language switch form): it is replaced by a marker when
stored and by the visitor's own token when served.
"""

from ...core.page_cache import CSRF_MARKER, PageCache

__all__ = ["CSRF_MARKER", "get", "serve", "put", "clear"]

_pages = PageCache("event-page", max_entries=512)
get, serve, put, clear = _pages.get, _pages.serve, _pages.put, _pages.clear
