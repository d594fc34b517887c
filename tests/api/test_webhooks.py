"""Outgoing webhooks, delivered to a real HTTP server on 127.0.0.1: signed, retried after a failure,
de-duplicable by an id that survives resends, and never seen by another center."""

import hashlib
import hmac
import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa

from clusterhub.core.refusal import Refusal
from clusterhub.events.services import registration as registration_services
from clusterhub.events.services.check_in import check_in
from clusterhub.extensions import db
from clusterhub.outbox.models import OutboxKind, OutboxMessage, OutboxStatus
from clusterhub.outbox.services import LogMailer, send_due
from clusterhub.tenancy.models import Tenant, utcnow
from clusterhub.tenancy.scoping import tenant_scope
from clusterhub.webhooks.models import DeliveryStatus, WebhookDelivery
from clusterhub.webhooks.services import payloads, receivers, subscriptions


class Receiver:
    """A local HTTP server that records every POST and answers the queued status codes (then 200)."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body, "path": self.path})
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def subscribe(tenant, url, events_=None, label="CRM"):
    with tenant_scope(db.session, tenant.id):
        subscription = subscriptions.create_subscription(
            label, url, events_ or list(subscriptions.EVENTS), None
        )
        db.session.commit()
        return subscription.id, subscriptions.secret_of(subscription)


def register(event_id, person):
    from clusterhub.events.models import Event

    tenant_id = db.session.scalar(sa.select(Tenant.id).where(Tenant.slug == "komi"))
    with tenant_scope(db.session, tenant_id):
        registration = registration_services.register(db.session.get(Event, event_id), person())
        db.session.commit()
        return registration.id


def deliver(now=None):
    """One pass of the worker over the webhook tickets (the mail queued beside them is dropped first, so
    the counts are the deliveries')."""
    db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.kind == OutboxKind.MAIL))
    db.session.commit()
    return send_due(LogMailer(), now=now)


