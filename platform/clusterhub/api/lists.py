"""Lists a client can sync: pages by cursor (stable while rows are added), ``updated_since`` to fetch
only what changed, and the filters each list declares in its query model."""

import base64
import binascii
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from pydantic import Field

from ..extensions import db
from .openapi import BadRequest, Query

MAX_LIMIT = 200


class ListQuery(Query):
    cursor: str | None = Field(
        None, description="next_cursor of the previous page; absent for the first page"
    )
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="items per page (at most 200)")
    updated_since: datetime | None = Field(
        None,
        description="only objects changed at or after this moment (ISO 8601; without a zone, UTC); "
        "pass the largest updated_at of the previous sync",
    )


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _sep, value = text.partition(":")
        if kind != "id" or not value.isdigit() or len(value) > 18:
            raise ValueError(text)
        return int(value)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise BadRequest(
            _("The cursor is not one this list gave; start again without it."), "cursor"
        ) from None


def naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def cursor_page(statement, model, params: ListQuery, *, updated_column=None) -> tuple[list, str | None]:
    """One page of ``statement`` (a select of ``model``) in id order after ``params.cursor``, changed
    since ``params.updated_since`` when given; and the cursor of the next page (None on the last one).

    Id order makes a page boundary stable: rows added while a client walks the pages come at the end."""
    if params.cursor:
        statement = statement.where(model.id > decode_cursor(params.cursor))
    if params.updated_since is not None:
        column = updated_column if updated_column is not None else model.updated_at
        statement = statement.where(column >= naive_utc(params.updated_since))
    rows = (
        db.session.scalars(statement.order_by(None).order_by(model.id).limit(params.limit + 1)).unique().all()
    )
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    return rows, (encode_cursor(rows[-1].id) if more and rows else None)


def where_equal(statement, column, value):
    return statement if value is None else statement.where(column == value)


__all__ = ["ListQuery", "cursor_page", "where_equal", "sa"]
