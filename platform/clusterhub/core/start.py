"""What a signed-in user has to do next, across the centers they belong to (the "my start page").

The start page reads the user's own rows in every tenant — their memberships and the registrations made
by or for them — inside ``federal_read_scope`` with ``cross_tenant=True``. The statements are restricted
to that user, read-only, and listed in README with the other cross-tenant listings.
"""

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..accounts.models import Membership, TenantRole
from ..enterprises.services import represented_enterprises
from ..events.models import Registration
from ..extensions import db
from ..tenancy.models import Tenant, TenantStatus
from ..tenancy.scoping import federal_read_scope


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
    with federal_read_scope(db.session):
        roles = db.session.execute(
            sa.select(Membership.role, Tenant)
            .join(Tenant, Tenant.id == Membership.tenant_id)
            .where(Membership.user_id == user.id, Tenant.status == TenantStatus.ACTIVE)
            .order_by(Tenant.name_ru)
            .execution_options(cross_tenant=True)
        ).all()
        for role, tenant in roles:
            centers[tenant.id] = CenterWork(tenant, role=role)
        registrations = db.session.execute(
            sa.select(Tenant, sa.func.count(Registration.id))
            .join(Tenant, Tenant.id == Registration.tenant_id)
            .where(
                sa.or_(Registration.email == user.email, Registration.registered_by_id == user.id),
                Tenant.status == TenantStatus.ACTIVE,
            )
            .group_by(Tenant.id)
            .order_by(Tenant.name_ru)
            .execution_options(cross_tenant=True)
        ).all()
        for tenant, count in registrations:
            centers.setdefault(tenant.id, CenterWork(tenant)).registrations = count
    return StartPage(centers=list(centers.values()), enterprises=represented_enterprises(user))
