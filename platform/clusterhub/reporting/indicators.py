"""Indicators: one definition each, used by the dashboard, the exports, the API and the period reports.

An indicator computes its value for a :class:`Scope` (period and geographic filters), grouped by
``country``, ``district``, ``region`` or ``tenant``, with ONE aggregate SQL statement whatever the number
of tenants. Values are exact for every grouping (distinct counts are counted at the grouping level, ratios
and means are combined in SQL), so the same number appears wherever the indicator appears.

Statements run through :func:`execute`: across tenants inside the federal read scope (read-only), or
inside the caller's tenant scope for a center looking at its own figures.
"""

import re
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..accounts.models import Membership, TenantRole
from ..extensions import db
from ..regions.models import Region
from ..tenancy.models import Tenant, TenantStatus
from ..tenancy.scoping import federal_read_scope, in_federal_read
from .periods import Period

GROUPS = ("country", "district", "region", "tenant")


@dataclass(frozen=True)
class Scope:
    period: Period
    district: str | None = None
    region_id: int | None = None
    tenant_id: int | None = None
    specialisation: str | None = None


@dataclass(frozen=True)
class Indicator:
    key: str
    group: str  # the section of the dashboard: kpi, clusters, sessions, technoparks, projects, platform
    label: object
    definition: object
    unit: str  # count, people, thousand_rub, rub, percent, hours, score
    compute: Callable  # (scope, grouping) -> {group key: value}
    higher_is_better: bool = True
    # Additive: the value of an area is the sum of its regions' values (counts, sums). Distinct counts,
    # shares and means are not, and are computed at each grouping.
    additive: bool = True
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Breakdown:
    """A count split into categories (registrations by participant category, requests by status...)."""

    key: str
    group: str
    label: object
    definition: object
    categories: dict  # category -> label, in the order they are shown
    compute: Callable  # (scope) -> {(center id, category): count}, one statement


REGISTRY: dict[str, Indicator] = {}
BREAKDOWNS: dict[str, Breakdown] = {}
SECTIONS = {
    "kpi": _l("Key performance indicators of the centers"),
    "clusters": _l("Clusters"),
    "sessions": _l("Sessions"),
    "technoparks": _l("Technoparks"),
    "projects": _l("Joint projects and defenses"),
    "platform": _l("Platform"),
}


# Units whose values the statements round (to one decimal): adding rounded parts up would not give the
# rounded whole, so they are computed at each grouping like shares and means.
ROUNDED_UNITS = ("percent", "thousand_rub", "hours")
SPECIALISATION = re.compile(r"\d{2}(\.\d{1,2}){0,2}")


def indicator(key, group, label, definition, unit="count", higher_is_better=True, additive=None):
    """Register the decorated compute function as an indicator."""

    def decorator(compute):
        is_additive = unit not in ROUNDED_UNITS if additive is None else additive
        REGISTRY[key] = Indicator(key, group, label, definition, unit, compute, higher_is_better, is_additive)
        return compute

    return decorator


def breakdown(key, group, label, definition, categories):
    """Register the decorated compute function as a breakdown."""

    def decorator(compute):
        BREAKDOWNS[key] = Breakdown(key, group, label, definition, categories, compute)
        return compute

    return decorator


_GROUP_EXPRESSIONS = {"district": Region.federal_district, "region": Region.id, "tenant": Tenant.id}
COUNTRY = "RU"


def group_column(grouping: str):
    """The SQL expression a statement selects first (labelled ``g``) and groups by."""
    if grouping == "country":
        return sa.literal(COUNTRY).label("g")
    return _GROUP_EXPRESSIONS[grouping].label("g")


def grouped(statement, grouping: str):
    """Add the GROUP BY of ``grouping`` (none for the whole country: one aggregate row)."""
    if grouping == "country":
        return statement
    return statement.group_by(_GROUP_EXPRESSIONS[grouping])


def scoped(statement, scope: Scope, tenant_column):
    """Join the tenant and its region to ``statement`` and apply the geographic filters."""
    statement = statement.join(Tenant, Tenant.id == tenant_column).join(Region, Region.id == Tenant.region_id)
    return in_area(statement.where(Tenant.status == TenantStatus.ACTIVE), scope)


