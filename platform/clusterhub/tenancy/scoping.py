"""Automatic tenant scoping for the ORM.

Every model that inherits :class:`TenantOwned` carries ``tenant_id``. While a tenant scope is open
(:func:`tenant_scope`), one ``do_orm_execute`` hook adds ``tenant_id = <scope>`` to every ORM statement
that touches such a model, and one ``before_flush`` hook stamps ``tenant_id`` on new rows and refuses rows
of another tenant. With no scope open, querying a tenant-owned model raises :class:`TenantScopeError`
(a forgotten filter fails loudly instead of returning everyone's rows).

The only way across tenants is :func:`federal_read_scope` together with the execution option
``cross_tenant=True`` on the statement: read-only, and reserved for the federal reporting layer.

On PostgreSQL each transaction additionally carries ``app.tenant_id`` / ``app.federal_read`` (set with
``set_config(..., true)``) so that Row-Level Security enforces the same rule for raw SQL.
"""

from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import event, text
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, scoped_session, with_loader_criteria

TENANT_KEY = "clusterhub.tenant_id"
FEDERAL_KEY = "clusterhub.federal_read"
CROSS_TENANT_OPTION = "cross_tenant"


class TenantScopeError(RuntimeError):
    """A tenant-owned model was used outside a tenant scope, or across tenants without permission."""


_tenant_owned_classes: list[type] = []


