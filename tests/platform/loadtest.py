"""``make loadtest``: 50 concurrent users for 60 s against gunicorn and PostgreSQL, with faults injected.

What it does, all on this machine (loopback only, bounded in time):
- builds a fresh PostgreSQL database with the demo data, starts gunicorn with the repository's own
  ``gunicorn.conf.py`` (the app as the non-owner role), the outbox worker, and a local SMTP server;
- runs ``LOAD_USERS`` simulated users for ``LOAD_SECONDS``, mixing public pages, staff pages (logged in),
  guest registrations (form with its CSRF token) and API reads (bearer token);
- at 25 % of the run kills a gunicorn worker; at 45 % cuts the database for 5 s (the app role may not log
  in and its backends are terminated, as a failover would); at 65 % stops the SMTP server for 10 s;
- watches ``/readyz`` throughout.

It fails (exit 1) when a request outside the fault windows fails, when a request hangs past 10 s, when
``/readyz`` does not report the outage or does not recover, when a registration the app confirmed is
missing or half-written (no confirmation mail queued), or when a queued mail is lost instead of sent
after the SMTP server returns. Figures go to ``docs/performance.md``.
"""

import contextlib
import http.client
import os
import random
import re
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
USERS = int(os.environ.get("LOAD_USERS", "50"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
PG_ADMIN = os.environ.get("LOAD_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432")
DATABASE = "clusterhub_load"
APP_ROLE = "clusterhub_app"
DEMO_PASSWORD = "clusterhub-demo"
STAFF = "komi-staff@clusterhub.example.com"
GRACE = 3.0  # seconds after a fault during which failures are expected (connections re-established)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- a local SMTP server that counts what it receives -----------------------------------------------------


class Mailbox:
    def __init__(self):
        self.received: list[str] = []
        self.lock = threading.Lock()


class SmtpHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 loadtest ESMTP\r\n")
        data, in_data = [], False
        for raw in self.rfile:
            line = raw.decode("utf-8", "replace")
            if in_data:
                if line.rstrip("\r\n") == ".":
                    in_data = False
                    with self.server.mailbox.lock:
                        self.server.mailbox.received.append("".join(data))
                    data = []
                    self.wfile.write(b"250 queued\r\n")
                else:
                    data.append(line)
                continue
            verb = line[:4].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-loadtest\r\n250 8BITMIME\r\n")
            elif verb == "DATA":
                in_data = True
                self.wfile.write(b"354 go ahead\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


class SmtpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


@contextlib.contextmanager
def smtp_server(port: int, mailbox: Mailbox):
    server = SmtpServer(("127.0.0.1", port), SmtpHandler)
    server.mailbox = mailbox
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# --- setup ------------------------------------------------------------------------------------------------


def prepare(env: dict) -> dict:
    """Fresh database, migrations, centers, demo data, an API token; returns what the users need."""
    admin = sa.create_engine(f"{PG_ADMIN}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {DATABASE}")
        if not conn.exec_driver_sql(f"SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}'").first():
            conn.exec_driver_sql(f"CREATE ROLE {APP_ROLE} LOGIN")
        conn.exec_driver_sql(f"ALTER ROLE {APP_ROLE} LOGIN")
    admin.dispose()
    os.environ.update(env)
    from clusterhub import create_app
    from clusterhub.extensions import db

    app = create_app()
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        from clusterhub.centers.services import sync_tenants

        sync_tenants(Path(app.config["TENANTS_DIR"]))
        from clusterhub_dev.demo import load_demo

        load_demo()
        from clusterhub.accounts.services import api_tokens
        from clusterhub.accounts.services import users as users_services
        from clusterhub.events.models import Event

        _, api_token = api_tokens.create_api_token(users_services.find_user_by_email(STAFF), "loadtest")
        db.session.commit()
        from clusterhub.tenancy.scoping import federal_read_scope

        with federal_read_scope(db.session):
            events = db.session.execute(
                sa.select(Event.id).where(Event.status == "published").execution_options(cross_tenant=True)
            ).scalars()
            event_ids = list(events)
    return {"api_token": api_token, "event_ids": event_ids}


# --- the simulated users ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str
    started: float
    seconds: float
    status: int  # 0: connection failed or timed out
    detail: str = ""


@dataclass
class Run:
    port: int
    data: dict
    started: float = field(default_factory=time.monotonic)
    outcomes: list = field(default_factory=list)
    registered: list = field(default_factory=list)  # e-mails the app confirmed
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, outcome: Outcome):
        with self.lock:
            self.outcomes.append(outcome)


def request(port, method, path, body=None, headers=None, timeout=10.0):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def cookie_of(headers) -> str | None:
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0]
    return None


CSRF = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')


def login(port, email) -> str:
    status, headers, page = request(port, "GET", "/login")
    cookie, token = cookie_of(headers), CSRF.search(page).group(1).decode()
    body = urlencode({"csrf_token": token, "email": email, "password": DEMO_PASSWORD})
    form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    status, headers, _ = request(port, "POST", "/login", body, form)
    if status != 302:
        raise RuntimeError(f"login as {email}: {status}")
    return cookie_of(headers) or cookie


def user_loop(run: Run, number: int, deadline: float):
    rng = random.Random(number)
    staff_cookie = None
    event_ids = run.data["event_ids"] or [1]
    api = {"Authorization": f"Bearer {run.data['api_token']}", "Accept": "application/json"}
    public = ["/", "/komi/", "/services/?q=испытания", "/calendar", "/enterprises/"]
    api_paths = ["/api/v1/tenants", "/api/v1/tenants/komi/technoparks", "/api/v1/me"]
    sequence = 0
    while time.monotonic() < deadline:
        roll, started = rng.random(), time.monotonic()
        kind, status, detail = "public", 0, ""
        try:
            if roll < 0.45:
                path = rng.choice(public + [f"/komi/events/{rng.choice(event_ids)}"])
                status, _, _ = request(run.port, "GET", quote(path, safe="/?&="))
            elif roll < 0.65:
                kind = "staff"
                staff_cookie = staff_cookie or login(run.port, STAFF)
                path = rng.choice(
                    ["/komi/staff/", f"/komi/staff/events/{rng.choice(event_ids)}/participants"]
                )
                status, _, _ = request(run.port, "GET", path, headers={"Cookie": staff_cookie})
            elif roll < 0.80:
                kind = "register"
                sequence += 1
                status, detail = register(
                    run, rng.choice(event_ids), f"load-{number}-{sequence}@loadtest.example.com"
                )
            else:
                kind = "api"
                status, _, _ = request(run.port, "GET", rng.choice(api_paths), headers=api)
        except (OSError, http.client.HTTPException, RuntimeError, AttributeError) as exc:
            detail = type(exc).__name__
            staff_cookie = None if kind == "staff" else staff_cookie
        run.record(Outcome(kind, started - run.started, time.monotonic() - started, status, detail))


def register(run: Run, event_id: int, email: str) -> tuple[int, str]:
    path = f"/komi/events/{event_id}/register"
    status, headers, page = request(run.port, "GET", path)
    if status != 200:
        return status, "form"
    cookie, token = cookie_of(headers), CSRF.search(page).group(1).decode()
    region = (
        re.search(rb'<option value="([1-9]\d*)"', page.split(b'name="region_id"', 1)[1]).group(1).decode()
    )
    body = urlencode(
        {
            "csrf_token": token,
            "full_name": "Нагрузочный Тест",
            "email": email,
            "category": "enterprise",
            "region_id": region,
            "organisation": "ООО «Нагрузка»",
            "consent": "y",
        }
    )
    form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie or ""}
    status, _, _ = request(run.port, "POST", path, body, form)
    if status == 302:
        with run.lock:
            run.registered.append(email)
        return 200, ""
    return status, "refused" if status in (400, 409, 422, 429) else ""


