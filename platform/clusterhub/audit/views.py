import sqlalchemy as sa
from flask import Blueprint, g, render_template, request
from flask_babel import lazy_gettext as _l

from ..accounts.authz import Permission, requires
from ..core.menu import STAFF_GROUP, add_tenant_item
from ..core.pagination import paginate
from ..privacy import services as privacy
from . import presentation
from .models import AuditEntry

bp = Blueprint("audit", __name__, template_folder="templates")
add_tenant_item(_l("Audit log"), "audit.tenant_log", Permission.VIEW_AUDIT, group=STAFF_GROUP)


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
        describe_changes=privacy.redacting(presentation.describe_changes),
    )