class TenantOwned:
    """Mixin for rows that belong to one tenant.

    ``tenant_id`` is the first column of the table's composite indexes and of every foreign key to
    another tenant-owned table (see :func:`tenant_fk`), so a row can never point into another tenant.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _tenant_owned_classes.append(cls)

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy declared_attr
        return mapped_column(sa.ForeignKey("tenants.id", ondelete="RESTRICT"), nullable=False, index=True)

    @declared_attr.directive
    def __table_args__(cls):  # noqa: N805
        # (tenant_id, id) is unique so that other tenant-owned tables can reference it compositely.
        extra = getattr(cls, "__tenant_table_args__", ())
        return (sa.UniqueConstraint("tenant_id", "id"), *extra)


def tenant_fk(column: str, target: str, ondelete: str | None = "CASCADE") -> sa.ForeignKeyConstraint:
    """A foreign key from a tenant-owned table to another one that includes ``tenant_id``.

    ``tenant_fk("event_id", "events")`` makes ``(tenant_id, event_id) -> events(tenant_id, id)``.
    """
    return sa.ForeignKeyConstraint(
        ["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"], ondelete=ondelete
    )


def current_tenant_id(db_session: Session) -> int | None:
    return db_session.info.get(TENANT_KEY)


def in_federal_read(db_session: Session) -> bool:
    return bool(db_session.info.get(FEDERAL_KEY))


def _apply_to_transaction(db_session: Session) -> None:
    """Re-set the PostgreSQL GUCs when the scope changes inside an open transaction."""
    if isinstance(db_session, scoped_session):
        db_session = db_session()
    transaction = db_session.get_transaction()
    if transaction is None or not transaction.is_active:
        return  # nothing open, or a failed flush: only a rollback can follow, and it resets the settings
    if db_session.get_bind().dialect.name == "postgresql":
        try:
            _set_pg_scope(db_session.connection(), db_session)
        except sa.exc.InternalError as exc:
            # The transaction already failed (the error is on its way up); it can only be rolled back,
            # which resets these transaction-local settings anyway.
            if getattr(exc.orig, "sqlstate", None) != "25P02":
                raise
        except sa.exc.PendingRollbackError:
            # A flush failed inside the scope (e.g. a composite tenant foreign key refused a row): the
            # session already rolled the transaction back, so there is nothing to re-set.
            pass


def _set_pg_scope(connection, db_session: Session) -> None:
    tenant_id = db_session.info.get(TENANT_KEY)
    connection.execute(
        text("SELECT set_config('app.tenant_id', :t, true), set_config('app.federal_read', :f, true)"),
        {"t": "" if tenant_id is None else str(tenant_id), "f": "on" if in_federal_read(db_session) else ""},
    )


@contextmanager
def tenant_scope(db_session: Session, tenant_id: int):
    """Run the block with ``tenant_id`` as the only tenant visible to the ORM (and to RLS)."""
    if tenant_id is None:
        raise TenantScopeError("tenant_scope needs a tenant id")
    previous = db_session.info.get(TENANT_KEY)
    db_session.info[TENANT_KEY] = tenant_id
    if previous != tenant_id:  # re-entering the same scope changes nothing: no round trip to PostgreSQL
        _apply_to_transaction(db_session)
    try:
        yield tenant_id
        # What was changed inside the scope is written inside it (RLS checks rows against this tenant).
        if previous != tenant_id and (db_session.new or db_session.dirty or db_session.deleted):
            db_session.flush()
    finally:
        db_session.info[TENANT_KEY] = previous
        if previous != tenant_id:
            _apply_to_transaction(db_session)


def set_request_tenant(db_session: Session, tenant_id: int | None) -> None:
    """Open (or, with ``None``, close) the scope for the rest of a request; teardown clears it."""
    db_session.info[TENANT_KEY] = tenant_id
    _apply_to_transaction(db_session)


@contextmanager
def federal_read_scope(db_session: Session):
    """Allow statements marked ``cross_tenant=True`` to read every tenant. Nothing can be written."""
    previous = db_session.info.get(FEDERAL_KEY)
    db_session.info[FEDERAL_KEY] = True
    if not previous:  # nested in another federal read scope: the settings are already on
        _apply_to_transaction(db_session)
    try:
        yield
    finally:
        db_session.info[FEDERAL_KEY] = previous
        if not previous:
            _apply_to_transaction(db_session)


def tenant_owned_tables() -> set:
    return {cls.__table__ for cls in _tenant_owned_classes if hasattr(cls, "__table__")}


def _touches_tenant_owned(statement) -> bool:
    # Walk the whole statement (subqueries, joins, IN-clauses), not just its top-level entities: a
    # COUNT over a subquery of a tenant-owned model must be scoped as well.
    tables = tenant_owned_tables()
    found = sa.sql.util.find_tables(
        statement, include_crud=True, include_joins=True, include_aliases=True, check_columns=True
    )
    return any(table in tables or getattr(table, "element", None) in tables for table in found)


def install(session_class) -> None:
    """Attach the scoping hooks to a Session class (done once, at import of the application)."""

    @event.listens_for(session_class, "do_orm_execute")
    def _scope_statement(orm_execute_state):
        if orm_execute_state.is_column_load or orm_execute_state.is_relationship_load:
            return  # the parent statement already carried the criteria (propagated to loaders)
        if not (orm_execute_state.is_select or orm_execute_state.is_update or orm_execute_state.is_delete):
            return
        if not _touches_tenant_owned(orm_execute_state.statement):
            return
        db_session = orm_execute_state.session
        if orm_execute_state.execution_options.get(CROSS_TENANT_OPTION):
            if not in_federal_read(db_session):
                raise TenantScopeError("cross_tenant reads are reserved for the federal read scope")
            if not orm_execute_state.is_select:
                raise TenantScopeError("the federal read scope cannot change rows")
            return
        tenant_id = current_tenant_id(db_session)
        if tenant_id is None:
            raise TenantScopeError(
                "A tenant-owned model was queried outside a tenant scope; open tenant_scope() or, "
                "for federal reporting, federal_read_scope() with cross_tenant=True"
            )
        orm_execute_state.statement = orm_execute_state.statement.options(
            with_loader_criteria(TenantOwned, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
        )

    @event.listens_for(session_class, "before_flush")
    def _stamp_and_check(db_session, flush_context, instances):
        tenant_id = current_tenant_id(db_session)
        for obj in db_session.new:
            if not isinstance(obj, TenantOwned):
                continue
            if tenant_id is None:
                raise TenantScopeError(f"Cannot add {type(obj).__name__} outside a tenant scope")
            if obj.tenant_id is None:
                obj.tenant_id = tenant_id
            elif obj.tenant_id != tenant_id:
                raise TenantScopeError(f"{type(obj).__name__} belongs to another tenant")
        for obj in list(db_session.dirty) + list(db_session.deleted):
            if isinstance(obj, TenantOwned) and obj.tenant_id != tenant_id:
                raise TenantScopeError(f"Cannot change {type(obj).__name__} of another tenant")

    @event.listens_for(session_class, "after_begin")
    def _set_rls_scope(db_session, transaction, connection):
        # Transaction-local settings start empty in every transaction, so only a scope needs setting.
        has_scope = db_session.info.get(TENANT_KEY) is not None or in_federal_read(db_session)
        if has_scope and connection.dialect.name == "postgresql":
            _set_pg_scope(connection, db_session)
