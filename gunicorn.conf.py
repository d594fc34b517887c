"""gunicorn settings for the ClusterHub image; every knob comes from the environment.

gunicorn reads this file from its working directory, so the container simply runs ``gunicorn``.
"""

import contextlib
import json
import logging
import math
import os
import random
import shutil
import sys
from datetime import UTC, datetime

from gunicorn import glogging


def cpu_count(cpu_max: str = "/sys/fs/cgroup/cpu.max") -> int:
    """CPUs this process may really use: the container's CPU quota, else the CPUs it may run on.

    os.cpu_count() reports the node's CPUs, which would start dozens of workers in a one-CPU pod.
    """
    try:
        # cgroup v2: "max 100000" (no limit) or "200000 100000" (two CPUs).
        with open(cpu_max) as f:
            quota, period = f.read().split()
        if quota != "max":
            return max(1, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class JsonAccessLogger(glogging.Logger):
    """One JSON object per request, so log pipelines need no parsing rules.

    A JSON ``access_log_format`` template would break on a quote in a user agent or URL;
    serializing a dict cannot.
    """

    def setup(self, cfg):
        super().setup(cfg)
        # gunicorn sends its own "-" error log to stderr; the image logs everything to stdout, as JSON
        # with LOG_FORMAT=json (the application's formatter, so every line has one shape).
        if cfg.errorlog == "-" and not cfg.logconfig_dict:  # else logconfig_dict below set it up
            fmt = (
                json_formatter()
                if log_format() == "json"
                else logging.Formatter(self.error_fmt, self.datefmt)
            )
            self._set_handler(self.error_log, "-", fmt, stream=sys.stdout)

    def access(self, resp, req, environ, request_time):
        # logconfig_dict alone would turn gunicorn's access log on; only `accesslog` decides here.
        if not self.access_log_enabled or not self.cfg.accesslog:
            return
        # The raw atoms, not gunicorn's SafeAtoms: json.dumps does the escaping.
        atoms = self.atoms(resp, req, environ, request_time)
        status = str(atoms["s"])
        record = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": atoms.get("{x-request-id}o", "-"),
            "tenant": atoms.get("{x-tenant}o", "-"),
            "remote_addr": atoms["h"],
            "method": atoms["m"],
            "path": atoms["U"],
            "query": atoms["q"],
            "status": int(status) if status.isdigit() else status,
            "bytes": atoms["B"],
            "duration_ms": atoms["M"],
            "referer": atoms["f"],
            "user_agent": atoms["a"],
        }
        # The JSON formatter takes the dict as fields; a plain formatter prints the serialized object.
        self.access_log.info(record if log_format() == "json" else json.dumps(record, ensure_ascii=False))


def log_format() -> str:
    """As the application decides it (clusterhub.config): json in production unless LOG_FORMAT says."""
    value = os.environ.get("LOG_FORMAT", "").strip().lower()
    if value:
        return value
    return "json" if os.environ.get("CLUSTERHUB_ENV") == "production" else "text"


def json_formatter() -> logging.Formatter:
    from clusterhub.core.logs import JsonFormatter

    return JsonFormatter()


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "clusterhub:create_app()"
bind = f"0.0.0.0:{env_int('PORT', 8000)}"

workers = env_int("GUNICORN_WORKERS", 2 * cpu_count() + 1)
threads = env_int("GUNICORN_THREADS", 1)
timeout = env_int("GUNICORN_TIMEOUT", 30)
# The chart gives a pod 40 s to stop, of which 5 s go to a preStop pause: in-flight requests finish
# well before the kubelet sends SIGKILL.
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 25)
keepalive = 5
# The app is built once in the master and the workers fork from it: a new worker serves at once instead of
# spending ~2 s on imports and create_app() while requests queue behind it. post_fork() below gives each
# worker what must not be shared across the fork.
preload_app = True
# No worker recycling by default: measured, the resident size of a worker levels off after warm-up
# (docs/performance.md), and each recycle used to cost the requests queued behind the booting worker
# seconds of p99. Setting GUNICORN_MAX_REQUESTS turns it back on, with a jitter that spreads restarts.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max(max_requests // 5, 1) if max_requests else 0

# The application applies ProxyFix with PROXY_FIX_X_FOR trusted hops; gunicorn must not also rewrite
# the scheme or script name from forwarded headers, or a client could spoof them past the ingress.
forwarded_allow_ips = ""

# The heartbeat file must be on a writable, memory-backed file system: the root file system is read-only.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn >= 25 opens a control socket under $HOME, which is read-only in the image; nothing uses it.
# Older versions ignore the unknown setting.
control_socket_disable = True

loglevel = os.environ.get("LOG_LEVEL", "info").lower()
errorlog = "-"
logger_class = JsonAccessLogger
# With JSON logs the application writes the request line itself (it knows the user and the endpoint);
# gunicorn's access line would repeat it. GUNICORN_ACCESS_LOG=1 turns gunicorn's JSON line back on.
accesslog = "-" if log_format() != "json" or os.environ.get("GUNICORN_ACCESS_LOG") == "1" else None
# The application's records (root logger) and gunicorn's go through the same JSON formatter.
if log_format() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "clusterhub.core.logs.JsonFormatter"}},
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}
        },
        "root": {"level": loglevel.upper(), "handlers": ["stdout"]},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stdout"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        },
    }

# Prometheus in multiprocess mode: each worker writes its counters to files here and a scrape of any
# worker adds them up (clusterhub/core/metrics.py). Memory-backed, and set (and created) before anything
# imports the app, JSON logging included, because prometheus_client reads it at import.
# One folder per server (the master's pid), so two servers on one host never mix their counts.
METRICS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.path.join(
    "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp", f"clusterhub-metrics-{os.getpid()}"
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = METRICS_DIR
os.makedirs(METRICS_DIR, exist_ok=True)


def on_starting(server):
    """Forget the counters of an earlier server that used the same folder (workers start afresh)."""
    for name in os.listdir(METRICS_DIR):
        if name.endswith(".db"):
            with contextlib.suppress(OSError):
                os.remove(os.path.join(METRICS_DIR, name))


def on_exit(server):
    """The folder of a server that chose its own (not PROMETHEUS_MULTIPROC_DIR) goes with it."""
    if os.path.basename(METRICS_DIR) == f"clusterhub-metrics-{os.getpid()}":
        shutil.rmtree(METRICS_DIR, ignore_errors=True)


def child_exit(server, worker):
    """A dead worker's live gauges (connections in use) leave the sums; its counters stay counted."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_fork(server, worker):
    """Per-worker state after the fork: no database connection and no random sequence shared with the
    master or a sibling (the Redis client of the rate limiter reconnects by itself when it sees a new pid)."""
    random.seed()
    from clusterhub.extensions import db

    app = server.app.wsgi()
    if "sqlalchemy" not in getattr(app, "extensions", {}):
        return  # the bare Flask app that `make bench` serves as the floor
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