# --- faults and readiness ---------------------------------------------------------------------------------


def watch_readiness(port: int, deadline: float, seen: list, started: float):
    while time.monotonic() < deadline:
        try:
            status, _, _ = request(port, "GET", "/readyz", timeout=5)
        except (OSError, http.client.HTTPException):
            status = 0
        seen.append((time.monotonic() - started, status))
        time.sleep(0.5)


def cut_database(owner_url: str, seconds: float):
    owner = sa.create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.exec_driver_sql(f"ALTER ROLE {APP_ROLE} NOLOGIN")
        conn.exec_driver_sql(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE usename = '{APP_ROLE}' AND datname = '{DATABASE}'"
        )
        time.sleep(seconds)
        conn.exec_driver_sql(f"ALTER ROLE {APP_ROLE} LOGIN")
    owner.dispose()


def gunicorn_workers(master_pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master_pid)], capture_output=True, text=True)
    return [int(pid) for pid in out.stdout.split()]


# --- the run ----------------------------------------------------------------------------------------------


def percentile(values, p):
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="clusterhub-load-"))
    owner_url = f"{PG_ADMIN}/{DATABASE}"
    app_url = owner_url.replace("postgres@", f"{APP_ROLE}@", 1)
    smtp_port, port = free_port(), free_port()
    env = {
        "DATABASE_URL": app_url,
        "MIGRATIONS_DATABASE_URL": owner_url,
        "CLUSTERHUB_INSTANCE": str(workdir),
        "LOG_LEVEL": "WARNING",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "MAIL_DEFAULT_SENDER": "noreply@clusterhub.example.com",
        "MAIL_TIMEOUT": "3",
        # 50 simulated users share one token here; the per-token limit is not what this run measures.
        "API_TOKEN_RATE_LIMIT": "1000000 per minute",
    }
    print(f"Preparing {DATABASE} with the demo data...", flush=True)
    data = prepare(env)
    server_env = {**os.environ, **env, "GUNICORN_CMD_ARGS": ""}
    mailbox = Mailbox()
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        env=server_env,
        cwd=str(ROOT),
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "gunicorn.log", "w"),  # noqa: SIM115 - closed with the process
    )
    mail_worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "clusterhub", "outbox", "send", "--loop"],
        env=server_env,
        cwd=str(ROOT),
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "worker.log", "w"),  # noqa: SIM115
    )
    failures = []
    try:
        for _ in range(150):
            with contextlib.suppress(OSError, http.client.HTTPException):
                if request(port, "GET", "/healthz", timeout=1)[0] == 200:
                    break
            time.sleep(0.2)
        run = Run(port, data)
        deadline = run.started + SECONDS
        smtp = smtp_server(smtp_port, mailbox)
        smtp.__enter__()
        readiness: list = []
        threads = [threading.Thread(target=user_loop, args=(run, n, deadline)) for n in range(USERS)]
        threads.append(
            threading.Thread(target=watch_readiness, args=(port, deadline + 5, readiness, run.started))
        )
        for thread in threads:
            thread.start()
        windows = []

        def at(fraction):
            time.sleep(max(0.0, run.started + SECONDS * fraction - time.monotonic()))
            return time.monotonic() - run.started

        t = at(0.25)
        victim = gunicorn_workers(gunicorn.pid)[0]
        os.kill(victim, signal.SIGKILL)
        windows.append(("worker killed", t, t + GRACE))
        print(f"{t:5.1f} s  killed gunicorn worker {victim}", flush=True)
        t = at(0.45)
        print(f"{t:5.1f} s  database cut for 5 s", flush=True)
        cut_database(owner_url, 5)
        windows.append(("database cut", t, time.monotonic() - run.started + GRACE))
        t = at(0.65)
        smtp.__exit__(None, None, None)
        print(f"{t:5.1f} s  SMTP server down for 10 s", flush=True)
        time.sleep(10)
        smtp = smtp_server(smtp_port, mailbox)
        smtp.__enter__()
        print(f"{time.monotonic() - run.started:5.1f} s  SMTP server back", flush=True)
        for thread in threads:
            thread.join()

        def in_window(outcome):
            # a request fails "inside" a fault when it was in flight at any moment of the window
            finished = outcome.started + outcome.seconds
            return any(outcome.started <= end and finished >= start for _, start, end in windows)

        ok = lambda o: 200 <= o.status < 400 or o.detail == "refused"  # noqa: E731
        outside = [o for o in run.outcomes if not ok(o) and not in_window(o)]
        inside = [o for o in run.outcomes if not ok(o) and in_window(o)]
        hung = [o for o in run.outcomes if o.seconds >= 10]
        print(f"\n{USERS} users, {SECONDS:.0f} s, {len(run.outcomes)} requests, {os.cpu_count()} CPUs")
        print(f"{'kind':10} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'failed':>7}")
        for kind in ("public", "staff", "register", "api"):
            rows = [o for o in run.outcomes if o.kind == kind]
            good = [o.seconds for o in rows if ok(o)]
            print(
                f"{kind:10} {len(rows):8d} {percentile(good, 0.5):8.1f} {percentile(good, 0.95):8.1f} "
                f"{percentile(good, 0.99):8.1f} {len([o for o in rows if not ok(o)]):7d}"
            )
        print(f"failed inside the fault windows (expected): {len(inside)}; outside: {len(outside)}")
        if outside:
            failures.append(f"{len(outside)} requests failed outside the fault windows, e.g. {outside[:3]}")
        if hung:
            failures.append(f"{len(hung)} requests took 10 s or more")
        cut = next(w for w in windows if w[0] == "database cut")
        during = [status for at_, status in readiness if cut[1] + 0.5 <= at_ <= cut[2] - GRACE]
        after = [status for at_, status in readiness if at_ >= cut[2] + 2]
        print(f"/readyz during the cut: {sorted(set(during))}; after: {sorted(set(after))}")
        if 503 not in during:
            failures.append("/readyz did not report the database outage")
        if not after or after[-1] != 200:
            failures.append("/readyz did not recover after the outage")

        if not run.registered:
            failures.append("no registration went through: the scenario itself is broken")
        failures += check_data(owner_url, run.registered, mailbox)
    finally:
        for process in (mail_worker, gunicorn):
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
    if failures:
        print("\nFAILED:\n- " + "\n- ".join(failures))
        print(f"(logs in {workdir})")
        return 1
    print("\nall checks passed")
    return 0


