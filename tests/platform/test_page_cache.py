"""The page cache shared through Redis: what one worker rendered, another serves, never a stale version."""

import os
import socket
import uuid

import pytest

from clusterhub.core.page_cache import PageCache

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def shared(app, monkeypatch):
    if not _redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("CI: Redis at 127.0.0.1:6379 is required")
        pytest.skip("Redis is not reachable here; CI runs this")
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    return f"test-{uuid.uuid4().hex}"


def test_a_page_rendered_by_one_worker_is_served_by_another(shared):
    first_worker, second_worker = PageCache(shared), PageCache(shared)

    first_worker.put(("komi", 7, "ru"), "2026-12-04 10:00", "<h1>Сессия</h1>")

    assert second_worker.get(("komi", 7, "ru"), "2026-12-04 10:00") == "<h1>Сессия</h1>"
    assert second_worker.get(("komi", 7, "en"), "2026-12-04 10:00") is None


def test_an_entry_of_another_version_is_never_served(shared):
    first_worker, second_worker = PageCache(shared), PageCache(shared)
    first_worker.put("key", "v1", b"%PDF bytes stay bytes")

    assert second_worker.get("key", "v2") is None
    assert second_worker.get("key", "v1") == b"%PDF bytes stay bytes"


def test_without_redis_answering_a_page_is_rendered_not_refused(app, monkeypatch):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{port}/0")
    cache = PageCache(f"down-{uuid.uuid4().hex}")

    cache.put("key", "v1", "<p>kept locally</p>")

    assert cache.get("key", "v1") == "<p>kept locally</p>"  # this worker's own copy
    assert PageCache(cache.name).get("key", "v1") is None  # another worker renders the page itself
