"""Enterprise pages: the blueprint, its permissions, menu entries and home block; the routes live in
``profiles`` (the directory, profiles and their editing), ``representatives`` (claims and representatives,
and a center's confirmation of first claims) and ``merge`` (the platform admin's merge)."""

import sqlalchemy as sa
from flask import Blueprint, g
from flask_babel import lazy_gettext as _l

from ...accounts.models import GlobalRole, TenantRole
from ...core import signals
from ...core.access import can
from ...core.menu import (
    PLATFORM_GROUP,
    STAFF_GROUP,
    HomeBlock,
    MenuItem,
)
from ...extensions import db
from ..models import Enterprise
from ..services.representatives import first_claims_for_center

CONFIRM_CLAIMS = "enterprises.confirm_claims"
MERGE_ENTERPRISES = "enterprises.merge"


def _permissions(sender, **_kwargs) -> list:
    """The roles this module grants its permissions to, as (role, permissions) pairs
    (``signals.role_permissions``)."""
    return [
        (TenantRole.CENTER_ADMIN, {CONFIRM_CLAIMS}),
        (TenantRole.CENTER_STAFF, {CONFIRM_CLAIMS}),
        (GlobalRole.PLATFORM_ADMIN, {CONFIRM_CLAIMS, MERGE_ENTERPRISES}),
    ]


# the templates stay beside the package: enterprises/templates/
bp = Blueprint("enterprises", __name__, template_folder="../templates")


def _staff_block():
    if not can(CONFIRM_CLAIMS):
        return None
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(first_claims_for_center(g.tenant).order_by(None).subquery())
    )
    return {"count": count}


def _enterprise(enterprise_id) -> Enterprise:
    return db.get_or_404(Enterprise, enterprise_id)


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "global": [
            MenuItem(_l("Enterprises"), "enterprises.directory"),
            MenuItem(_l("Merge profiles"), "enterprises.merge", MERGE_ENTERPRISES, group=PLATFORM_GROUP),
        ],
        "tenant": [
            MenuItem(_l("Enterprise claims"), "enterprises.center_claims", CONFIRM_CLAIMS, group=STAFF_GROUP),
        ],
    }.get(sender, [])


def _home_blocks(sender, **_kwargs) -> list[HomeBlock]:
    """This module's blocks of the home pages (``signals.home_blocks``; ``sender`` is "center" or "staff")."""
    return {
        "staff": [
            HomeBlock("enterprises/_staff_block.html", _staff_block),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's permissions, menu entries and home blocks (called from ``create_app``)."""
    signals.role_permissions.connect(_permissions)
    signals.menu_items.connect(_menu_items)
    signals.home_blocks.connect(_home_blocks)


from . import merge, profiles, representatives  # noqa: E402, F401  (their routes, registered on bp)
