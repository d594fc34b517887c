"""Prometheus metrics at ``/metrics``, for the cluster's Prometheus only.

What is measured: requests by endpoint, method and status, their latency by endpoint and status, the
database connections each process holds, and (read when scraped) the outbox queue: messages waiting,
failed, and the age of the oldest waiting one. Counting a request costs two dictionary look-ups and no
query (tests/platform/test_request_floor.py holds the query counts).

Under gunicorn every worker is a process: gunicorn.conf.py points ``PROMETHEUS_MULTIPROC_DIR`` at a
memory-backed folder, each worker writes its values there and a scrape of any worker adds them up
(``child_exit`` drops a dead worker's live gauges). Without the variable (``flask run``, tests) the
process's own registry is served.

Not public: a request whose client address is outside ``METRICS_ALLOWED_CIDRS`` (the cluster's
private ranges by default; behind the ingress the client's real address, after ProxyFix) gets 404.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .access import public

bp = Blueprint("metrics", __name__)

REQUESTS = Counter("clusterhub_http_requests", "HTTP requests answered", ["endpoint", "method", "status"])
LATENCY = Histogram(
    "clusterhub_http_request_duration_seconds",
    "Time to answer a request, from the first hook to the response",
    ["endpoint", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
DB_CONNECTIONS_IN_USE = Gauge(
    "clusterhub_db_pool_connections_in_use",
    "Database connections checked out of the pools (all live processes)",
    multiprocess_mode="livesum",
)
DB_POOL_SIZE = Gauge(
    "clusterhub_db_pool_size",
    "Connections the pools keep open (all live processes)",
    multiprocess_mode="livesum",
)


def configure(app: Flask) -> None:
    """Count every request and serve /metrics; the pools are watched once the database is bound."""
    app.config["METRICS_NETWORKS"] = parse_networks(app.config["METRICS_ALLOWED_CIDRS"])
    app.after_request(_count_request)
    app.register_blueprint(bp)


def parse_networks(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(part.strip()) for part in value.split(",") if part.strip()]


def watch_pools(app: Flask) -> None:
    """Track checked-out connections of every engine with pool events (no query, no lock)."""
    from ..extensions import db

    with app.app_context():
        for engine in db.engines.values():
            sa.event.listen(engine, "checkout", _counter_for(engine))
            sa.event.listen(engine, "checkin", _checked_in)


# Pools counted by this process: a forked worker counts its own on its first checkout.
_sized_pools: set[tuple[int, int]] = set()


def _counter_for(engine: sa.Engine) -> Any:
    def checked_out(*_args: Any) -> None:
        DB_CONNECTIONS_IN_USE.inc()
        pool = engine.pool
        key = (os.getpid(), id(pool))
        if key not in _sized_pools:
            _sized_pools.add(key)
            size = getattr(pool, "size", None)
            DB_POOL_SIZE.inc(size() if callable(size) else 1)

    return checked_out


def _checked_in(*_args: Any) -> None:
    DB_CONNECTIONS_IN_USE.dec()


# The labelled children of the request metrics, by (endpoint, method, status): a few hundred at most, and
# asking the metric for them again on every request took a lock and rebuilt the label tuple each time.
_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}


def _count_request(response: Response) -> Response:
    current = request._get_current_object()  # type: ignore[attr-defined]  # one proxy look-up, not two
    key = (current.endpoint or "unmatched", current.method, response.status_code)
    children = _children.get(key)
    if children is None:
        endpoint, method, status = key[0], key[1], str(key[2])
        children = _children[key] = (
            REQUESTS.labels(endpoint, method, status),
            LATENCY.labels(endpoint, status),
        )
    children[0].inc()
    started = g.get("request_started")  # set by core.logs
    if started is not None:
        children[1].observe(time.perf_counter() - started)
    return response


class OutboxCollector(Collector):
    """The outbox queue, read from the database when Prometheus scrapes (never on a user's request)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from ..extensions import db
        from ..outbox.models import OutboxMessage, OutboxStatus
        from ..tenancy.models import utcnow

        reachable = GaugeMetricFamily(
            "clusterhub_database_up", "Whether the scrape could read the database (1) or not (0)"
        )
        try:
            counts = dict(
                db.session.execute(
                    sa.select(OutboxMessage.status, sa.func.count())
                    .where(OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.FAILED)))
                    .group_by(OutboxMessage.status)
                ).all()
            )
            oldest = db.session.scalar(
                sa.select(sa.func.min(OutboxMessage.created_at)).where(
                    OutboxMessage.status == OutboxStatus.PENDING
                )
            )
        except sa.exc.SQLAlchemyError:
            # The request metrics are still worth having while the database is away.
            db.session.rollback()
            reachable.add_metric([], 0)
            yield reachable
            return
        reachable.add_metric([], 1)
        yield reachable
        depth = GaugeMetricFamily(
            "clusterhub_outbox_messages", "Outbox messages by status", labels=["status"]
        )
        for status in (OutboxStatus.PENDING, OutboxStatus.FAILED):
            depth.add_metric([str(status)], counts.get(status, 0))
        yield depth
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily(
            "clusterhub_outbox_oldest_pending_seconds", "Age of the oldest message waiting", value=age
        )


def allowed(address: str | None) -> bool:
    if not address:
        return False
    try:
        client = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(client in network for network in current_app.config["METRICS_NETWORKS"])


@bp.route("/metrics")
@public
def scrape() -> Response:
    if not allowed(request.remote_addr):
        abort(404)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    outbox = CollectorRegistry()
    outbox.register(OutboxCollector())
    return Response(body + generate_latest(outbox), mimetype=CONTENT_TYPE_LATEST)
