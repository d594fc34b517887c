"""Each worker keeps the centers' rows it has read, checked on every request against one version counter
in Redis that every change of a center bumps after its commit.

A tenant page then needs no database round trip for tenancy at all: the row comes from the worker and the
scope is set by the first statement's transaction (``after_begin``), so a page served from the page cache
does not touch PostgreSQL. A center suspended a moment ago is refused on the very next request, by every
worker of every pod: the counter moved, so each worker drops its rows and reads them again. Without Redis
(a local run) or while it does not answer, the row is read from the database on every request as before.
If a bump is lost (Redis down at the moment of the commit), rows older than ``MAX_AGE_SECONDS`` are read
again anyway.
"""

import hashlib
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from flask import g, has_request_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict

from ..regions.models import Region
from .models import Tenant
from .scoping import TenantOwned, current_tenant_id

VERSION_KEY = "clusterhub:tenants:version"
MAX_AGE_SECONDS = 30
_CHANGED = "clusterhub.tenant_rows_changed"
_CHANGED_CONTENT = "clusterhub.changed_tenants"


def content_key(tenant_id: int) -> str:
    return f"clusterhub:tenant:{tenant_id}:content"


PLATFORM_CONTENT_KEY = "clusterhub:content"


def content_version(store: Any, tenant_id: int | None) -> str | None:
    """A version of everything a center owns, for pages cached across workers: it moves after every commit
    that wrote a row of the center. With ``tenant_id`` None, the version of what all centers own together
    (for platform-wide pages built from the centers' rows, such as the service search). None without Redis (or while it does not answer): callers then read
    the version of what they show from the database.

    A bump lost while Redis was down must not keep a page stale for long, so the version also moves
    once a minute."""
    if store is None:
        return None
    read_with_the_row = _read_with_the_row()
    if read_with_the_row is not None and read_with_the_row[0] == tenant_id:
        counter = read_with_the_row[1]
    else:
        counter = store.get(PLATFORM_CONTENT_KEY if tenant_id is None else content_key(tenant_id))
    if counter is None and store.resting():
        return None
    return f"{(counter or b'0').decode()}:{int(time.time() // 60)}"


def _read_with_the_row() -> tuple[int, bytes | None] | None:
    """The center's content counter if it came with the rows' version at the start of this request
    (``TenantRows.version``): the page cache then needs no second round trip."""
    return g.get("content_counter") if has_request_context() else None


class _Kept(NamedTuple):
    """A center's row as this worker keeps it: plain values, never an ORM instance a request could touch."""

    tenant_id: int
    columns: dict[str, Any]
    region: dict[str, Any] | None  # its region's row (reference data, changed only by a migration)
    digest: str  # :func:`row_digest` of these values: the version of a page that shows the row alone
    read_at: float


# A copy of the kept row carries the digest of its values under this attribute (not a column).
KEPT_DIGEST = "_clusterhub_kept_digest"


class TenantRows:
    def __init__(self) -> None:
        self._rows: dict[str, _Kept] = {}
        self._version: bytes | None = None

    def version(self, store: Any, slug: str | None = None) -> bytes | None:
        """The current counter (read once per request, before any row), or None without Redis.

        When this worker keeps the row of ``slug``, the center's content counter comes in the same round
        trip, for :func:`content_version` later in the request."""
        if store is None:
            return None
        tenant_id = self.tenant_id(slug) if slug is not None else None
        try:
            if tenant_id is None:
                version = store.get(VERSION_KEY)
            else:
                version, counter = store.get_many([VERSION_KEY, content_key(tenant_id)])
                if has_request_context():
                    g.content_counter = (tenant_id, counter)
        except Exception:  # the store fails soft already; anything else must not cost the request
            return None
        if version is None and store.resting():
            return None
        version = version or b"0"
        if version != self._version:
            self._rows.clear()
            self._version = version
        return version

    def tenant_id(self, slug: str) -> int | None:
        """The id of a kept, current row of ``slug``, or None when it must be read."""
        entry = self._rows.get(slug)
        if entry is None or time.monotonic() - entry.read_at > MAX_AGE_SECONDS:
            return None
        return entry.tenant_id

    def get(self, slug: str) -> Tenant:
        """A new detached copy of the kept row of ``slug`` (with its region), for this request alone.

        Built from the kept values without a query or a session: the request may attach it to its session
        (``Session.add``: no query either) and change it, and the worker's values are never touched."""
        entry = self._rows[slug]
        tenant = _detached_copy(Tenant, entry.columns)
        if entry.region is not None:
            # Set as if loaded: attaching the center cascades to this copy, and a detached center still
            # shows its region.
            instance_dict(tenant)["region"] = _detached_copy(Region, entry.region)
        instance_dict(tenant)[KEPT_DIGEST] = entry.digest
        return tenant

    def has_region(self, slug: str) -> bool:
        return self._rows[slug].region is not None

    def keep(self, tenant: Tenant, version: bytes) -> None:
        if version != self._version:
            return
        region = instance_dict(tenant).get("region")  # joined with the row when it was read
        self._rows[tenant.slug] = _Kept(
            tenant.id,
            _column_values(tenant),
            _column_values(region) if region is not None else None,
            row_digest(tenant),
            time.monotonic(),
        )

    def forget(self) -> None:
        self._rows.clear()
        self._version = None


