"""``Idempotency-Key``: a client that cannot know whether its request arrived (a door scanner on a bad
network) sends it again with the same key, and gets the first answer again; nothing happens twice.

The key is claimed before the operation runs, in the same transaction: a second request with the key
waits on the first one's unique row (PostgreSQL) or on the database lock (SQLite), then replays its
answer. A refused request stores nothing (the unit of work rolls the claim back), so it may be retried."""

from datetime import timedelta
from functools import wraps

import sqlalchemy as sa
from flask import current_app, make_response, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..core.refusal import Refusal
from ..extensions import db
from ..tenancy.models import utcnow
from .models import IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
KEPT_FOR = timedelta(hours=24)


def _stored(key: str):
    return db.session.scalar(
        sa.select(IdempotentRequest).where(
            IdempotentRequest.user_id == current_user.id, IdempotentRequest.key == key
        )
    )


def _replay(row: IdempotentRequest, operation: str):
    if row.operation != operation:
        raise Refusal(_("This Idempotency-Key was already used for another request; use a new key."), HEADER)
    response = current_app.response_class(row.body, status=row.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def idempotent(view):
    """Let ``view`` (a POST) honour ``Idempotency-Key``; without the header it runs as usual."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = (request.headers.get(HEADER) or "").strip()
        if not key:
            return view(*args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise Refusal(_("The Idempotency-Key is longer than 200 characters."), HEADER)
        operation = f"{request.method} {request.path}"
        # Answers are kept for a day: older ones (of this center) go, so an old key may serve again.
        db.session.execute(
            sa.delete(IdempotentRequest).where(IdempotentRequest.created_at < utcnow() - KEPT_FOR)
        )
        existing = _stored(key)
        if existing is not None:
            return _replay(existing, operation)
        claim = IdempotentRequest(user_id=current_user.id, key=key, operation=operation, status=0, body="")
        db.session.add(claim)
        try:
            # The request's first write, without a savepoint (pysqlite would commit one on its own): a
            # concurrent request with the key waits here, then finds the key taken and replays.
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            return _replay(_stored(key), operation)
        response = make_response(view(*args, **kwargs))
        claim.status = response.status_code
        claim.body = response.get_data(as_text=True)
        return response

    return wrapper
