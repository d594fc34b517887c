import sqlalchemy as sa
from flask import Blueprint, g, render_template, request
from flask_babel import lazy_gettext as _l

from ..core import signals
from ..core.access import Permission, requires
from ..core.menu import STAFF_GROUP, MenuItem
from ..core.pagination import paginate
from . import presentation
from .models import AuditEntry

bp = Blueprint("audit", __name__, template_folder="templates")


@bp.route("/<tenant>/staff/audit")
@requires(Permission.VIEW_AUDIT)
def tenant_log():
    statement = sa.select(AuditEntry).where(AuditEntry.tenant_id == g.tenant.id)
    action = request.args.get("action", "").strip()
    if action:
        statement = statement.where(AuditEntry.action.startswith(action))
    page = paginate(statement.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()), per_page=50)
    return render_template(
        "audit/log.html",
        page=page,
        action=action,
        subjects=presentation.subject_choices(),
        action_label=presentation.action_label,
        describe_changes=_redacted(presentation.describe_changes),
    )


def _redacted(describe_changes):
    """``describe_changes`` followed by every redaction the modules answer (``signals.audit_redactions``:
    privacy shows pseudonyms for erased people)."""
    redactions = signals.answers(signals.audit_redactions)

    def describe(entry):
        changes = describe_changes(entry)
        for redact in redactions:
            changes = redact(changes)
        return changes

    return describe


def _menu_items(sender, **_kwargs) -> list[MenuItem]:
    """This module's entries of the menus (``signals.menu_items``; ``sender`` is "tenant" or "global")."""
    return {
        "tenant": [
            MenuItem(_l("Audit log"), "audit.tenant_log", Permission.VIEW_AUDIT, group=STAFF_GROUP),
        ],
    }.get(sender, [])


def connect_signals() -> None:
    """This module's menu entries and home blocks (called from ``create_app``)."""
    signals.menu_items.connect(_menu_items)
