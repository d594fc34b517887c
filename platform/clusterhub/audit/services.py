"""Recording state changes in the append-only audit log."""

from sqlalchemy import event

from ..extensions import db
from ..tenancy.scoping import current_tenant_id, tenant_scope
from .models import AuditEntry


def record(action: str, target, *, actor=None, tenant_id=None, before=None, after=None) -> AuditEntry:
    """Add an audit entry to the current transaction; it commits (or rolls back) with the change itself.

    ``target`` is a model instance (its class name and id are stored) or a ``(type, id)`` pair.
    """
    if isinstance(target, tuple):
        target_type, target_id = target
    else:
        target_type, target_id = type(target).__name__, getattr(target, "id", None)
    if tenant_id is None:
        tenant_id = getattr(target, "tenant_id", None)
    entry = AuditEntry(
        tenant_id=tenant_id,
        actor_id=getattr(actor, "id", actor),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        before=_jsonable(before),
        after=_jsonable(after),
        token_label=_request_token_label(),
    )
    db.session.add(entry)
    if tenant_id is not None and current_tenant_id(db.session) != tenant_id:
        # A platform-level action about a tenant (e.g. creating it): the entry belongs to that tenant, and
        # Row-Level Security only accepts it inside that tenant's scope.
        with tenant_scope(db.session, tenant_id):
            db.session.flush()
    return entry


def _request_token_label() -> str | None:
    """The label of the API token the current request authenticated with, if any."""
    from flask import g, has_request_context

    if not has_request_context():
        return None
    token = g.get("api_token")
    return token.audit_label if token is not None else None


def snapshot(obj, fields) -> dict:
    """The values of ``fields`` on ``obj``, for the before/after of an entry."""
    return {name: getattr(obj, name) for name in fields}


def _jsonable(values):
    if values is None:
        return None
    return {
        key: (value if isinstance(value, (str, int, float, bool, type(None))) else str(value))
        for key, value in values.items()
    }


class AuditLogIsAppendOnly(RuntimeError):
    pass


def install(session_class) -> None:
    @event.listens_for(session_class, "before_flush")
    def _refuse_changes(db_session, flush_context, instances):
        for obj in list(db_session.dirty) + list(db_session.deleted):
            if isinstance(obj, AuditEntry):
                raise AuditLogIsAppendOnly("Audit entries cannot be changed or deleted")
