"""The Redis store the page cache and the row versions share between workers and pods, failing soft.

A foundation module (it imports nothing of clusterhub): the page cache (``core.page_cache``), the tenant
lookup at the edge of the request (``tenancy.request``) and the row versions (``tenancy.row_cache``) all
use it. Redis is only a cache here: an unreachable server is a miss, logged once a minute.
"""

import logging
import time

from flask import current_app, has_app_context

RETRY_AFTER_FAILURE_SECONDS = 5

log = logging.getLogger(__name__)


class _SharedStore:
    """Redis for the page cache, failing soft: an unreachable server is a miss, logged once a minute."""

    def __init__(self, url: str):
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2)
        self._errors = (redis.RedisError, OSError)
        self._quiet_until = 0.0
        self._skip_until = 0.0

    def get(self, key: str) -> bytes | None:
        if self.resting():
            return None
        try:
            value: bytes | None = self._client.get(key)  # type: ignore[assignment]
            return value
        except self._errors as exc:
            self._complain(exc)
            return None

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        """Several values in one round trip (None for each while Redis does not answer)."""
        if self.resting():
            return [None] * len(keys)
        try:
            values: list[bytes | None] = self._client.mget(keys)  # type: ignore[assignment]
            return values
        except self._errors as exc:
            self._complain(exc)
            return [None] * len(keys)

    def set(self, key: str, value: bytes, ttl: int) -> None:
        if self.resting():
            return
        try:
            self._client.set(key, value, ex=ttl)
        except self._errors as exc:
            self._complain(exc)

    def incr(self, key: str) -> bool:
        """Add one to a counter; False when Redis did not take it."""
        if self.resting():
            return False
        try:
            self._client.incr(key)
        except self._errors as exc:
            self._complain(exc)
            return False
        return True

    def resting(self) -> bool:
        # After a failure Redis is left alone for a few seconds: every request would otherwise wait for the
        # connection timeout while it is down.
        return bool(self._skip_until) and time.monotonic() < self._skip_until

    def _complain(self, exc: BaseException) -> None:
        self._skip_until = time.monotonic() + RETRY_AFTER_FAILURE_SECONDS
        if time.monotonic() >= self._quiet_until:
            log.warning("page cache: Redis unavailable (%s); rendering pages instead", exc)
            self._quiet_until = time.monotonic() + 60


def shared_store() -> _SharedStore | None:
    """The Redis store shared by every worker and pod, or None when none is configured."""
    if not has_app_context():
        return None
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    stores = current_app.extensions.setdefault("page_cache.redis", {})
    if url not in stores:
        stores[url] = _SharedStore(url)
    return stores[url]
