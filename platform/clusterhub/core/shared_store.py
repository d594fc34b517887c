"""The Redis store the page cache and the row versions share between workers and pods, failing soft.

A foundation module (it imports nothing of clusterhub): the page cache (``core.page_cache``), the tenant
lookup at the edge of the request (``tenancy.request``) and the row versions (``tenancy.row_cache``) all
use it. Redis is only a cache here: an unreachable server is a miss, logged once a minute.
"""

import functools
import logging
import os
import threading
import time
from typing import Any

from flask import current_app, has_app_context

RETRY_AFTER_FAILURE_SECONDS = 5

log = logging.getLogger(__name__)


class _SharedStore:
    """Redis for the page cache, failing soft: an unreachable server is a miss, logged once a minute."""

    def __init__(self, url: str):
        import redis

        pool = redis.ConnectionPool.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2)
        self._new_connection = functools.partial(pool.connection_class, **pool.connection_kwargs)
        self._errors = (redis.RedisError, OSError)
        self._closed = redis.ConnectionError
        self._local = threading.local()
        self._quiet_until = 0.0
        self._skip_until = 0.0

    def get(self, key: str) -> bytes | None:
        if self.resting():
            return None
        try:
            value: bytes | None = self._command("GET", key)
            return value
        except self._errors as exc:
            self._complain(exc)
            return None

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        """Several values in one round trip (None for each while Redis does not answer)."""
        if self.resting():
            return [None] * len(keys)
        try:
            values: list[bytes | None] = self._command("MGET", *keys)
            return values
        except self._errors as exc:
            self._complain(exc)
            return [None] * len(keys)

    def set(self, key: str, value: bytes, ttl: int) -> None:
        if self.resting():
            return
        try:
            self._command("SET", key, value, "EX", ttl)
        except self._errors as exc:
            self._complain(exc)

    def incr(self, key: str) -> bool:
        """Add one to a counter; False when Redis did not take it."""
        if self.resting():
            return False
        try:
            self._command("INCR", key)
        except self._errors as exc:
            self._complain(exc)
            return False
        return True

    def _command(self, *args: Any) -> Any:
        """One command on this thread's own connection, kept from request to request.

        A tenant page asks Redis once, and redis-py's pool (checking a connection out and in, with its
        health check and metrics) cost twice the round trip itself. A connection found closed (Redis
        restarted, or dropped it when idle) is opened again once; any other failure drops it, so a reply
        left unread is never taken for the next command's."""
        for attempt in (1, 2):
            connection = self._connection()
            try:
                connection.send_command(*args)
                return connection.read_response()
            except self._closed:
                self._drop(connection)
                if attempt == 2:
                    raise
            except BaseException:
                self._drop(connection)
                raise

    def _connection(self) -> Any:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # none yet in this thread, or opened before a fork
            local.connection, local.pid = self._new_connection(), os.getpid()
        return local.connection

    def _drop(self, connection: Any) -> None:
        connection.disconnect()  # the next command connects again

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
