"""A center's webhook subscriptions: the events they may ask for, their secrets and recent deliveries."""

import secrets

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...audit.services import record
from ...core.refusal import Refusal
from ...core.urls import InvalidWebAddress, clean_web_address
from ...extensions import db
from ..models import WebhookDelivery, WebhookSubscription
from ..sealing import seal, unseal
from .addresses import names_a_private_host, private_allowed

EVENTS = {
    "registration.created": _l("Registration created"),
    "registration.cancelled": _l("Registration cancelled"),
    "registration.checked_in": _l("Participant checked in"),
    "service_request.changed": _l("Service request created or changed"),
    "project.status_changed": _l("Project status changed"),
    "protocol.signed": _l("Defense protocol signed"),
    "period_report.accepted": _l("Period report accepted"),
}


SECRET_PREFIX = "whsec_"


RECENT_DELIVERIES = 20


def create_subscription(label: str, url: str, events, actor) -> WebhookSubscription:
    """Subscribe ``url`` (http or https) of the current center to ``events``; returns the subscription,
    whose secret (stored encrypted; :func:`secret_of` reads it) signs every delivery."""
    label = (label or "").strip()
    if not label:
        raise Refusal(_("Give the subscription a label."), "label")
    try:
        cleaned = clean_web_address(url)
    except InvalidWebAddress as error:
        raise Refusal(str(error), "url") from None
    if not cleaned:
        raise Refusal(_("Give the address that receives the events."), "url")
    url = cleaned
    if names_a_private_host(url) and not private_allowed():
        raise Refusal(
            _("Events are sent only to public addresses on the internet; this address is local or private."),
            "url",
        )
    chosen = [name for name in EVENTS if name in set(events or ())]
    if not chosen:
        raise Refusal(_("Choose at least one event."), "events")
    subscription = WebhookSubscription(
        label=label[:100],
        url=url,
        events=chosen,
        secret_encrypted=seal(_new_secret()),
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(subscription)
    db.session.flush()
    record(
        "webhook.subscribed", subscription, actor=actor, after={"label": label, "url": url, "events": chosen}
    )
    return subscription


def renew_secret(subscription: WebhookSubscription, actor) -> str:
    """Give the subscription a new secret (the old one was lost or leaked); deliveries sent from now on,
    retries and resends included, are signed with it. Returns the new secret, shown once."""
    secret = _new_secret()
    subscription.secret_encrypted = seal(secret)
    record("webhook.secret_renewed", subscription, actor=actor, after={"label": subscription.label})
    db.session.flush()
    return secret


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def secret_of(subscription: WebhookSubscription) -> str:
    """The subscription's secret in clear, to sign with or to show once to the staff who made it; raises
    :class:`~.sealing.SecretKeyMismatch` when the configured key cannot decrypt it."""
    return unseal(subscription.secret_encrypted)


def remove_subscription(subscription: WebhookSubscription, actor) -> None:
    """Delete the subscription and its deliveries; tickets still queued find nothing and are dropped."""
    record(
        "webhook.removed",
        subscription,
        actor=actor,
        before={"label": subscription.label, "url": subscription.url},
    )
    db.session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id))
    db.session.delete(subscription)
    db.session.flush()


def subscriptions() -> list[WebhookSubscription]:
    """The current center's subscriptions, newest first."""
    return list(
        db.session.scalars(sa.select(WebhookSubscription).order_by(WebhookSubscription.id.desc())).all()
    )


def recent_deliveries(subscription: WebhookSubscription, limit: int = RECENT_DELIVERIES) -> list:
    return list(
        db.session.scalars(
            sa.select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription.id)
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
            .limit(limit)
        ).all()
    )
