"""The local mail viewer: what the outbox holds, for a developer who runs the app with no SMTP server."""

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template

from ..core.access import Permission, requires
from ..extensions import db
from .models import OutboxKind, OutboxMessage

bp = Blueprint("outbox", __name__, template_folder="templates")

SHOWN_MESSAGES = 50


@bp.route("/dev/mail")
@requires(Permission.MANAGE_TENANTS)
def dev_mail():
    # Real people's invitations and reset links must never be readable on a web page of a live platform.
    if current_app.config["ENV"] != "local":
        abort(404)
    messages = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.kind == OutboxKind.MAIL)
        .order_by(OutboxMessage.id.desc())
        .limit(SHOWN_MESSAGES)
    ).all()
    return render_template("outbox/dev_mail.html", messages=messages, shown=SHOWN_MESSAGES)
