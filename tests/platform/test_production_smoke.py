"""Production mode, as deployed: gunicorn with two workers against PostgreSQL (the app as a non-owner
role, migrations as the owner) and Redis (rate limits shared between workers)."""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.fixtures.app import _create_pg_database, _drop_pg_database

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="module")
def production_env(tmp_path_factory):
    if os.environ.get("TEST_DATABASE") != "postgresql":
        pytest.skip("production smoke test runs in the PostgreSQL pass")
    if not redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("CI: Redis at 127.0.0.1:6379 is required for the production smoke test")
        pytest.skip("Redis not reachable")
    name, owner_url, app_url = _create_pg_database()
    env = {
        **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
        "CLUSTERHUB_ENV": "production",
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "DATABASE_URL": app_url,
        "MIGRATIONS_DATABASE_URL": owner_url,
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"smoke-{uuid.uuid4().hex[:8]}",
        "BASE_URL": "https://clusterhub.example.com",
        "CLUSTERHUB_INSTANCE": str(tmp_path_factory.mktemp("instance")),
        "STORAGE_LOCAL_PATH": str(tmp_path_factory.mktemp("uploads")),
    }
    yield env
    _drop_pg_database(name)


def flask(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "clusterhub", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def server(production_env):
    migrated = flask(production_env, "db", "upgrade")
    assert migrated.returncode == 0, migrated.stderr
    synced = flask(production_env, "tenants", "sync")
    assert synced.returncode == 0, synced.stderr
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "clusterhub:create_app()",
        ],
        env=production_env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.terminate()
        pytest.fail("gunicorn did not start: " + (process.stdout.read() if process.stdout else ""))
    yield port
    process.terminate()
    process.wait(timeout=30)


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # a new connection: any worker
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read().decode()


def test_the_app_role_owns_nothing_and_migrations_ran_as_owner(production_env, server):
    engine = sa.create_engine(production_env["DATABASE_URL"])
    with engine.connect() as conn:
        assert (
            conn.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_tables WHERE schemaname='public' AND tableowner = current_user"
                )
            )
            == 0
        )
        assert conn.scalar(sa.text("SELECT count(*) FROM regions")) == 89
    engine.dispose()


def test_it_serves_readyz_and_pages(server):
    status, _headers, body = request(server, "GET", "/readyz")
    assert status == 200 and '"ok"' in body
    status, headers, _body = request(server, "GET", "/komi/")
    assert status == 200 and headers.get("X-Tenant") == "komi" and headers.get("X-Request-ID")


def test_cookies_are_secure_in_production(server):
    _status, headers, _body = request(server, "GET", "/login")
    assert "Secure" in headers.get("Set-Cookie", "") and "HttpOnly" in headers.get("Set-Cookie", "")


def test_rate_limits_are_shared_between_workers(server):
    _status, headers, page = request(server, "GET", "/login")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = f"csrf_token={token}&email=nobody%40example.com&password=wrong-password"
    form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    statuses = [request(server, "POST", "/login", body, form)[0] for _ in range(6)]
    # Each request opens a new connection, so the two workers share the work; only a shared (Redis)
    # counter refuses the sixth attempt.
    assert statuses[:5] == [200] * 5 and statuses[5] == 429


def test_it_refuses_to_start_with_an_insecure_configuration(production_env):
    for broken in ({"SECRET_KEY": "dev"}, {"REDIS_URL": ""}, {"BASE_URL": "http://clusterhub.example.com"}):
        result = subprocess.run(
            [sys.executable, "-c", "from clusterhub import create_app; create_app()"],
            env={**production_env, **broken},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode != 0 and "Refusing to start in production mode" in result.stderr
