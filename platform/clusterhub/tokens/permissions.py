"""Who manages a center's integrations (API tokens and webhooks), granted at import (views import this)."""

from ..accounts.authz import register_permissions
from ..accounts.models import GlobalRole, TenantRole

# A center's administrator issues and revokes its tokens and subscribes its webhooks; center staff do not
# (a token may change data in several areas at once). Never a token's own permission (its area,
# "integrations", has no scope).
MANAGE_INTEGRATIONS = "integrations.manage"

register_permissions(TenantRole.CENTER_ADMIN, {MANAGE_INTEGRATIONS})
register_permissions(GlobalRole.PLATFORM_ADMIN, {MANAGE_INTEGRATIONS})
