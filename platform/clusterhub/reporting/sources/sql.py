"""Small SQL helpers that read the same on SQLite and PostgreSQL."""

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


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
