"""Pagination of a select statement: one COUNT and one page query, whatever the page."""

import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import request

from ..extensions import db


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def clamp_page(page: int | None, total: int, per_page: int) -> int:
    """A page number between 1 and the last page: a huge ``?page=`` would overflow the database's OFFSET."""
    last = max(1, math.ceil(total / per_page))
    return min(max(1, page or 1), last)


def paginate(statement: Any, per_page: int = 25, page: int | None = None, scalars: bool = True) -> Page:
    if page is None:
        page = request.args.get("page", 1, type=int)
    count = sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
    # Keep the statement's execution options (e.g. cross_tenant for federal listings) on the COUNT.
    total = db.session.scalar(count.execution_options(**statement.get_execution_options()))
    page = clamp_page(page, total or 0, per_page)
    query = statement.limit(per_page).offset((page - 1) * per_page)
    result = db.session.scalars(query) if scalars else db.session.execute(query)
    return Page(
        items=list(result.unique().all() if scalars else result.all()),
        page=page,
        per_page=per_page,
        total=total or 0,
    )
