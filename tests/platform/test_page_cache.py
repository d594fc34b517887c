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


def test_a_served_page_carries_this_requests_nonce_and_the_visitors_own_token(app, shared):
    from contextlib import contextmanager

    from flask import g

    from clusterhub.core.page_cache import freeze

    def request():  # a request of its own, as another visitor's would be
        with app.app_context(), app.test_request_context("/komi/"):
            yield

    first_worker, second_worker = PageCache(shared), PageCache(shared)
    with contextmanager(request)():
        g.csrf_token = "token-of-the-first-visitor"  # where Flask-WTF keeps the token it put on a page
        page = '<script nonce="n-1">x()</script><input value="token-of-the-first-visitor"> Сессия'
        first_worker.put("key", "v1", freeze(page, "n-1"))

    for worker in (first_worker, second_worker, second_worker):  # its own copy, then Redis's, then kept
        with contextmanager(request)():
            served = worker.serve("key", "v1", "n-2").decode()
            assert served.startswith('<script nonce="n-2">x()</script>') and served.endswith("Сессия")
            assert "n-1" not in served and "token-of-the-first-visitor" not in served
            assert 'value="' in served and "\x00" not in served  # a token of this visitor's own session
    with contextmanager(request)():
        assert second_worker.serve("key", "v2", "n-3") is None  # another version is never served


def test_a_redis_connection_closed_in_between_is_opened_again_at_once(app, shared):
    """Redis drops idle clients (its ``timeout``) and restarts: the connection this worker keeps is then
    closed, and the next request opens another instead of rendering pages for the next few seconds."""
    import redis

    from clusterhub.core.shared_store import shared_store

    store = shared_store()
    store.set(f"{shared}:page", b"kept", 60)
    kept_connection = store._command("CLIENT", "ID")
    redis.Redis.from_url(REDIS_URL).client_kill_filter(_id=kept_connection)

    assert store.get(f"{shared}:page") == b"kept"
    assert not store.resting()
    assert store._command("CLIENT", "ID") != kept_connection
