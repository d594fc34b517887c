"""``make bench``: serve the app with gunicorn and measure page throughput against ``/healthz``.

It builds a fresh database (SQLite in a temporary folder, or the PostgreSQL server named by
``BENCH_DATABASE_URL`` as owner plus ``BENCH_APP_DATABASE_URL`` for the app role), loads the data each
scenario needs through the services, starts gunicorn, and drives it from this process with keep-alive
connections for a fixed time per URL. Later modules add scenarios to ``SCENARIOS``.

Results are printed as a table; ``docs/performance.md`` records them with the machine and command.
"""

import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

DURATION = float(os.environ.get("BENCH_SECONDS", "5"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
WORKERS = os.environ.get("BENCH_WORKERS", "")  # empty: what gunicorn.conf.py decides
ROOT = Path(__file__).resolve().parents[3]  # the checkout: gunicorn.conf.py sits at its top


@dataclass
class Result:
    path: str
    requests: int
    errors: int
    seconds: float
    latencies: list

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies) or [0.0]
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def login_cookie(port: int, email: str, password: str) -> str:
    """Log in through the form (with its CSRF token) and return the session cookie for the requests."""
    import re

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    from urllib.parse import urlencode

    body = urlencode({"csrf_token": token, "email": email, "password": password})
    conn.request(
        "POST",
        "/login",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"bench login as {email} failed: {response.status}")
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    # Follow the redirect as a browser does: the page shows the greeting and the session cookie comes back
    # without it. Keeping the login answer's cookie would replay a pending message on every request.
    conn.request("GET", response.getheader("Location") or "/", headers={"Cookie": cookie})
    followed = conn.getresponse()
    followed.read()
    renewed = followed.getheader("Set-Cookie")
    return renewed.split(";", 1)[0] if renewed else cookie


def measure(
    port: int,
    path: str,
    duration: float = DURATION,
    concurrency: int = CONCURRENCY,
    cookie: str | None = None,
) -> Result:
    deadline = time.perf_counter() + duration
    from urllib.parse import quote

    path = quote(path, safe="/?&=%:+,")  # Cyrillic in a query string travels percent-encoded
    counts, errors, latencies = [0] * concurrency, [0] * concurrency, [[] for _ in range(concurrency)]

    def worker(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while counts[i] + errors[i] == 0 or time.perf_counter() < deadline:  # at least one request
            start = time.perf_counter()
            try:
                headers = {"Accept-Language": "ru", **({"Cookie": cookie} if cookie else {})}
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[i] += 1
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            latencies[i].append(time.perf_counter() - start)
            counts[i] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(
        path,
        sum(counts),
        sum(errors),
        time.perf_counter() - started,
        [x for chunk in latencies for x in chunk],
    )


def prepare(env: dict) -> list[tuple]:
    """Migrate, sync tenants and build the data of every scenario; returns (label, path) pairs."""
    from clusterhub import create_app

    from .scenarios import SCENARIOS

    os.environ.update(env)
    app = create_app()
    pages = []
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        from clusterhub.centers.services import sync_tenants

        sync_tenants(Path(app.config["TENANTS_DIR"]))
        selected = os.environ.get("BENCH_ONLY")
        for scenario in SCENARIOS:
            if selected and scenario.__name__ not in selected.split(","):
                continue
            started = time.perf_counter()
            pages.extend(scenario(app))
            print(f"  {scenario.__name__}: data ready in {time.perf_counter() - started:.1f} s", flush=True)
        from .scenarios import analyze

        analyze()  # bulk-loaded rows have no planner statistics until autovacuum's first pass
    return pages


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="clusterhub-bench-"))
    owner_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    app_url = os.environ.get("BENCH_APP_DATABASE_URL") or owner_url
    env = {
        "DATABASE_URL": app_url,
        "MIGRATIONS_DATABASE_URL": owner_url,
        "CLUSTERHUB_INSTANCE": str(workdir),
        "LOG_LEVEL": "WARNING",
        # As in production, where the worker keeps the federal figures fresh (the bench refreshes
        # them once while preparing the data).
        "REPORTING_CACHE_SECONDS": "1800",
    }
    if os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]  # production shares its caches through Redis
    print(
        f"Preparing data in {workdir} ({'PostgreSQL' if owner_url.startswith('postgresql') else 'SQLite'})...",
        flush=True,
    )
    pages = prepare(env)
    server_env = {**os.environ, **env, "GUNICORN_CMD_ARGS": ""}
    if WORKERS:
        server_env["GUNICORN_WORKERS"] = WORKERS
    floor = None
    with serve("clusterhub_dev.bench.floor:app", server_env) as port:
        measure(port, "/healthz", duration=1)  # warm-up
        floor = measure(port, "/healthz")
    rows = []
    with serve(None, server_env) as port:
        measure(port, "/healthz", duration=1)  # warm-up
        baseline = measure(port, "/healthz")
        rows.append(("/healthz", baseline, None))
        from .scenarios import BENCH_PASSWORD

        for label, path, *login in pages:
            cookie = login_cookie(port, login[0], BENCH_PASSWORD) if login else None
            first = measure(port, path, duration=0, concurrency=1, cookie=cookie)  # one request, cold
            measure(port, path, duration=1, cookie=cookie)
            rows.append((label, measure(port, path, cookie=cookie), first))
    shutil.rmtree(workdir, ignore_errors=True)
    report(floor, baseline, rows)


@contextlib.contextmanager
def serve(app_spec: str | None, server_env: dict):
    """gunicorn with the repository's own ``gunicorn.conf.py`` (what production runs), on a free local port;
    ``app_spec`` replaces the configured app (the bare Flask floor)."""
    port = _free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--access-logfile", "/dev/null"]
    if app_spec:
        command.append(app_spec)
    server = subprocess.Popen(command, env=server_env, cwd=str(ROOT), stdout=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def report(floor: Result, baseline: Result, rows: list) -> None:
    workers = WORKERS or "from gunicorn.conf.py"
    print(
        f"\ngunicorn.conf.py, workers={workers}, client threads={CONCURRENCY}, {DURATION:.0f} s per URL, "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"{'page':56} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'first ms':>9} {'errors':>6} "
        f"{'vs floor':>8} {'vs /healthz':>11}"
    )
    print(
        f"{'bare Flask (the floor)':56} {floor.rps:8.1f} {floor.percentile(0.5):7.1f} "
        f"{floor.percentile(0.99):7.1f} {'':>9} {floor.errors:6d} {100:7.0f}% {'':>11}"
    )
    for label, result, first in rows:
        cold = f"{first.percentile(0.5):9.1f}" if first else f"{'':>9}"
        print(
            f"{label:56} {result.rps:8.1f} {result.percentile(0.5):7.1f} {result.percentile(0.99):7.1f} {cold} "
            f"{result.errors:6d} {result.rps / floor.rps * 100:7.0f}% {result.rps / baseline.rps * 100:10.0f}%"
        )


if __name__ == "__main__":
    main()
