"""Sending a delivery: signed, posted to the checked address of its host, retried with backoff; and the
purge of old delivered ones."""

import hashlib
import hmac
import logging
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import requests
import sqlalchemy as sa
from flask import current_app
from requests.adapters import HTTPAdapter

from ...extensions import db
from ...outbox.models import OutboxMessage, OutboxStatus
from ...tenancy.scoping import tenant_scope
from ..models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from ..sealing import SecretKeyMismatch
from .addresses import Forbidden, Refused, checked_address
from .payloads import body_of
from .subscriptions import secret_of

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ClusterHub-Signature"
TIMESTAMP_HEADER = "X-ClusterHub-Timestamp"
TIMEOUT_SECONDS = 5


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 with the subscription's secret over ``<timestamp>.<body>``."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the ``attempts``-th failure: base × 4^(attempts-1), at most 12 hours."""
    base = current_app.config["WEBHOOK_RETRY_BASE_SECONDS"]
    return timedelta(seconds=min(base * 4 ** (attempts - 1), 12 * 3600))


class _PinnedAdapter(HTTPAdapter):
    """Connects to the URL's IP address while checking TLS for ``host_name``: the name goes out in SNI
    and the certificate must be valid for it, as if the URL still carried the name."""

    def __init__(self, host_name: str):
        self.host_name = host_name
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self.host_name
            pool_kwargs["assert_hostname"] = self.host_name
        return host_params, pool_kwargs


def post(subscription: WebhookSubscription, delivery: WebhookDelivery) -> requests.Response:
    """POST the delivery, signed, to the checked address of the subscription's host (redirects are not
    followed, proxies from the environment not used: either would resolve a name again)."""
    body = body_of(delivery)
    timestamp = int(time.time())
    signed = signature(secret_of(subscription), timestamp, body)
    parts = urlsplit(subscription.url)
    address = checked_address(subscription.url)
    userinfo, _at, host_port = parts.netloc.rpartition("@")
    literal = f"[{address}]" if ":" in address else address
    netloc = (f"{userinfo}@" if _at else "") + literal + (f":{parts.port}" if parts.port else "")
    with requests.Session() as http:
        http.trust_env = False
        http.mount("http://", _PinnedAdapter(parts.hostname or ""))
        http.mount("https://", _PinnedAdapter(parts.hostname or ""))
        return http.post(
            urlunsplit(parts._replace(netloc=netloc)),
            data=body,
            headers={
                "Host": host_port,
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "ClusterHub-Webhooks/1",
                "X-ClusterHub-Event": delivery.event,
                "X-ClusterHub-Delivery": delivery.event_id,
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: signed,
            },
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
        )


def deliver_ticket(ticket: OutboxMessage, now: datetime) -> str:
    """Attempt the delivery behind an outbox ticket (the worker asks through ``signals.webhook_ticket_due``;
    the ticket is claimed and its ``attempts`` already counted). Updates the ticket and the delivery;
    returns ``sent``, ``retry`` or ``failed``. The caller commits."""
    with tenant_scope(db.session, ticket.webhook_tenant_id):
        delivery = db.session.get(WebhookDelivery, ticket.webhook_delivery_id)
        if delivery is None:  # the subscription was removed after the event
            ticket.status, ticket.last_error = OutboxStatus.FAILED, "subscription removed"
            return "failed"
        subscription = delivery.subscription
        delivery.attempts += 1
        delivery.last_attempt_at = now
        error, forbidden = None, False
        try:
            response = post(subscription, delivery)
        except SecretKeyMismatch as exc:
            # Never sent unsigned; retried, so deliveries resume once the right key is configured.
            log.error("Webhook %s of subscription %s not sent: %s", delivery.event_id, subscription.id, exc)
            error = f"{type(exc).__name__}: {exc}"
            delivery.last_status_code = None
        except Refused as exc:
            error, forbidden = str(exc)[:2000], isinstance(exc, Forbidden)
            delivery.last_status_code = None
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
            delivery.last_status_code = None
        else:
            delivery.last_status_code = response.status_code
            if not 200 <= response.status_code < 300:
                error = f"HTTP {response.status_code}"
        delivery.last_error = ticket.last_error = error
        if error is None:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                DeliveryStatus.DELIVERED,
                now,
                None,
            )
            ticket.status, ticket.sent_at = OutboxStatus.SENT, now
            return "sent"
        if forbidden or ticket.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            ticket.status = OutboxStatus.FAILED
            log.warning("Webhook %s to %s failed for good: %s", delivery.event_id, subscription.url, error)
            return "failed"
        delivery.next_attempt_at = ticket.next_attempt_at = now + retry_delay(ticket.attempts)
        delivery.status = DeliveryStatus.PENDING
        log.info(
            "Webhook %s to %s failed (attempt %s): %s",
            delivery.event_id,
            subscription.url,
            ticket.attempts,
            error,
        )
        return "retry"


def _delivered_before(cutoff: datetime) -> sa.Select:
    return sa.select(WebhookDelivery.id).where(
        WebhookDelivery.status == DeliveryStatus.DELIVERED, WebhookDelivery.delivered_at < cutoff
    )


def count_delivered_before(tenant_id: int, cutoff: datetime) -> int:
    """How many of the center's deliveries were delivered before ``cutoff``."""
    with tenant_scope(db.session, tenant_id):
        return (
            db.session.scalar(sa.select(sa.func.count()).select_from(_delivered_before(cutoff).subquery()))
            or 0
        )


def purge_delivered(tenant_id: int, cutoff: datetime, limit: int = 1000) -> int:
    """Delete up to ``limit`` of the center's deliveries delivered before ``cutoff`` and return how many.
    Pending and failed deliveries (staff resend them) are kept, whatever their age."""
    with tenant_scope(db.session, tenant_id):
        ids = list(db.session.scalars(_delivered_before(cutoff).order_by(WebhookDelivery.id).limit(limit)))
        if ids:
            db.session.execute(
                sa.delete(WebhookDelivery).where(
                    WebhookDelivery.tenant_id == tenant_id, WebhookDelivery.id.in_(ids)
                )
            )
            db.session.flush()
    return len(ids)