def row_digest(row: Any) -> str:
    """A short digest of every column of an ORM row: the version of a page that shows that row alone.

    A copy of a row this worker keeps carries the digest computed when the row was kept (while the request
    has not changed it), so a cached center home does not hash the row on every request."""
    digest: str | None = instance_dict(row).get(KEPT_DIGEST)
    if digest is not None and not inspect(row).modified:  # a flush, expiry or refresh drops it (below)
        return digest
    values = "\x1f".join(str(getattr(row, column.key)) for column in row.__table__.columns)
    return hashlib.blake2b(values.encode(), digest_size=8).hexdigest()


@event.listens_for(Tenant, "expire")
@event.listens_for(Tenant, "refresh")
def _drop_kept_digest(tenant: Tenant | None, *args: Any) -> None:
    """The copy's values may no longer be the kept ones: its digest is computed again when asked."""
    if tenant is not None:  # None: the instance is already gone (its state is expired on a commit)
        instance_dict(tenant).pop(KEPT_DIGEST, None)


def _column_values(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def _detached_copy(model: type, values: dict[str, Any]) -> Any:
    instance: Any = inspect(model).class_manager.new_instance()
    instance_dict(instance).update(values)
    make_transient_to_detached(instance)  # as if read by a session since closed: it has its identity
    return instance


rows = TenantRows()


def install(session_class: type[Session], store_of: Callable[[], Any]) -> None:
    """Bump the counter after every commit that changed a center's row. ``store_of()`` gives the Redis store
    of the running application (None without one)."""

    @event.listens_for(session_class, "before_flush")
    def _note_tenant_changes(db_session: Session, flush_context: object, instances: object) -> None:
        tenants = [
            o for o in (*db_session.new, *db_session.dirty, *db_session.deleted) if isinstance(o, Tenant)
        ]
        if tenants:
            for tenant in tenants:
                _drop_kept_digest(tenant)  # its values are no longer the kept ones
            db_session.info[_CHANGED] = True
            # Every page of a center shows its name: a change of the row is a change of its content too.
            db_session.info.setdefault(_CHANGED_CONTENT, set()).update(t.id for t in tenants)

    @event.listens_for(session_class, "before_flush")
    def _note_content_changes(db_session: Session, flush_context: object, instances: object) -> None:
        changed = {
            obj.tenant_id or current_tenant_id(db_session)
            for obj in (*db_session.new, *db_session.dirty, *db_session.deleted)
            if isinstance(obj, TenantOwned)
        }
        if changed:
            db_session.info.setdefault(_CHANGED_CONTENT, set()).update(changed)

    @event.listens_for(session_class, "do_orm_execute")
    def _note_bulk_changes(orm_execute_state: ORMExecuteState) -> None:
        state = orm_execute_state
        if (state.is_update or state.is_delete or state.is_insert) and current_tenant_id(state.session):
            state.session.info.setdefault(_CHANGED_CONTENT, set()).add(current_tenant_id(state.session))

    @event.listens_for(session_class, "after_commit")
    def _bump(db_session: Session) -> None:
        changed_tenants = db_session.info.pop(_CHANGED_CONTENT, None)
        tenant_rows_changed = db_session.info.pop(_CHANGED, False)
        if not (changed_tenants or tenant_rows_changed):
            return
        if tenant_rows_changed:
            rows.forget()
        store = store_of()
        if store is None:
            return
        if tenant_rows_changed:
            store.incr(VERSION_KEY)
        for tenant_id in changed_tenants or ():
            if tenant_id is not None:
                store.incr(content_key(tenant_id))
        if changed_tenants:
            store.incr(PLATFORM_CONTENT_KEY)

    @event.listens_for(session_class, "after_rollback")
    def _drop_note(db_session: Session) -> None:
        db_session.info.pop(_CHANGED, None)
        db_session.info.pop(_CHANGED_CONTENT, None)
