"""Indicators of the platform itself: the centers working on it and their staff."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ...accounts.models import Membership, TenantRole
from ...core import signals
from ...regions.models import Region
from ...tenancy.models import Tenant, TenantStatus
from ..registry import Source
from ..sql import execute, group_column, grouped, in_area, scoped

source = Source()


@source.indicator(
    "centers",
    "platform",
    _l("Centers"),
    _l("Regional cluster development centers working on the platform (not suspended)."),
)
def _centers(scope, grouping):
    statement = sa.select(group_column(grouping), sa.func.count(Tenant.id)).select_from(Tenant)
    statement = statement.join(Region, Region.id == Tenant.region_id).where(
        Tenant.status == TenantStatus.ACTIVE
    )
    return execute(grouped(in_area(statement, scope), grouping))


@source.indicator(
    "staff",
    "platform",
    _l("Center staff"),
    _l("People with the role of center administrator or center staff member."),
    unit="people",
)
def _staff(scope, grouping):
    statement = sa.select(group_column(grouping), sa.func.count(Membership.id)).select_from(Membership)
    statement = scoped(statement, scope, Membership.tenant_id).where(
        Membership.role.in_([TenantRole.CENTER_ADMIN, TenantRole.CENTER_STAFF])
    )
    return execute(grouped(statement, grouping))


def connect_signals() -> None:
    """Answer ``signals.indicator_sources`` with this module's indicators (called from ``create_app``)."""
    signals.indicator_sources.connect(source.answer)
