"""What a signed-in user has to do next, across the centers they belong to (the "my start page").

The start page reads the user's own rows in every tenant — their memberships and the registrations made
by or for them — through the named cross-tenant reads ``own_roles`` and ``own_registration_counts`` of
:mod:`clusterhub.tenancy.cross_tenant`, restricted to that user and read-only. The enterprises they
represent come from the enterprises module, which answers ``signals.represented_enterprises``.
"""

from dataclasses import dataclass, field
from typing import Any

from ..accounts.models import TenantRole
from ..tenancy import cross_tenant
from ..tenancy.models import Tenant
from . import signals


@dataclass
class CenterWork:
    """One center where the user has a role or registrations."""

    tenant: Tenant
    role: str | None = None
    registrations: int = 0


@dataclass
class StartPage:
    centers: list[CenterWork] = field(default_factory=list)
    enterprises: list[Any] = field(default_factory=list)

    @property
    def staff_centers(self) -> list[CenterWork]:
        return [c for c in self.centers if c.role in (TenantRole.CENTER_ADMIN, TenantRole.CENTER_STAFF)]

    @property
    def expert_centers(self) -> list[CenterWork]:
        return [c for c in self.centers if c.role == TenantRole.EXPERT]

    @property
    def registration_centers(self) -> list[CenterWork]:
        return [c for c in self.centers if c.registrations]


def start_page_of(user: Any) -> StartPage:
    """The centers where ``user`` works or is registered, and the enterprises they represent."""
    centers: dict[int, CenterWork] = {}
    for role, tenant in cross_tenant.own_roles(user.id):
        centers[tenant.id] = CenterWork(tenant, role=role)
    for tenant, count in cross_tenant.own_registration_counts(user.id, user.email):
        centers.setdefault(tenant.id, CenterWork(tenant)).registrations = count
    enterprises = [
        e for answer in signals.answers(signals.represented_enterprises, user) for e in answer or ()
    ]
    return StartPage(centers=list(centers.values()), enterprises=enterprises)