def verify(secret: str, received: dict) -> bool:
    """What a receiver does (as docs/webhooks.md shows)."""
    timestamp = received["headers"]["X-ClusterHub-Timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + received["body"], hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(received["headers"]["X-ClusterHub-Signature"], f"sha256={expected}")


def test_a_registration_is_posted_signed_to_the_subscribed_address(
    receiver, make_tenant, make_event, person, request_context
):
    tenant = make_tenant("komi")
    event_id = make_event(tenant).id
    _id, secret = subscribe(tenant, receiver.url())
    registration_id = register(event_id, person)
    assert receiver.received == []  # nothing is sent while the request runs: the worker sends

    assert deliver() == {"sent": 1, "retry": 0, "failed": 0}
    [got] = receiver.received
    assert verify(secret, got)
    assert not verify("whsec_wrong", got)
    body = json.loads(got["body"])
    assert body["event"] == "registration.created"
    assert body["id"].startswith("evt_") and got["headers"]["X-ClusterHub-Delivery"] == body["id"]
    assert body["data"]["registration"]["id"] == registration_id
    assert body["data"]["event"]["id"] == event_id
    assert body["created_at"].endswith("Z")
    assert got["headers"]["Content-Type"].startswith("application/json")
    with tenant_scope(db.session, tenant.id):
        delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
        assert delivery.status == DeliveryStatus.DELIVERED and delivery.last_status_code == 200
        assert delivery.attempts == 1


def test_a_failed_delivery_is_retried_with_backoff_and_the_same_id(
    receiver, make_tenant, make_event, person, request_context
):
    tenant = make_tenant("komi")
    event_id = make_event(tenant).id
    subscribe(tenant, receiver.url(), ["registration.created"])
    register(event_id, person)
    receiver.answers = [500, 503]

    assert deliver() == {"sent": 0, "retry": 1, "failed": 0}
    with tenant_scope(db.session, tenant.id):
        delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
        first_retry = delivery.next_attempt_at
        assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code == 500
        assert timedelta(seconds=25) < first_retry - delivery.last_attempt_at <= timedelta(seconds=35)
    assert deliver() == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
    assert deliver(now=utcnow() + timedelta(minutes=1)) == {"sent": 0, "retry": 1, "failed": 0}
    with tenant_scope(db.session, tenant.id):
        delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
        # exponential: the second pause is four times the first
        assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(seconds=120)
    assert deliver(now=utcnow() + timedelta(minutes=10)) == {"sent": 1, "retry": 0, "failed": 0}
    bodies = [r["body"] for r in receiver.received]
    assert len(bodies) == 3 and len(set(bodies)) == 1  # the same bytes, the same id, every time


def test_a_delivery_gives_up_after_the_last_attempt(
    app, receiver, make_tenant, make_event, person, request_context
):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 2
    try:
        tenant = make_tenant("komi")
        subscribe(tenant, receiver.url(), ["registration.created"])
        register(make_event(tenant).id, person)
        receiver.answers = [500, 500, 500]
        assert deliver()["retry"] == 1
        assert deliver(now=utcnow() + timedelta(hours=1))["failed"] == 1
        assert deliver(now=utcnow() + timedelta(days=1)) == {"sent": 0, "retry": 0, "failed": 0}
        with tenant_scope(db.session, tenant.id):
            delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
            assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 2
    finally:
        app.config["WEBHOOK_MAX_ATTEMPTS"] = 7


def test_staff_see_deliveries_and_resend_one_with_the_same_id(
    client, receiver, make_tenant, make_event, make_user, login, person, request_context
):
    tenant = make_tenant("komi")
    subscribe(tenant, receiver.url(), ["registration.created"], label="Наша CRM")
    register(make_event(tenant).id, person)
    receiver.answers = [500]
    deliver()
    login(make_user("center_admin", tenant=tenant))
    page = client.get("/komi/staff/webhooks").get_data(as_text=True)
    assert "Наша CRM" in page and "HTTP 500" in page
    with tenant_scope(db.session, tenant.id):
        delivery_id = db.session.scalars(sa.select(WebhookDelivery.id)).one()
    assert client.post(f"/komi/staff/webhooks/deliveries/{delivery_id}/resend", data={}).status_code == 303
    assert deliver()["sent"] == 1  # due at once, not at the backoff's time
    assert client.post(f"/komi/staff/webhooks/deliveries/{delivery_id}/resend", data={}).status_code == 303
    assert deliver()["sent"] == 1
    ids = [json.loads(r["body"])["id"] for r in receiver.received]
    assert len(ids) == 3 and len(set(ids)) == 1
    assert "HTTP 200" in client.get("/komi/staff/webhooks").get_data(as_text=True)


def test_staff_subscribe_on_the_page_and_see_the_secret_once(client, make_tenant, make_user, login):
    tenant = make_tenant("komi")
    login(make_user("center_admin", tenant=tenant))
    refused = client.post(
        "/komi/staff/webhooks",
        data={"label": "x", "url": "javascript:alert(1)", "events": ["registration.created"]},
    )
    assert "http://" in refused.get_data(as_text=True)
    created = client.post(
        "/komi/staff/webhooks",
        data={"label": "CRM", "url": "https://crm.example.ru/hook", "events": ["registration.created"]},
    ).get_data(as_text=True)
    [shown] = set(re.findall(r"whsec_[\w-]+", created))
    with tenant_scope(db.session, tenant.id):
        [subscription] = subscriptions.subscriptions()
        assert subscriptions.secret_of(subscription) == shown
    again = client.get("/komi/staff/webhooks").get_data(as_text=True)
    assert "crm.example.ru" in again and "whsec_" not in again


def test_another_center_neither_receives_nor_sees_nor_resends_the_deliveries(
    client, receiver, make_tenant, make_event, make_user, login, person, request_context
):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    subscribe(komi, receiver.url("/komi"), ["registration.created"], label="Komi CRM")
    subscribe(tatarstan, receiver.url("/tatarstan"), ["registration.created"], label="Tatar CRM")
    register(make_event(komi).id, person)
    deliver()
    assert [r["path"] for r in receiver.received] == ["/komi"]
    with tenant_scope(db.session, komi.id):
        delivery_id = db.session.scalars(sa.select(WebhookDelivery.id)).one()
    login(make_user("center_admin", tenant=tatarstan))
    page = client.get("/tatarstan/staff/webhooks").get_data(as_text=True)
    assert "Tatar CRM" in page and "Komi CRM" not in page
    assert (
        client.post(f"/tatarstan/staff/webhooks/deliveries/{delivery_id}/resend", data={}).status_code == 404
    )
    assert deliver() == {"sent": 0, "retry": 0, "failed": 0}


def test_a_refused_change_queues_nothing(receiver, make_tenant, make_event, person, request_context):
    tenant = make_tenant("komi")
    event = make_event(tenant)
    subscribe(tenant, receiver.url(), ["registration.created"])
    same = person()
    with tenant_scope(db.session, tenant.id):
        registration_services.register(db.session.merge(event), same)
        db.session.commit()
        with pytest.raises(Refusal):
            registration_services.register(db.session.merge(event), same)  # already registered
        db.session.rollback()
    assert deliver()["sent"] == 1  # the first registration only


def test_cancellation_and_check_in_are_sent_too(receiver, make_tenant, make_event, person, request_context):
    tenant = make_tenant("komi")
    event = make_event(tenant)
    subscribe(tenant, receiver.url(), ["registration.cancelled", "registration.checked_in"])
    with tenant_scope(db.session, tenant.id):
        event = db.session.merge(event)
        present = registration_services.register(event, person())
        absent = registration_services.register(event, person())
        check_in(present)
        check_in(present)  # a repeated scan sends nothing
        registration_services.cancel_registration(absent)
        db.session.commit()
    assert deliver()["sent"] == 2
    sent = {json.loads(r["body"])["event"]: json.loads(r["body"])["data"] for r in receiver.received}
    assert sent["registration.checked_in"]["registration"]["checked_in_at"]
    assert sent["registration.cancelled"]["previous_status"] == "confirmed"


def test_private_addresses_are_refused_unless_allowed(
    app, receiver, make_tenant, make_event, person, request_context
):
    tenant = make_tenant("komi")
    subscribe(tenant, receiver.url(), ["registration.created"])  # allowed in a local run
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = False  # as in production: saved before, refused now
    try:
        register(make_event(tenant).id, person)
        assert deliver()["failed"] == 1  # at once: retrying would only knock again
        assert receiver.received == []
        with tenant_scope(db.session, tenant.id):
            delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
            assert delivery.status == DeliveryStatus.FAILED
            assert "127.0.0.1 resolves to a non-public address (127.0.0.1)" in delivery.last_error
    finally:
        app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = None


def test_mail_and_webhooks_share_the_worker_without_blocking_each_other(
    receiver, make_tenant, make_event, person, request_context
):
    """A receiver that is down does not end the pass for the mail queued behind its ticket."""
    tenant = make_tenant("komi")
    subscribe(tenant, "http://127.0.0.1:9/closed", ["registration.created"])
    register(make_event(tenant).id, person)
    counts = send_due(LogMailer())
    assert counts["retry"] == 1 and counts["sent"] >= 1  # the registrant's mail went out
    tickets = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.WEBHOOK)
    ).all()
    assert [t.status for t in tickets] == [OutboxStatus.PENDING]


