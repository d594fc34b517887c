"""Deliveries are written in the transaction of the change that caused them, each with its outbox ticket."""

import uuid

import sqlalchemy as sa

from ...audit.services import record
from ...extensions import db
from ...outbox.models import OutboxKind, OutboxMessage, OutboxStatus
from ...tenancy.models import utcnow
from ...tenancy.scoping import tenant_scope
from ..models import DeliveryStatus, WebhookDelivery, WebhookSubscription


def queue(event: str, tenant_id: int, data) -> list[WebhookDelivery]:
    """One delivery (and its outbox ticket) per active subscription of ``tenant_id`` to ``event``, in
    the current transaction. ``data`` is the payload, or a function that builds it (called only when
    some subscription wants the event)."""
    deliveries = []
    with tenant_scope(db.session, tenant_id):
        wanting = [
            s
            for s in db.session.scalars(
                sa.select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
            )
            if s.wants(event)
        ]
        if wanting and callable(data):
            try:
                data = data()
            except Exception as error:
                raise WebhookPayloadError(event) from error
        for subscription in wanting:
            delivery = WebhookDelivery(
                subscription_id=subscription.id,
                event_id=f"evt_{uuid.uuid4().hex}",
                event=event,
                data=data,
                next_attempt_at=utcnow(),
            )
            db.session.add(delivery)
            db.session.flush()
            _add_ticket(delivery)
            deliveries.append(delivery)
    return deliveries


def _add_ticket(delivery: WebhookDelivery) -> OutboxMessage:
    ticket = OutboxMessage(
        kind=OutboxKind.WEBHOOK,
        message_id=f"<{delivery.event_id}.{uuid.uuid4().hex[:8]}@webhook.clusterhub>",
        recipient=f"webhook subscription {delivery.subscription_id}",
        subject=delivery.event,
        body_text="",
        webhook_tenant_id=delivery.tenant_id,
        webhook_delivery_id=delivery.id,
    )
    db.session.add(ticket)
    return ticket


def resend(delivery: WebhookDelivery, actor) -> None:
    """Send the delivery again, with the same ``id`` and body (a receiver that has it drops it)."""
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = utcnow()
    queued = db.session.scalar(
        sa.select(OutboxMessage).where(
            OutboxMessage.kind == OutboxKind.WEBHOOK,
            OutboxMessage.webhook_tenant_id == delivery.tenant_id,
            OutboxMessage.webhook_delivery_id == delivery.id,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
    )
    if queued is not None:
        queued.next_attempt_at = utcnow()
    else:
        _add_ticket(delivery)
    record("webhook.resent", delivery, actor=actor, after={"event": delivery.event})
    db.session.flush()


class WebhookPayloadError(RuntimeError):
    pass
