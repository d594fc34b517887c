"""Billing permissions, granted at import (the views import this module)."""

from ..accounts.authz import register_permissions
from ..accounts.models import GlobalRole, TenantRole

# A center's administrator sees the subscription, pays, keeps the requisites, downloads invoices and acts.
MANAGE_BILLING = "billing.manage"
# The platform admin edits plans, sets subscriptions and records bank payments. Never the federal analyst.
PLATFORM_BILLING = "billing.platform"

register_permissions(TenantRole.CENTER_ADMIN, {MANAGE_BILLING})
register_permissions(GlobalRole.PLATFORM_ADMIN, {MANAGE_BILLING, PLATFORM_BILLING})