def test_every_signal_has_a_documented_webhook_event():
    from clusterhub.core import signals

    documented = (Path(__file__).parents[2] / "docs" / "webhooks.md").read_text(encoding="utf-8")
    for name in subscriptions.EVENTS:
        assert f"`{name}`" in documented
    for signal, _receiver in receivers._RECEIVERS:
        assert signal.__doc__ and signal.receivers
    events = [s for s in vars(signals).values() if hasattr(s, "receivers") and s not in signals.REGISTRIES]
    assert len(receivers._RECEIVERS) == len(events)


def test_projects_protocols_and_accepted_reports_are_sent(receiver, make_defense, make_user, request_context):
    from clusterhub.defenses.models import Assignment, DefenseRound
    from clusterhub.defenses.services import results, rounds, scoring
    from clusterhub.defenses.services.protocol import sign_protocol
    from clusterhub.reporting import services as reporting
    from clusterhub.reporting.periods import parse_period

    d = make_defense(projects=1, experts=1)
    tenant = d["tenant"]
    admin, reviewer = make_user("center_admin", tenant=tenant), make_user("federal_reviewer")
    subscribe(tenant, receiver.url(), ["project.status_changed", "protocol.signed", "period_report.accepted"])
    with tenant_scope(db.session, tenant.id):
        rnd = db.session.get(DefenseRound, d["round"])
        for a in db.session.scalars(sa.select(Assignment)):
            scoring.score_project(
                a.slot, a.member, {c.id: (7, "ok") for c in rnd.criteria}, actor=a.member.user
            )
        rounds.close_round(rnd)
        results.record_decision(rnd.slots[0], "recommended", "")  # the project becomes defended
        protocol = sign_protocol(rnd, actor=d["chair"])
        db.session.commit()
        digest = protocol.content_hash
    period = parse_period("2026-H1")
    report = reporting.get_or_create_report(tenant, period)
    reporting.submit_report(report, period, "Отчёт", admin)
    reporting.review_report(report, True, "", reviewer)
    db.session.commit()

    deliver()
    sent = [json.loads(r["body"]) for r in receiver.received]
    by_event = {}
    for body in sent:
        by_event.setdefault(body["event"], []).append(body["data"])
    assert by_event["project.status_changed"][-1]["project"]["status"] == "defended"
    assert by_event["protocol.signed"][0]["protocol"]["content_hash"] == digest
    assert by_event["protocol.signed"][0]["protocol"]["verify_url"].endswith(f"/verify/protocol/{digest}")
    assert by_event["period_report.accepted"][0]["period_report"]["period"] == "2026-H1"