def in_area(statement, scope: Scope):
    """The scope's district, region and center, on a statement that already joins Tenant and Region."""
    if scope.district:
        statement = statement.where(Region.federal_district == scope.district)
    if scope.region_id:
        statement = statement.where(Region.id == scope.region_id)
    if scope.tenant_id:
        statement = statement.where(Tenant.id == scope.tenant_id)
    return statement


# Set by federal_reads() when the statements run on a session of their own (the replica, or a refresh).
reporting_session: ContextVar = ContextVar("reporting_session", default=None)


@contextmanager
def federal_reads(own_session: bool = False):
    """The federal read scope for indicator statements: on the replica when ``REPORTING_DATABASE_URL``
    is set, on a session of its own when asked (figures stored apart from the request's transaction),
    otherwise on the request's session."""
    replica = "reporting" in current_app.config.get("SQLALCHEMY_BINDS", {})
    if not replica and not own_session:
        with federal_read_scope(db.session):
            yield
        return
    session = Session(bind=db.engines["reporting"] if replica else db.engine)
    token = reporting_session.set(session)
    try:
        with federal_read_scope(session):
            yield
    finally:
        reporting_session.reset(token)
        session.close()


def in_period(column, scope: Scope):
    """``column`` (a timestamp) falls within the scope's period."""
    return sa.and_(column >= scope.period.start_dt, column < scope.period.end_dt)


def rows(statement):
    """Run a reporting statement: on the replica when configured, across tenants in the federal scope."""
    session = reporting_session.get() or db.session
    if in_federal_read(session):
        statement = statement.execution_options(cross_tenant=True)
    return session.execute(statement)


def execute(statement) -> dict:
    """Run a grouped statement (first column ``g``, second the value) and return ``{g: value}``."""
    return {row[0]: _number(row[1]) for row in rows(statement)}


def _number(value):
    if value is None:
        return 0
    if isinstance(value, float):
        return Decimal(str(round(value, 4)))
    return value


def aggregate(scope: Scope, grouping: str, model, value, *conditions) -> dict:
    """The common shape of an indicator: ``value`` over ``model``'s rows of the scope, grouped."""
    statement = sa.select(group_column(grouping), value).select_from(model)
    statement = scoped(statement, scope, model.tenant_id).where(*conditions)
    return execute(grouped(statement, grouping))


def by_center_and(scope: Scope, model, category, *conditions, joins=(), outer=False) -> dict:
    """``{(center id, category): count}`` of ``model``'s rows of the scope: the shape of a breakdown."""
    statement = sa.select(model.tenant_id, category, sa.func.count()).select_from(model)
    for target, on in joins:
        statement = statement.join(target, on, isouter=outer)
    statement = scoped(statement, scope, model.tenant_id).where(*conditions)
    return {
        (tenant, value): count for tenant, value, count in rows(statement.group_by(model.tenant_id, category))
    }


def compute(keys, scope: Scope, grouping: str) -> dict[str, dict]:
    """``{indicator key: {group key: value}}`` for the given indicators.

    Federal reads of the standard periods are sliced from the stored figures (:mod:`.summaries`); the
    rest runs one statement per indicator."""
    if grouping not in GROUPS:
        raise ValueError(grouping)
    from .summaries import stored_figures  # the summary table is built from these very definitions

    figures = stored_figures(scope)
    if figures is not None:
        results = {key: figures.slice(key, scope, grouping) for key in keys}
    else:
        results = {key: REGISTRY[key].compute(scope, grouping) for key in keys}
    if grouping == "country":  # an aggregate over no rows still answers, with zero
        results = {key: values or {COUNTRY: 0} for key, values in results.items()}
    return results


# --- platform indicators (always available) -------------------------------------------------------


@indicator(
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


@indicator(
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


def load_sources() -> None:
    """Import the indicator definitions of every module (they register themselves)."""
    from .sources import clusters, events, kpi, meetings, projects, technoparks  # noqa: F401
