"""The staff page «Webhooks» of a center: subscriptions with their recent deliveries; subscribe, remove,
resend a delivery."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core import signals
from ..core.access import requires
from ..core.forms import ConfirmForm, show_on
from ..core.menu import STAFF_GROUP, MenuItem
from ..core.refusal import Refusal
from ..extensions import db
from ..tokens.permissions import MANAGE_INTEGRATIONS
from .forms import SubscriptionForm
from .models import WebhookDelivery, WebhookSubscription
from .services import queueing
from .services import subscriptions as subscription_services

bp = Blueprint("webhooks", __name__, template_folder="templates")


@bp.route("/<tenant>/staff/webhooks", methods=["GET", "POST"])
@requires(MANAGE_INTEGRATIONS)
def subscriptions():
    form = SubscriptionForm()
    new_subscription = None
    if form.validate_on_submit():
        try:
            new_subscription = subscription_services.create_subscription(
                form.label.data, form.url.data, form.events.data, current_user
            )
        except Refusal as error:
            show_on(form, error, "label")
        else:
            form = SubscriptionForm(formdata=None)  # the page shows the secret once, in its own box
    if new_subscription is None:
        return _page(form)
    return _page(
        form, new_secret_of=new_subscription, new_secret=subscription_services.secret_of(new_subscription)
    )


def _page(form, new_secret_of=None, new_secret=None):
    """The page; ``new_secret`` (of the subscription ``new_secret_of``) is shown, this once."""
    rows = [(s, subscription_services.recent_deliveries(s)) for s in subscription_services.subscriptions()]
    return render_template(
        "webhooks/subscriptions.html",
        form=form,
        rows=rows,
        new_subscription=new_secret_of,
        new_secret=new_secret,
        confirm_form=ConfirmForm(),
        events=subscription_services.EVENTS,
        shown=subscription_services.RECENT_DELIVERIES,
    )


@bp.route("/<tenant>/staff/webhooks/<int:webhook_subscription_id>/secret", methods=["POST"])
@requires(MANAGE_INTEGRATIONS)
def renew_secret(webhook_subscription_id):
    subscription = db.session.get(WebhookSubscription, webhook_subscription_id)
    if subscription is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("webhooks.subscriptions"), code=303)
    secret = subscription_services.renew_secret(subscription, current_user)
    return _page(SubscriptionForm(formdata=None), new_secret_of=subscription, new_secret=secret)


@bp.route("/<tenant>/staff/webhooks/<int:webhook_subscription_id>/remove", methods=["POST"])
@requires(MANAGE_INTEGRATIONS)
def remove(webhook_subscription_id):
    subscription = db.session.get(WebhookSubscription, webhook_subscription_id)
    if subscription is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        label = subscription.label
        subscription_services.remove_subscription(subscription, current_user)
        flash(_("The subscription «%(label)s» has been removed.", label=label), "success")
    return redirect(url_for("webhooks.subscriptions"), code=303)


@bp.route("/<tenant>/staff/webhooks/deliveries/<int:webhook_delivery_id>/resend", methods=["POST"])
@requires(MANAGE_INTEGRATIONS)
def resend(webhook_delivery_id):
    delivery = db.session.get(WebhookDelivery, webhook_delivery_id)
    if delivery is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        queueing.resend(delivery, current_user)
        flash(_("The delivery will be sent again within a minute, with the same id."), "success")
    return redirect(url_for("webhooks.subscriptions") + f"#subscription-{delivery.subscription_id}", code=303)


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "tenant": [
            MenuItem(_l("Webhooks"), "webhooks.subscriptions", MANAGE_INTEGRATIONS, group=STAFF_GROUP),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's menu entries and home blocks (called from ``create_app``)."""
    signals.menu_items.connect(_menu_items)