def test_a_service_request_is_sent_when_created_and_moved(
    receiver, make_technopark, make_service, make_representative, tp_request_context
):
    from clusterhub.technoparks.services import requests as tp_requests

    technopark = make_technopark()
    service = make_service(technopark)
    user, enterprise = make_representative()
    tenant_id = technopark.tenant_id
    with tenant_scope(db.session, tenant_id):
        subscriptions.create_subscription("CRM", receiver.url(), ["service_request.changed"], None)
        db.session.commit()
        request = tp_requests.create_request(db.session.merge(service), enterprise, user, "1")
        tp_requests.reject(request, None, "Нет мощностей")
        db.session.commit()
    deliver()
    changes = [json.loads(r["body"])["data"]["service_request"] for r in receiver.received]
    assert [(c["previous_status"], c["status"]) for c in changes] == [
        (None, "submitted"),
        ("submitted", "rejected"),
    ]


def test_a_payload_that_cannot_be_built_never_refuses_the_change(
    monkeypatch, receiver, make_tenant, make_event, person, request_context
):
    tenant = make_tenant("komi")
    subscribe(tenant, receiver.url(), ["registration.created"])

    def broken(_registration):
        raise KeyError("a bug in a payload")

    monkeypatch.setattr(payloads, "registration_data", broken)
    registration_id = register(make_event(tenant).id, person)
    assert registration_id
    assert deliver() == {"sent": 0, "retry": 0, "failed": 0}


def test_the_worker_command_delivers_webhooks_and_drops_those_of_a_removed_subscription(
    app, receiver, make_tenant, make_event, person, request_context
):
    from clusterhub.webhooks.models import WebhookSubscription

    tenant = make_tenant("komi")
    event_id = make_event(tenant).id
    kept, _secret = subscribe(tenant, receiver.url("/kept"), ["registration.created"])
    removed, _secret = subscribe(tenant, receiver.url("/removed"), ["registration.created"])
    register(event_id, person)
    with tenant_scope(db.session, tenant.id):
        subscriptions.remove_subscription(db.session.get(WebhookSubscription, removed), None)
        db.session.commit()

    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert [r["path"] for r in receiver.received] == ["/kept"]
    tickets = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.WEBHOOK).order_by(OutboxMessage.id)
    ).all()
    assert [t.status for t in tickets] == [OutboxStatus.SENT, OutboxStatus.FAILED]
    assert tickets[1].last_error == "subscription removed"
    assert kept


def test_staff_renew_a_lost_secret_and_later_deliveries_are_signed_with_it(
    client, receiver, make_tenant, make_event, make_user, login, person, request_context
):
    tenant = make_tenant("komi")
    event_id = make_event(tenant).id
    subscription_id, old_secret = subscribe(tenant, receiver.url(), ["registration.created"])
    login(make_user("center_admin", tenant=tenant))
    page = client.post(f"/komi/staff/webhooks/{subscription_id}/secret", data={}).get_data(as_text=True)
    [new_secret] = set(re.findall(r"whsec_[\w-]+", page))
    assert new_secret != old_secret
    assert new_secret not in client.get("/komi/staff/webhooks").get_data(as_text=True)
    register(event_id, person)
    deliver()
    assert verify(new_secret, receiver.received[0]) and not verify(old_secret, receiver.received[0])
