"""Pages of defense rounds: staff organise them (``rounds``, ``panel``), experts score on their phones
(``expert``), the chair decides (``results``) and signs the protocol, which anyone can verify
(``protocol``). The blueprint, the module's permissions and menu entries live here."""

import sqlalchemy as sa
from flask import Blueprint, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...accounts.models import GlobalRole, TenantRole
from ...core import signals
from ...core.access import Permission, can
from ...core.menu import STAFF_GROUP, MenuItem
from ...extensions import db
from ...projects.models import OUTCOME_LABELS
from ..forms import ROUND_STATUS_LABELS
from ..models import PANEL_ROLE_LABELS, DefenseRound, DefenseSlot, PanelRole
from ..services.panel import member_of
from ..services.rounds import session_of

MANAGE_DEFENSES = "defenses.manage"
# Panel work (scoring, chairing) is checked per round; this permission only keeps out users with no role in
# the center, such as federal analysts. Adding someone to a panel gives them the expert role if they had none.
PANEL_WORK = "defenses.panel_work"


def _permissions(sender, **_kwargs) -> list:
    """The roles this module grants its permissions to, as (role, permissions) pairs
    (``signals.role_permissions``)."""
    return [
        (TenantRole.CENTER_ADMIN, {MANAGE_DEFENSES, PANEL_WORK}),
        (TenantRole.CENTER_STAFF, {MANAGE_DEFENSES, PANEL_WORK}),
        (TenantRole.EXPERT, {PANEL_WORK}),
        (GlobalRole.PLATFORM_ADMIN, {MANAGE_DEFENSES, PANEL_WORK}),
    ]


# The templates are the module's (defenses/templates), one level above this package.
bp = Blueprint("defenses", __name__, template_folder="../templates")

LABELS = {"outcome": OUTCOME_LABELS, "panel_role": PANEL_ROLE_LABELS, "round_status": ROUND_STATUS_LABELS}


def round_or_404(round_id) -> DefenseRound:
    return db.first_or_404(sa.select(DefenseRound).where(DefenseRound.id == round_id))


def access(defense_round):
    """(panel member or None, is manager); neither -> 404, so the round's existence is not revealed."""
    manager = can(MANAGE_DEFENSES)
    member = member_of(defense_round, current_user)
    if not manager and member is None:
        abort(404)
    return member, manager


def chair_or_manager(defense_round):
    member, manager = access(defense_round)
    if not manager and not (member and member.role == PanelRole.CHAIR):
        abort(403)
    return member, manager


def slot_or_404(slot_id) -> DefenseSlot:
    return db.first_or_404(sa.select(DefenseSlot).where(DefenseSlot.id == slot_id))


@bp.app_context_processor
def _session_link():
    return {"defense_session": session_of}


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "tenant": [
            MenuItem(_l("Defenses"), "defenses.index", MANAGE_DEFENSES, group=STAFF_GROUP),
            MenuItem(_l("My expert work"), "defenses.expert_home", Permission.EXPERT_AREA),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's permissions, menu entries and home blocks (called from ``create_app``)."""
    signals.role_permissions.connect(_permissions)
    signals.menu_items.connect(_menu_items)


# The pages register their routes on ``bp``; imported last, as they use what is defined above.
from . import expert, panel, protocol, results, rounds  # noqa: E402, F401
