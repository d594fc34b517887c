"""Technopark pages: the public catalogue of a center (``catalogue``), the staff pages that maintain it
(``staff``), the platform-wide service search (``search``), service requests (``requests``) with their
files and the technoparks' photos (``attachments``), equipment calendars and booking (``booking``), import
and export of the catalogue (``imports``) and its figures (``stats``). The blueprint, the module's
permissions, menu entries and the lookups the pages share live here."""

import sqlalchemy as sa
from flask import Blueprint, abort
from flask_babel import lazy_gettext as _l

from ...accounts.models import GlobalRole, TenantRole
from ...core import signals
from ...core.access import can
from ...core.menu import STAFF_GROUP, MenuItem
from ...extensions import db
from ..models import (
    AUDIENCE_LABELS,
    EQUIPMENT_CATEGORY_LABELS,
    OFFER_STATUS_LABELS,
    REGISTER_STATUS_LABELS,
    SERVICE_CATEGORY_LABELS,
    SERVICE_UNIT_LABELS,
    TECHNOPARK_KIND_LABELS,
    VAT_LABELS,
    ZONE_KIND_LABELS,
)
from ..services.technoparks import get_technopark

MANAGE_CATALOGUE = "technoparks.manage"
HANDLE_REQUESTS = "technoparks.requests"
VIEW_STATISTICS = "technoparks.statistics"


def _permissions(sender, **_kwargs) -> list:
    """The roles this module grants its permissions to, as (role, permissions) pairs
    (``signals.role_permissions``)."""
    return [
        (TenantRole.CENTER_ADMIN, {MANAGE_CATALOGUE, HANDLE_REQUESTS, VIEW_STATISTICS}),
        (TenantRole.CENTER_STAFF, {MANAGE_CATALOGUE, HANDLE_REQUESTS, VIEW_STATISTICS}),
        (GlobalRole.PLATFORM_ADMIN, {MANAGE_CATALOGUE, HANDLE_REQUESTS, VIEW_STATISTICS}),
        (GlobalRole.FEDERAL_ANALYST, {VIEW_STATISTICS}),  # read-only figures
    ]


# The templates are the module's (technoparks/templates), one level above this package.
bp = Blueprint("technoparks", __name__, template_folder="../templates")

LABELS = {
    "technopark_kind": TECHNOPARK_KIND_LABELS,
    "register_status": REGISTER_STATUS_LABELS,
    "zone_kind": ZONE_KIND_LABELS,
    "equipment_category": EQUIPMENT_CATEGORY_LABELS,
    "service_category": SERVICE_CATEGORY_LABELS,
    "unit": SERVICE_UNIT_LABELS,
    "vat": VAT_LABELS,
    "audience": AUDIENCE_LABELS,
    "offer_status": OFFER_STATUS_LABELS,
}


@bp.app_context_processor
def _labels():
    return {"tp_labels": LABELS}


def technopark_or_404(technopark_id):
    technopark = get_technopark(technopark_id)
    if technopark is None:
        abort(404)
    return technopark


def child_or_404(model, object_id, technopark):
    return db.first_or_404(
        sa.select(model).where(model.id == object_id, model.technopark_id == technopark.id)
    )


def can_manage() -> bool:
    return can(MANAGE_CATALOGUE)


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "tenant": [
            MenuItem(_l("Technoparks"), "technoparks.catalogue"),
            MenuItem(_l("Manage technoparks"), "technoparks.staff_list", MANAGE_CATALOGUE, group=STAFF_GROUP),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's permissions, menu entries and home blocks (called from ``create_app``)."""
    signals.role_permissions.connect(_permissions)
    signals.menu_items.connect(_menu_items)


# The pages register their routes on ``bp``; imported last, as they use what is defined above.
from . import attachments, booking, catalogue, imports, requests, search, staff, stats  # noqa: E402, F401
