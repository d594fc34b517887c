"""Files people upload (dossier documents, cluster documents, technopark photos, request attachments):
one set of columns for the row, one way to store the bytes and one way to remove them.

The bytes live in the storage backend (``current_app.extensions["storage"]``) under a key that begins
with the center's slug, so a center's files can be counted, exported and erased together; the row keeps
the name the person gave the file, its checked content type and its size. A file is removed from the
storage only after the request's transaction commits, so a rolled-back request keeps the file its row
still points to; and a file stored during a request whose transaction then rolls back is deleted from the
storage, so no file is left without its row.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..tenancy.models import Tenant, utcnow
from . import signals
from .unit_of_work import after_commit, after_rollback
from .uploads import Upload

__all__ = ["StoredFile", "discard", "store"]


class StoredFile:
    """Columns of an uploaded file kept in the storage backend (the bytes live there, not in the
    database). Mix into a tenant-owned model before ``db.Model``."""

    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column()
    storage_key: Mapped[str] = mapped_column(sa.String(300), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


Stored = TypeVar("Stored", bound=StoredFile)


def store(
    tenant_id: int,
    folder: str,
    upload: Upload,
    model: Callable[..., Stored],
    *,
    actor: Any = None,
    **columns: Any,
) -> Stored:
    """Save a checked ``upload`` under ``<center>/<folder>/<random name>`` and return a new ``model``
    row for it, added to the database session and flushed.

    Before anything is written, :data:`~clusterhub.core.signals.file_storing` lets the billing module
    refuse a file that would pass the center's storage limit (it raises ``LimitReached``). If the request's
    transaction then rolls back, the file is deleted from the storage again."""
    tenant = db.session.get(Tenant, tenant_id)
    assert tenant is not None
    signals.file_storing.send(tenant, size=len(upload.data))
    key = f"{tenant.slug}/{folder}/{secrets.token_hex(12)}{upload.extension}"
    storage = current_app.extensions["storage"]
    storage.save(key, io.BytesIO(upload.data), upload.content_type)
    after_rollback(lambda: storage.delete(key))  # no row will point to it
    stored = model(
        filename=upload.name,
        content_type=upload.content_type,
        size=len(upload.data),
        storage_key=key,
        uploaded_by_id=getattr(actor, "id", None),
        **columns,
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def discard(stored: StoredFile) -> None:
    """Delete the row now and its bytes once the request's transaction has committed."""
    storage, key = current_app.extensions["storage"], stored.storage_key
    db.session.delete(stored)
    db.session.flush()
    after_commit(lambda: storage.delete(key))
