"""Absolute links for mail and feeds, and the signed ticket of a registration (its QR code and link)."""

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from ...core.refusal import Refusal
from ...extensions import db
from ...tenancy.scoping import tenant_scope
from ..models import Registration

# --- mail and links -------------------------------------------------------------------------------------


def absolute_url(endpoint: str, **values) -> str:
    """An absolute link for mail and feeds, without needing a request."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path


def ticket_link(registration: Registration) -> str:
    return absolute_url(
        "events.ticket", tenant=registration.event.tenant.slug, token=ticket_token(registration)
    )


def ticket_link_for_token(token: str) -> str:
    """The registrant's page for a ticket already checked (what the QR code encodes)."""
    registration = registration_from_ticket(token)
    return absolute_url("events.ticket", tenant=registration.event.tenant.slug, token=token)


def _serializer(purpose: str, timed=False):
    cls = URLSafeTimedSerializer if timed else URLSafeSerializer
    return cls(current_app.config["SECRET_KEY"], salt=f"clusterhub.events.{purpose}")


def ticket_token(registration: Registration) -> str:
    """The signed ticket in the QR code and the registrant's link (tenant, registration and random code)."""
    return _serializer("ticket").dumps(
        {"t": registration.tenant_id, "r": registration.id, "c": registration.code}
    )


def registration_from_ticket(token: str, tenant_id: int | None = None) -> Registration:
    """The registration behind a ticket. A tampered or foreign ticket raises :class:`Refusal`."""
    try:
        data = _serializer("ticket").loads(token)
    except BadSignature as error:
        raise Refusal(_("This ticket is not valid.")) from error
    if tenant_id is not None and data.get("t") != tenant_id:
        raise Refusal(_("This ticket belongs to another center."))
    with tenant_scope(db.session, data.get("t")):
        registration = db.session.scalar(sa.select(Registration).where(Registration.id == data.get("r")))
    if registration is None or registration.code != data.get("c"):
        raise Refusal(_("This ticket is not valid."))
    return registration
