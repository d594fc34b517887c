"""The production gunicorn settings, loaded the way gunicorn loads them (no server started)."""

import io
import json
import logging
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

pytestmark = pytest.mark.backend_independent  # no database: run once, in the SQLite pass

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


@pytest.fixture
def load_conf(monkeypatch, tmp_path):
    def load(**env):
        for name in ("GUNICORN_WORKERS", "LOG_LEVEL", "PORT", "LOG_FORMAT", "CLUSTERHUB_ENV"):
            monkeypatch.delenv(name, raising=False)
        # The file exports this for the app it preloads; set here, it is removed again after the test.
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        namespace = runpy.run_path(str(CONF))
        cfg = Config()
        for name, value in namespace.items():
            if name in cfg.settings:
                cfg.set(name, value)
        return cfg, namespace

    return load


def test_serves_the_app_factory_on_port_8000(load_conf):
    cfg, _ = load_conf()

    assert cfg.wsgi_app == "clusterhub:create_app()"
    assert cfg.bind == ["0.0.0.0:8000"]


def test_workers_come_from_environment(load_conf):
    cfg, _ = load_conf(GUNICORN_WORKERS="3")

    assert cfg.workers == 3


def test_workers_default_to_cpu_count(load_conf):
    cfg, namespace = load_conf()

    assert cfg.workers == 2 * namespace["cpu_count"]() + 1


@pytest.mark.parametrize(("cpu_max", "expected"), [("200000 100000\n", 2), ("50000 100000\n", 1)])
def test_cpu_count_follows_container_quota(load_conf, tmp_path, cpu_max, expected):
    _, namespace = load_conf()
    (tmp_path / "cpu.max").write_text(cpu_max)

    assert namespace["cpu_count"](str(tmp_path / "cpu.max")) == expected


def test_cpu_count_without_quota_uses_available_cpus(load_conf, tmp_path):
    _, namespace = load_conf()
    (tmp_path / "cpu.max").write_text("max 100000\n")

    assert namespace["cpu_count"](str(tmp_path / "cpu.max")) >= 1


def test_shutdown_is_graceful_within_the_pod_grace_period(load_conf):
    cfg, _ = load_conf()

    # The chart's terminationGracePeriodSeconds (40) minus its preStop pause (5).
    assert 0 < cfg.graceful_timeout < 35


def test_forwarded_headers_are_left_to_the_app_proxy_fix(load_conf):
    cfg, _ = load_conf()

    assert cfg.forwarded_allow_ips == []


def test_access_log_is_json_with_request_id_and_tenant(load_conf, monkeypatch):
    cfg, _ = load_conf(LOG_LEVEL="warning")
    stdout = io.StringIO()
    monkeypatch.setattr("sys.stdout", stdout)
    logger = cfg.logger_class(cfg)
    response = SimpleNamespace(
        status="201 CREATED", headers=[("X-Request-ID", "req-42"), ("X-Tenant", "komi")], sent=17
    )
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": "/komi/events?x=1",
        "PATH_INFO": "/komi/events",
        "QUERY_STRING": "x=1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.5",
        "HTTP_USER_AGENT": 'Mozilla "quoted" агент',
    }

    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12))

    record = json.loads(stdout.getvalue())
    assert record["request_id"] == "req-42"
    assert record["tenant"] == "komi"
    assert record["status"] == 201
    assert record["path"] == "/komi/events"
    assert record["user_agent"] == 'Mozilla "quoted" агент'
    assert record["duration_ms"] == 12
    assert logger.error_log.level == logging.WARNING

    # a platform page (the health check) names no center
    stdout.seek(0)
    stdout.truncate()
    response.headers = [("X-Request-ID", "req-43")]
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=1))
    assert json.loads(stdout.getvalue())["tenant"] == "-"


def test_errors_are_logged_to_stdout(load_conf, monkeypatch):
    cfg, _ = load_conf()
    stdout = io.StringIO()
    monkeypatch.setattr("sys.stdout", stdout)

    cfg.logger_class(cfg).error("worker boot failed")

    assert "worker boot failed" in stdout.getvalue()


def test_workers_fork_from_a_preloaded_app_and_are_not_recycled_by_default(load_conf):
    cfg, _ = load_conf()

    assert cfg.preload_app is True
    assert cfg.max_requests == 0


def test_recycling_when_asked_for_is_spread_by_a_jitter(load_conf):
    cfg, _ = load_conf(GUNICORN_MAX_REQUESTS="5000")

    assert cfg.max_requests == 5000 and cfg.max_requests_jitter >= 500


def test_a_forked_worker_shares_no_database_connection_with_the_master(load_conf, app):
    _, namespace = load_conf()
    from clusterhub.extensions import db

    with app.app_context():
        pool = db.engine.pool
    server = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app))

    namespace["post_fork"](server, worker=None)

    with app.app_context():
        assert db.engine.pool is not pool  # a new pool: the master's connections stay the master's


def test_the_app_starts_without_importing_the_pdf_spreadsheet_qr_or_payment_libraries():
    # The master builds the app once (preload_app), and every CLI command and CronJob builds it too:
    # these libraries cost seconds of import time and are loaded by the first document that needs them.
    import subprocess
    import sys

    heavy = ("fpdf", "openpyxl", "tablib", "segno", "stripe", "boto3")
    script = (
        "import sys; from clusterhub import create_app; create_app({'DATABASE_URL': 'sqlite://'}); "
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_production_logs_are_json_lines_from_gunicorn_and_the_app_alike(load_conf, monkeypatch):
    cfg, namespace = load_conf(CLUSTERHUB_ENV="production", LOG_LEVEL="info")
    stdout = io.StringIO()
    monkeypatch.setattr("sys.stdout", stdout)

    logger = cfg.logger_class(cfg)
    logger.error("worker boot failed")
    # The app writes the request line (with the user); gunicorn's access line would repeat it.
    response = SimpleNamespace(status="200 OK", headers=[], sent=2)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/", "PATH_INFO": "/", "SERVER_PROTOCOL": "HTTP/1.1"}
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=3))

    lines = stdout.getvalue().splitlines()
    assert len(lines) == 1, lines  # once, not once per handler
    record = json.loads(lines[0])
    assert record["message"] == "worker boot failed" and record["level"] == "error"
    assert cfg.accesslog is None
    assert namespace["logconfig_dict"]["formatters"]["json"]["()"] == "clusterhub.core.logs.JsonFormatter"


def test_metrics_of_every_worker_are_gathered_and_a_dead_worker_is_dropped(load_conf, tmp_path, monkeypatch):
    _, namespace = load_conf()
    assert namespace["METRICS_DIR"] == str(tmp_path / "metrics")
    assert (tmp_path / "metrics").is_dir()  # before the app (and prometheus_client) is imported
    (tmp_path / "metrics" / "counter_999.db").write_bytes(b"stale")
    namespace["on_starting"](None)
    assert list((tmp_path / "metrics").iterdir()) == []
    dead = []
    monkeypatch.setattr("prometheus_client.multiprocess.mark_process_dead", dead.append)
    namespace["child_exit"](None, SimpleNamespace(pid=4242))
    assert dead == [4242]
