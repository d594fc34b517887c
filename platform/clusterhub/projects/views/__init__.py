"""Pages of joint project dossiers: staff manage them (``dossier``, ``documents``); enterprise
representatives follow their own (``participants``); platform administrators keep the selection rounds
(``selection_rounds``). The blueprint, the module's permissions, menu entries and home block live here."""

import sqlalchemy as sa
from flask import Blueprint
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ...accounts.models import GlobalRole, TenantRole
from ...core import signals
from ...core.menu import PLATFORM_GROUP, HomeBlock, MenuItem
from ...extensions import db
from ..forms import CATEGORY_LABELS, DOCUMENT_LABELS, INDICATOR_LABELS
from ..models import OUTCOME_LABELS, ROLE_LABELS, STATUS_LABELS, JointProject
from ..services.participants import projects_of_representative

VIEW_PROJECTS = "projects.view"
MANAGE_PROJECTS = "projects.manage"


def _permissions(sender, **_kwargs) -> list:
    """The roles this module grants its permissions to, as (role, permissions) pairs
    (``signals.role_permissions``)."""
    return [
        (TenantRole.CENTER_ADMIN, {VIEW_PROJECTS, MANAGE_PROJECTS}),
        (TenantRole.CENTER_STAFF, {VIEW_PROJECTS, MANAGE_PROJECTS}),
        (GlobalRole.PLATFORM_ADMIN, {VIEW_PROJECTS, MANAGE_PROJECTS}),
        (GlobalRole.FEDERAL_ANALYST, {VIEW_PROJECTS}),  # read-only
        (GlobalRole.PLATFORM_ADMIN, {MANAGE_SELECTION_ROUNDS}),
    ]


# Selection rounds are federal and shared by every center: only platform administrators change them.
MANAGE_SELECTION_ROUNDS = "projects.manage_selection_rounds"

# The templates are the module's (projects/templates), one level above this package.
bp = Blueprint("projects", __name__, template_folder="../templates")


def _my_projects_block(tenant):
    """On the center's home page: a link for representatives of enterprises taking part in a project."""
    if not current_user.is_authenticated or not projects_of_representative(current_user):
        return None
    return {}


LABELS = {
    "status": STATUS_LABELS,
    "outcome": OUTCOME_LABELS,
    "role": ROLE_LABELS,
    "category": CATEGORY_LABELS,
    "indicator": INDICATOR_LABELS,
    "document": DOCUMENT_LABELS,
}


def project_or_404(project_id) -> JointProject:
    return db.first_or_404(
        sa.select(JointProject)
        .options(joinedload(JointProject.lead_enterprise), joinedload(JointProject.selection_round))
        .where(JointProject.id == project_id)
    )


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "tenant": [
            MenuItem(_l("Projects"), "projects.index", VIEW_PROJECTS),
        ],
        "global": [
            MenuItem(
                _l("Selection rounds"),
                "projects.selection_rounds",
                MANAGE_SELECTION_ROUNDS,
                group=PLATFORM_GROUP,
            ),
        ],
    }.get(sender, [])


def _home_blocks(sender, **_kwargs) -> list[HomeBlock]:
    """This module's blocks of the home pages (``signals.home_blocks``; ``sender`` is "center" or "staff")."""
    return {
        "center": [
            HomeBlock("projects/_home_block.html", _my_projects_block),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's permissions, menu entries and home blocks (called from ``create_app``)."""
    signals.role_permissions.connect(_permissions)
    signals.menu_items.connect(_menu_items)
    signals.home_blocks.connect(_home_blocks)


# The pages register their routes on ``bp``; imported last, as they use what is defined above.
from . import documents, dossier, participants, selection_rounds  # noqa: E402, F401
