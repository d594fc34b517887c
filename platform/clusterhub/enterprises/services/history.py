"""What a profile shows of its past: the audit log's edits, in words, and what the enterprise did in every
center (collected through ``signals.enterprise_history``)."""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from ...audit.models import AuditEntry
from ...core import signals
from ...extensions import db
from ...regions.models import Region
from ...tenancy import cross_tenant
from ...tenancy.models import Tenant
from ..models import REPRESENTATIVE_ROLE_LABELS, REPRESENTATIVE_STATUS_LABELS, SIZE_LABELS, Enterprise
from .representatives import is_representative


@dataclass(frozen=True)
class HistoryItem:
    """One thing an enterprise did in some center: a registration, a membership, a project..."""

    tenant: Tenant
    kind: str  # a translated label, e.g. "Cluster membership"
    title: str
    date: date | datetime | None
    status: str = ""
    url: str | None = None


def history_tenant_ids(enterprise: Enterprise, viewer) -> set[int] | None:
    """The tenants whose history items ``viewer`` may see: ``None`` means all (representatives, platform
    admins, federal analysts); center people see their own centers' items; others see nothing."""
    if not getattr(viewer, "is_authenticated", False):
        return set()
    if viewer.is_platform_admin or viewer.is_federal_analyst or is_representative(viewer, enterprise):
        return None
    return cross_tenant.member_tenant_ids(viewer.id)


def enterprise_history(enterprise: Enterprise, viewer) -> list[HistoryItem]:
    """Items from every receiver of ``signals.enterprise_history`` that ``viewer`` may see, newest first."""
    visible = history_tenant_ids(enterprise, viewer)
    if visible is not None and not visible:
        return []
    items = []
    for answer in signals.answers(signals.enterprise_history, enterprise, viewer=viewer):
        for item in answer or ():
            if visible is None or item.tenant.id in visible:
                items.append(item)

    def sort_key(item):
        value = item.date
        if isinstance(value, datetime):
            return value
        return datetime.combine(value, datetime.min.time()) if value else datetime.min

    return sorted(items, key=sort_key, reverse=True)


def edit_history(enterprise: Enterprise, limit: int = 100) -> list[AuditEntry]:
    """The audit entries about the profile, newest first.

    Platform-level entries (no tenant) are readable on PostgreSQL only in the federal read scope; this
    read is limited to the entries about this one enterprise.
    """
    return cross_tenant.enterprise_profile_audit(enterprise.id, limit)


def history_value(field: str, value) -> str:
    """A value of the edit history in words: labels for stored codes (roles, statuses, size
    categories), the region's name for its id, "yes"/"no" for flags; "—" for nothing."""

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    labels = {
        "role": REPRESENTATIVE_ROLE_LABELS,
        "status": REPRESENTATIVE_STATUS_LABELS,
        "size_category": SIZE_LABELS,
    }.get(field)
    if labels is not None:
        return str(labels.get(value, value))
    if field == "region_id":
        region = db.session.get(Region, value) if str(value).isdigit() else None
        return region.name if region else str(value)
    if field == "okved_additional":
        return ", ".join(str(value).split())
    return str(value)
