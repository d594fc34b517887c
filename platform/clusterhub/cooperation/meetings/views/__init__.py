"""Pages of the B2B meetings: staff configure blocks, run the scheduler, see and edit the grid, publish and
print table plans; participants find each other, request, answer, read their schedule (page, PDF, iCal) and
record outcomes. The request commits (``core.unit_of_work``); a refusal flashes its reason.

This package holds the blueprint, the permission and the template globals; ``staff`` and ``participants``
register the pages on ``bp``."""

import sqlalchemy as sa
from flask import Blueprint

from ....accounts.models import GlobalRole, TenantRole
from ....core import signals
from ....extensions import db
from ..models import OUTCOME_LABELS, MeetingBlock

MANAGE_MEETINGS = "cooperation.meetings.manage"


def _permissions(sender, **_kwargs) -> list:
    """The roles this module grants its permissions to, as (role, permissions) pairs
    (``signals.role_permissions``)."""
    return [
        (TenantRole.CENTER_ADMIN, {MANAGE_MEETINGS}),
        (TenantRole.CENTER_STAFF, {MANAGE_MEETINGS}),
        (GlobalRole.PLATFORM_ADMIN, {MANAGE_MEETINGS}),
    ]


def connect_signals() -> None:
    """This module's permissions (called from ``create_app``)."""
    signals.role_permissions.connect(_permissions)


bp = Blueprint("meetings", __name__, template_folder="../templates")


@bp.app_template_global()
def outcome_label(code: str | None) -> str:
    return str(OUTCOME_LABELS.get(code, code or "—"))


@bp.app_template_global()
def meeting_blocks_count(event_id: int) -> int:
    """For the session's pages: whether to link to its B2B meetings."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(MeetingBlock).where(MeetingBlock.event_id == event_id)
    )


def _get(model, object_id, **where):
    """A row of the current tenant, or 404 (another tenant's row is not found)."""
    return db.first_or_404(sa.select(model).where(model.id == object_id).filter_by(**where))


from . import participants, staff  # noqa: E402, F401  (their routes, registered on bp)
