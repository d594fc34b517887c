"""``flask housekeeping purge``: sent mail and delivered webhook deliveries older than the limit go, in
batches; everything still pending, failed or withheld, and everything recent, stays."""

import uuid
from datetime import timedelta

import sqlalchemy as sa

from clusterhub.extensions import db
from clusterhub.outbox.models import OutboxMessage, OutboxStatus
from clusterhub.tenancy.models import utcnow
from clusterhub.tenancy.scoping import tenant_scope
from clusterhub.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from clusterhub.webhooks.sealing import seal


def _message(subject, status, days_ago):
    at = utcnow() - timedelta(days=days_ago)
    db.session.add(
        OutboxMessage(
            message_id=f"<{uuid.uuid4().hex}@test>",
            recipient="someone@example.com",
            subject=subject,
            body_text="…",
            status=status,
            created_at=at,
            sent_at=at if status == OutboxStatus.SENT else None,
        )
    )


def _deliveries(tenant, spec):
    with tenant_scope(db.session, tenant.id):
        subscription = WebhookSubscription(
            tenant_id=tenant.id,
            label="CRM",
            url="https://crm.example.com/hook",
            secret_encrypted=seal("s"),
            events=["x"],
        )
        db.session.add(subscription)
        db.session.flush()
        for event, status, days_ago in spec:
            at = utcnow() - timedelta(days=days_ago)
            db.session.add(
                WebhookDelivery(
                    tenant_id=tenant.id,
                    subscription_id=subscription.id,
                    event_id=uuid.uuid4().hex,
                    event=event,
                    data={},
                    status=status,
                    created_at=at,
                    delivered_at=at if status == DeliveryStatus.DELIVERED else None,
                )
            )
        db.session.commit()


def _left(tenant):
    subjects = set(db.session.scalars(sa.select(OutboxMessage.subject)))
    with tenant_scope(db.session, tenant.id):
        events = set(db.session.scalars(sa.select(WebhookDelivery.event)))
    return subjects, events


def test_purge_deletes_only_old_sent_and_delivered_rows_in_batches(app, make_tenant):
    komi, tatarstan = make_tenant("komi"), make_tenant("tatarstan")
    for n in range(5):
        _message(f"old sent {n}", OutboxStatus.SENT, 200)
    _message("recent sent", OutboxStatus.SENT, 10)
    _message("old failed", OutboxStatus.FAILED, 200)
    _message("old withheld", OutboxStatus.WITHHELD, 200)
    _message("old pending", OutboxStatus.PENDING, 200)
    db.session.commit()
    _deliveries(
        komi,
        [
            ("old delivered 1", DeliveryStatus.DELIVERED, 120),
            ("old delivered 2", DeliveryStatus.DELIVERED, 95),
            ("recent delivered", DeliveryStatus.DELIVERED, 80),
            ("old failed", DeliveryStatus.FAILED, 300),
            ("old pending", DeliveryStatus.PENDING, 300),
        ],
    )
    _deliveries(tatarstan, [("their old delivered", DeliveryStatus.DELIVERED, 100)])
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["housekeeping", "purge", "--dry-run"], catch_exceptions=False)
    assert "5 outbox messages and 3 webhook deliveries would be deleted" in dry.output
    assert len(_left(komi)[0]) == 9

    result = runner.invoke(
        args=["housekeeping", "purge", "--older-than-days", "90", "--batch-size", "2"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "deleted 5 outbox messages and 3 webhook deliveries" in result.output
    db.session.expire_all()
    subjects, events = _left(komi)
    assert subjects == {"recent sent", "old failed", "old withheld", "old pending"}
    assert events == {"recent delivered", "old failed", "old pending"}
    assert _left(tatarstan)[1] == set()

    shorter = runner.invoke(args=["housekeeping", "purge", "--older-than-days", "5"], catch_exceptions=False)
    assert "deleted 1 outbox messages and 1 webhook deliveries" in shorter.output
