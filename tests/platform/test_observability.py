"""What operators see: one JSON log line per request, /metrics for the cluster only, and a 500 page
that tells the truth about whether anyone was notified."""

import io
import json
import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families

from clusterhub import create_app
from clusterhub.core import error_reports, logs
from clusterhub.core.access import public
from clusterhub.extensions import db
from clusterhub.outbox.services import enqueue


@pytest.fixture
def json_lines(app):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger(logs.REQUEST_LOGGER)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    app.config["LOG_FORMAT"] = "json"
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    app.config["LOG_FORMAT"] = "text"
    logger.removeHandler(handler)


def test_a_request_writes_one_json_line_with_its_id_tenant_and_user(
    json_lines, client, make_tenant, make_user, login
):
    tenant = make_tenant("komi")
    user = make_user(role="center_admin", tenant=tenant)
    login(user)
    before = len(json_lines())

    response = client.get("/komi/", headers={"X-Request-ID": "req-7"})

    lines = json_lines()[before:]
    assert len(lines) == 1
    line = lines[0]
    assert line["message"] == "request" and line["logger"] == "clusterhub.request"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/komi/", response.status_code)
    assert line["request_id"] == "req-7" and line["tenant"] == "komi"
    assert line["user_id"] == user.id
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0


def test_an_anonymous_request_outside_a_center_logs_dashes_and_no_user(json_lines, client):
    client.get("/healthz")
    line = json_lines()[-1]
    assert line["path"] == "/healthz" and line["tenant"] == "-" and line["user_id"] is None
    assert len(line["request_id"]) == 32


def test_text_logs_locally_json_in_production():
    from clusterhub.config import ConfigError, load_config

    assert load_config("/tmp", {"ENV": "local"})["LOG_FORMAT"] == "text"
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        load_config("/tmp", {"LOG_FORMAT": "xml"})


def test_any_log_record_in_a_request_carries_the_request_id(app):
    record = logging.LogRecord("clusterhub.x", logging.ERROR, __file__, 1, "failed %s", ("twice",), None)
    with app.test_request_context("/"):
        from flask import g

        g.request_id = "req-9"
        line = json.loads(logs.JsonFormatter().format(record))
    assert line["message"] == "failed twice" and line["request_id"] == "req-9" and line["level"] == "error"


# --- metrics --------------------------------------------------------------------------------------


def samples(body):
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def test_metrics_count_requests_by_endpoint_and_status_and_show_the_outbox(client):
    enqueue("someone@example.test", "Тема", "Текст")
    db.session.commit()
    client.get("/healthz")
    client.get("/no-such-page/at-all")

    response = client.get("/metrics")

    assert response.status_code == 200 and response.mimetype == "text/plain"
    values = samples(response.get_data(as_text=True))
    healthz = ("endpoint", "core.healthz"), ("method", "GET"), ("status", "200")
    assert values[("clusterhub_http_requests_total", healthz)] >= 1
    unmatched = ("endpoint", "unmatched"), ("method", "GET"), ("status", "404")
    assert values[("clusterhub_http_requests_total", unmatched)] >= 1
    assert (
        values[
            (
                "clusterhub_http_request_duration_seconds_count",
                (("endpoint", "core.healthz"), ("status", "200")),
            )
        ]
        >= 1
    )
    assert values[("clusterhub_outbox_messages", (("status", "pending"),))] == 1
    assert values[("clusterhub_outbox_messages", (("status", "failed"),))] == 0
    assert ("clusterhub_db_pool_connections_in_use", ()) in values


@pytest.mark.parametrize("address", ["203.0.113.5", "2001:db8::1"])
def test_metrics_are_not_served_outside_the_cluster_network(client, address):
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 404
    assert b"clusterhub_http_requests_total" not in response.data


def test_metrics_are_served_to_the_cluster_network(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.42.0.17"}).status_code == 200


def test_counting_a_request_costs_no_query(app, client):
    import sqlalchemy as sa

    from clusterhub.extensions import db

    statements = []

    def seen(*args, **kwargs):
        statements.append(args[2])

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        client.get("/healthz")
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert statements == []


# --- the 500 page and error reports ---------------------------------------------------------------


@pytest.fixture
def failing_app(app, database_urls, tmp_path):
    broken = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": database_urls["DATABASE_URL"],
            "TESTING": False,
            "PROPAGATE_EXCEPTIONS": False,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )

    @public
    def explode():
        raise RuntimeError("boom")

    broken.add_url_rule("/explode", "explode", explode)
    broken.add_url_rule("/api/v1/explode", "api_explode", explode)
    return broken


def test_without_an_error_reporter_the_500_page_gives_the_request_number_to_quote(
    failing_app, caplog, monkeypatch
):
    # Alembic's logging setup (the migrations the app fixture ran) disables the loggers it found.
    monkeypatch.setattr(logging.getLogger("clusterhub.core.errors"), "disabled", False)
    client = failing_app.test_client()
    with caplog.at_level(logging.ERROR):
        response = client.get("/explode", headers={"X-Request-ID": "req-500", "Accept-Language": "en"})

    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "req-500" in page and "quote the request number" in page
    assert "We have been notified" not in page
    logged = [record for record in caplog.records if record.exc_info and "boom" in str(record.exc_info[1])]
    assert logged


def test_the_api_500_carries_the_request_id(failing_app):
    response = failing_app.test_client().get("/api/v1/explode", headers={"X-Request-ID": "req-api"})
    assert response.status_code == 500
    assert response.get_json()["error"]["request_id"] == "req-api"


def test_with_an_error_reporter_the_500_page_says_we_were_notified(failing_app):
    failing_app.extensions["error_reports"] = True
    response = failing_app.test_client().get(
        "/explode", headers={"X-Request-ID": "req-501", "Accept-Language": "en"}
    )
    page = response.get_data(as_text=True)
    assert "We have been notified" in page and "req-501" in page


def test_sentry_is_off_without_a_dsn_and_sends_no_personal_data_with_one(app, monkeypatch):
    import sentry_sdk

    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: calls.append(kwargs))

    class FakeApp:
        config = {"SENTRY_DSN": None, "ENV": "production"}
        extensions: dict = {}

    assert error_reports.configure(FakeApp) is False and calls == []
    FakeApp.config["SENTRY_DSN"] = "https://key@sentry.example.test/1"
    assert error_reports.configure(FakeApp) is True
    options = calls[0]
    assert options["send_default_pii"] is False and options["max_request_body_size"] == "never"
    assert "FlaskIntegration" in [type(i).__name__ for i in options["integrations"]]

    with app.test_request_context("/komi/"):
        from flask import g

        g.request_id = "req-3"
        event = options["before_send"]({"tags": {}}, {})
    assert event["tags"] == {"request_id": "req-3", "tenant": "-"}


def test_a_client_request_id_is_kept_but_bounded(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-1"}).headers["X-Request-ID"] == "abc-1"
    long_id = client.get("/healthz", headers={"X-Request-ID": "x" * 5000}).headers["X-Request-ID"]
    assert long_id == "x" * 128
