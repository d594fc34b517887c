"""Stripe pages: start Checkout, open the Customer Portal, and the webhook."""

import logging
import uuid

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from ....core import signals
from ....core.access import public, requires
from ....core.refusal import Refusal
from ....extensions import csrf, db
from ... import providers
from ...forms import INTERVAL_CHOICES
from ...models import Plan
from ...permissions import MANAGE_BILLING
from . import services

log = logging.getLogger(__name__)

bp = Blueprint("billing_stripe", __name__, template_folder="templates")


def _panel(tenant, sub, plans):
    return Markup(
        render_template(
            "billing_stripe/panel.html",
            plans=[p for p in plans if p.stripe_price_month or p.stripe_price_year],
            has_customer=services.customer_of(tenant.id) is not None,
            attempt=uuid.uuid4().hex,
            interval_choices=INTERVAL_CHOICES,
        )
    )


PROVIDER = providers.PaymentProvider(
    code=services.PROVIDER, label=_l("Card (Stripe)"), is_configured=services.is_configured, panel=_panel
)


def _provider(sender, **_kwargs) -> providers.PaymentProvider:
    return PROVIDER


def connect_signals() -> None:
    """Card payments through Stripe, as a payment provider (``signals.payment_providers``)."""
    signals.payment_providers.connect(_provider)


def _absolute(endpoint) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint)


@bp.route("/<tenant>/staff/billing/stripe/checkout", methods=["POST"])
@requires(MANAGE_BILLING)
def checkout():
    plan = db.session.get(Plan, request.form.get("plan_id", type=int) or 0)
    try:
        if plan is None:
            raise Refusal(_("Choose a plan."))
        url = services.start_checkout(
            g.tenant,
            plan,
            request.form.get("interval", ""),
            attempt=request.form.get("attempt", ""),
            actor=current_user,
            success_url=_absolute("billing.overview") + "?checkout=done",
            cancel_url=_absolute("billing.overview"),
            locale=str(get_locale()),
        )
    except Refusal as error:
        flash(str(error), "danger")
        return redirect(url_for("billing.overview"))
    return redirect(url, code=303)


@bp.route("/<tenant>/staff/billing/stripe/portal", methods=["POST"])
@requires(MANAGE_BILLING)
def portal():
    try:
        url = services.portal_url(g.tenant, return_url=_absolute("billing.overview"))
    except Refusal as error:
        flash(str(error), "warning")
        return redirect(url_for("billing.overview"))
    return redirect(url, code=303)


@bp.route("/billing/stripe/webhook", methods=["POST"])
@public
@csrf.exempt
def webhook():
    try:
        outcome = services.handle_webhook(request.get_data(), request.headers.get("Stripe-Signature"))
    except services.WebhookRejected as rejected:
        # Not a refusal (the caller is Stripe, not a user): the view returns normally, so it drops
        # whatever the rejected delivery wrote itself instead of leaving it to the request's commit.
        db.session.rollback()
        log.warning("Stripe webhook refused: %s", rejected)
        return {"error": "invalid signature"}, 400
    except IntegrityError:
        # A concurrent delivery of the same event claimed its id first (the flush that claims it fails on
        # the unique index): this one changes nothing.
        db.session.rollback()
        outcome = "duplicate"
    return {"received": True, "outcome": outcome}, 200
