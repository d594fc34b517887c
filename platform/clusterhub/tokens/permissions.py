"""Who manages a center's integrations (API tokens and webhooks), granted through
``signals.role_permissions`` (connected in ``create_app``)."""

from ..accounts.models import GlobalRole, TenantRole
from ..core import signals

# A center's administrator issues and revokes its tokens and subscribes its webhooks; center staff do not
# (a token may change data in several areas at once). Never a token's own permission (its area,
# "integrations", has no scope).
MANAGE_INTEGRATIONS = "integrations.manage"


def _permissions(sender, **_kwargs) -> list:
    """The roles this module grants its permissions to, as (role, permissions) pairs
    (``signals.role_permissions``)."""
    return [
        (TenantRole.CENTER_ADMIN, {MANAGE_INTEGRATIONS}),
        (GlobalRole.PLATFORM_ADMIN, {MANAGE_INTEGRATIONS}),
    ]


def connect_signals() -> None:
    """Grant this module's permissions (called from ``create_app``)."""
    signals.role_permissions.connect(_permissions)