def check_data(owner_url: str, registered: list, mailbox: Mailbox) -> list:
    """Every registration the app confirmed exists with its confirmation mail; every mail is sent."""
    problems = []
    owner = sa.create_engine(owner_url)
    with owner.connect() as conn:
        conn.exec_driver_sql("SELECT set_config('app.federal_read', 'on', false)")
        stored = set(conn.scalars(sa.text("SELECT email FROM event_registrations WHERE email LIKE 'load-%'")))
        missing = [email for email in registered if email not in stored]
        if missing:
            problems.append(f"{len(missing)} confirmed registrations are missing, e.g. {missing[:3]}")
        queued = {
            row.recipient: row.status
            for row in conn.execute(
                sa.text("SELECT recipient, status FROM outbox_messages WHERE recipient LIKE 'load-%'")
            )
        }
        without_mail = [email for email in stored if email not in queued]
        if without_mail:
            problems.append(f"{len(without_mail)} registrations have no confirmation mail (half-written)")
        deadline = time.monotonic() + 150  # a send that failed waits a minute before its retry
        while time.monotonic() < deadline:
            pending = conn.scalar(
                sa.text(
                    "SELECT count(*) FROM outbox_messages WHERE status <> 'sent' AND recipient LIKE 'load-%'"
                )
            )
            conn.commit()
            if pending == 0:
                break
            time.sleep(1)
        sent = conn.scalar(sa.text("SELECT count(*) FROM outbox_messages WHERE recipient LIKE 'load-%'"))
        print(
            f"registrations confirmed: {len(registered)}, stored: {len(stored)}; mails queued: {sent}, "
            f"still pending after the wait: {pending}; received by SMTP: {len(mailbox.received)}"
        )
        if pending:
            problems.append(f"{pending} mails were not sent after the SMTP server came back")
    owner.dispose()
    return problems


if __name__ == "__main__":
    sys.exit(main())
