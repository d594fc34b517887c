"""The SQL of the federal reporting: the scope of a figure (period, district, region, center), the grouping
by country, federal district, region or center, and how the statements run (across tenants inside the
federal read scope, on the replica when there is one, or inside the caller's tenant scope for a center
looking at its own figures). Depends on the models and the tenancy scope alone: the indicator definitions
(``sources/*``) build their statements with it.
"""

import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement

from ..extensions import db
from ..regions.models import Region
from ..tenancy.models import Tenant, TenantStatus
from ..tenancy.scoping import federal_read_scope, in_federal_read
from .periods import Period

GROUPS = ("country", "district", "region", "tenant")
SPECIALISATION = re.compile(r"\d{2}(\.\d{1,2}){0,2}")


@dataclass(frozen=True)
class Scope:
    period: Period
    district: str | None = None
    region_id: int | None = None
    tenant_id: int | None = None
    specialisation: str | None = None


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


# --- expressions that read the same on SQLite and PostgreSQL ---------------------------------------


class hours_between(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """Hours from the first timestamp to the second."""

    type = sa.Numeric()
    inherit_cache = True


@compiles(hours_between, "postgresql")
def _hours_pg(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)})) / 3600.0)"


@compiles(hours_between)
def _hours_default(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) * 24.0)"


def clip(value, low, high):
    """``value`` limited to [low, high] (both bounds are bound parameters)."""
    return sa.case((value < low, low), (value > high, high), else_=value)


def round1(expression):
    """Rounded to one decimal (PostgreSQL rounds only NUMERIC to a number of places)."""
    return sa.func.round(sa.cast(expression, sa.Numeric), 1)


def percent(numerator, denominator):
    """A percentage with one decimal, NULL when the denominator is zero."""
    return round1(100.0 * numerator / sa.func.nullif(denominator, 0))
