"""Billing permissions, granted through ``signals.role_permissions`` (connected in ``create_app``)."""

from ..accounts.models import GlobalRole, TenantRole
from ..core import signals

# A center's administrator sees the subscription, pays, keeps the requisites, downloads invoices and acts.
MANAGE_BILLING = "billing.manage"
# The platform admin edits plans, sets subscriptions and records bank payments. Never the federal analyst.
PLATFORM_BILLING = "billing.platform"


def _permissions(sender, **_kwargs) -> list:
    """The roles this module grants its permissions to, as (role, permissions) pairs
    (``signals.role_permissions``)."""
    return [
        (TenantRole.CENTER_ADMIN, {MANAGE_BILLING}),
        (GlobalRole.PLATFORM_ADMIN, {MANAGE_BILLING, PLATFORM_BILLING}),
    ]


def connect_signals() -> None:
    """Grant this module's permissions (called from ``create_app``)."""
    signals.role_permissions.connect(_permissions)
