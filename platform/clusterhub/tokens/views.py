"""The staff page «API-токены» of a center: list, issue (the secret is shown once), revoke."""

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
from ..tenancy.models import utcnow
from . import scopes, services
from .access import issuing_limited
from .forms import CenterTokenForm
from .models import CenterApiToken
from .permissions import MANAGE_INTEGRATIONS

bp = Blueprint("tokens", __name__, template_folder="templates")


@bp.route("/<tenant>/staff/api-tokens", methods=["GET", "POST"])
@requires(MANAGE_INTEGRATIONS)
@issuing_limited
def center_tokens():
    form = CenterTokenForm()
    new_secret = None
    if form.validate_on_submit():
        try:
            _token, new_secret = services.create_center_token(
                form.label.data, form.scopes.data, form.expires_on.data, current_user
            )
        except Refusal as error:
            show_on(form, error, "label")
        else:
            form = CenterTokenForm(formdata=None)  # the page shows the secret once, in its own box
    return render_template(
        "tokens/center_tokens.html",
        form=form,
        tokens=services.center_tokens(),
        new_secret=new_secret,
        confirm_form=ConfirmForm(),
        areas=scopes.AREAS,
        now_utc=utcnow(),
    )


@bp.route("/<tenant>/staff/api-tokens/<int:center_api_token_id>/revoke", methods=["POST"])
@requires(MANAGE_INTEGRATIONS)
def revoke(center_api_token_id):
    token = db.session.get(CenterApiToken, center_api_token_id)
    if token is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        services.revoke_center_token(token, current_user)
        flash(_("The token «%(label)s» has been revoked.", label=token.label), "success")
    return redirect(url_for("tokens.center_tokens"), code=303)


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "tenant": [
            MenuItem(_l("API tokens"), "tokens.center_tokens", MANAGE_INTEGRATIONS, group=STAFF_GROUP),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's menu entries and home blocks (called from ``create_app``)."""
    signals.menu_items.connect(_menu_items)
