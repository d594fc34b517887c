"""Automatic tenant scoping for the ORM.

Every model that inherits :class:`TenantOwned` carries ``tenant_id``. While a tenant scope is open
(:func:`tenant_scope`), one ``do_orm_execute`` hook adds ``tenant_id = <scope>`` to every ORM statement
that touches such a model, and one ``before_flush`` hook stamps ``tenant_id`` on new rows and refuses rows
of another tenant. With no scope open, querying a tenant-owned model raises :class:`TenantScopeError`
(a forgotten filter fails loudly instead of returning everyone's rows). The same hook covers relationship
loads, refuses statements that reach a tenant-owned table outside a mapped entity (``Model.__table__``,
its columns, ``sa.table()``: the criteria cannot reach them, and on SQLite nothing else would), and checks
the ``tenant_id`` an INSERT or UPDATE statement writes.

The only way across tenants is :func:`federal_read_scope` together with the execution option
``cross_tenant=True`` on the statement: read-only, and reserved for the federal reporting layer.

On PostgreSQL each transaction additionally carries ``app.tenant_id`` / ``app.federal_read`` (set with
``set_config(..., true)``) so that Row-Level Security enforces the same rule for raw SQL.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, text
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, scoped_session, with_loader_criteria

TENANT_KEY = "clusterhub.tenant_id"
FEDERAL_KEY = "clusterhub.federal_read"
CROSS_TENANT_OPTION = "cross_tenant"
# A plain Session or Flask-SQLAlchemy's request-scoped proxy of one (``db.session``).
AnySession = Session | scoped_session[Any]


class TenantScopeError(RuntimeError):
    """A tenant-owned model was used outside a tenant scope, or across tenants without permission."""


_tenant_owned_classes: list[type] = []


class TenantOwned:
    """Mixin for rows that belong to one tenant.

    ``tenant_id`` is the first column of the table's composite indexes and of every foreign key to
    another tenant-owned table (see :func:`tenant_fk`), so a row can never point into another tenant.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _tenant_owned_classes.append(cls)

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy declared_attr
        return mapped_column(sa.ForeignKey("tenants.id", ondelete="RESTRICT"), nullable=False, index=True)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:  # noqa: N805
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


def current_tenant_id(db_session: AnySession) -> int | None:
    return db_session.info.get(TENANT_KEY)


def in_federal_read(db_session: AnySession) -> bool:
    return bool(db_session.info.get(FEDERAL_KEY))


def _apply_to_transaction(any_session: AnySession) -> None:
    """Re-set the PostgreSQL GUCs when the scope changes inside an open transaction."""
    db_session = any_session() if isinstance(any_session, scoped_session) else any_session
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


def _set_pg_scope(connection: sa.Connection, db_session: AnySession) -> None:
    tenant_id = db_session.info.get(TENANT_KEY)
    connection.execute(
        text("SELECT set_config('app.tenant_id', :t, true), set_config('app.federal_read', :f, true)"),
        {"t": "" if tenant_id is None else str(tenant_id), "f": "on" if in_federal_read(db_session) else ""},
    )


@contextmanager
def tenant_scope(db_session: AnySession, tenant_id: int | None) -> Iterator[int]:
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


def set_request_tenant(db_session: AnySession, tenant_id: int | None) -> None:
    """Open (or, with ``None``, close) the scope for the rest of a request; teardown clears it."""
    db_session.info[TENANT_KEY] = tenant_id
    _apply_to_transaction(db_session)


@contextmanager
def federal_read_scope(db_session: AnySession) -> Iterator[None]:
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


def tenant_owned_tables() -> set[sa.Table]:
    return {cls.__table__ for cls in _tenant_owned_classes if hasattr(cls, "__table__")}


_known_tables: tuple[int, frozenset[sa.Table], frozenset[str]] = (0, frozenset(), frozenset())


def _tenant_tables_and_names() -> tuple[frozenset[sa.Table], frozenset[str]]:
    """The tenant-owned tables and their names, rebuilt only when a module declared another model."""
    global _known_tables
    if _known_tables[0] != len(_tenant_owned_classes):
        tables = frozenset(tenant_owned_tables())
        _known_tables = (len(_tenant_owned_classes), tables, frozenset(t.name for t in tables))
    return _known_tables[1], _known_tables[2]


def mapped_attribute(table: sa.Table, column_name: str) -> Any:
    """``Model.column`` for a tenant-owned ``table`` and one of its columns.

    Code that walks the metadata (every table with a ``storage_key``, every reference to an enterprise)
    must still query through the model: the tenant guard refuses plain tables and their columns.
    """
    model = next(cls for cls in _tenant_owned_classes if getattr(cls, "__table__", None) is table)
    return getattr(model, sa.inspect(model).get_property_by_column(table.c[column_name]).key)


def _tenant_table(from_clause: Any, tables: frozenset[sa.Table], names: frozenset[str]) -> Any:
    """The tenant-owned table behind ``from_clause`` (through aliases), or None."""
    while isinstance(from_clause, sa.sql.selectable.Alias):
        from_clause = from_clause.element
    if not isinstance(from_clause, sa.sql.selectable.TableClause):
        return None
    # A lightweight ``sa.table("invitations")`` is a different object with the same name: match names too.
    if from_clause.name not in names:
        return None
    return from_clause._deannotate() if hasattr(from_clause, "_deannotate") else from_clause


def _maps_an_entity(element: Any) -> bool:
    """Was ``element`` produced from a mapped class (``Invitation.email``, ``update(Invitation)``)?
    Only those are reached by ``with_loader_criteria``; ``Invitation.__table__.c.email`` is not."""
    return "parententity" in getattr(element, "_annotations", {})


def _tenant_tables_in(statement: Any) -> tuple[bool, bool]:
    """(Does ``statement`` touch a tenant-owned table? Does it touch one outside a mapped entity?)

    Walks the whole statement (subqueries, joins, IN-clauses, EXISTS, CTEs), not just its top-level
    entities: a COUNT over a subquery of a tenant-owned model must be scoped as well.
    """
    tables, names = _tenant_tables_and_names()
    touches = unmapped = False

    def check_from(from_clause: Any) -> None:
        nonlocal touches, unmapped
        if isinstance(from_clause, sa.sql.selectable.Join):
            check_from(from_clause.left)
            check_from(from_clause.right)
        elif _tenant_table(from_clause, tables, names) is not None:
            touches = True
            unmapped = unmapped or not _maps_an_entity(from_clause)

    def check_column(column: Any) -> None:
        nonlocal touches, unmapped
        if _tenant_table(column.table, tables, names) is not None:
            touches = True
            unmapped = unmapped or not _maps_an_entity(column)

    def is_column(element: Any) -> bool:
        return (
            isinstance(element, sa.sql.elements.ColumnClause) and getattr(element, "table", None) is not None
        )

    # What a statement selects from and writes to must come from a mapped entity. Columns elsewhere (in
    # WHERE) only count as touching the table: the ORM itself writes the mapper's plain columns there
    # (``session.get``, lazy loads), and the entity they filter is scoped.
    element: Any
    for element in sa.sql.visitors.iterate(statement):
        if isinstance(element, sa.sql.Select):
            for column in element._raw_columns:
                if isinstance(column, sa.sql.expression.FromClause):
                    check_from(column)  # select(Model) lists the (annotated) table itself
                    continue
                for part in sa.sql.visitors.iterate(column):
                    if is_column(part):
                        check_column(part)
            for from_clause in element._from_obj:
                check_from(from_clause)
            for join in element._setup_joins:
                check_from(join[0])
        elif isinstance(element, sa.sql.dml.UpdateBase):
            check_from(element.table)
        elif isinstance(element, sa.sql.selectable.Join):
            check_from(element)
        elif is_column(element) and _tenant_table(element.table, tables, names) is not None:
            touches = True
    return touches, unmapped


def _inserted_tenant_ids(orm_execute_state: sa.orm.ORMExecuteState) -> list[Any]:
    """Every ``tenant_id`` an INSERT (or UPDATE) would write: from ``.values()`` and from the parameters."""
    statement: Any = orm_execute_state.statement
    found: list[Any] = []
    value_sets = [statement._values or {}] + [row for rows in (statement._multi_values or ()) for row in rows]
    for values in value_sets:
        for key, value in values.items() if isinstance(values, dict) else ():
            if getattr(key, "key", key) == "tenant_id":
                if not isinstance(value, sa.sql.elements.BindParameter):
                    raise TenantScopeError("tenant_id can only be written as a value, not an SQL expression")
                found.append(value.value)
    parameters = orm_execute_state.parameters
    rows = parameters if isinstance(parameters, list | tuple) else [parameters] if parameters else []
    found += [row["tenant_id"] for row in rows if isinstance(row, dict) and "tenant_id" in row]
    return found


def _check_written_tenant(orm_execute_state: sa.orm.ORMExecuteState, tenant_id: int) -> None:
    statement: Any = orm_execute_state.statement
    if orm_execute_state.is_insert and getattr(statement, "select", None) is not None:
        raise TenantScopeError("INSERT ... SELECT into a tenant-owned table cannot be checked; insert rows")
    for value in _inserted_tenant_ids(orm_execute_state):
        if value != tenant_id:
            raise TenantScopeError("A statement would write a row of another tenant")


def install(session_class: type[Session]) -> None:
    """Attach the scoping hooks to a Session class (done once, at import of the application).

    What the hooks cover: every statement run through the Session (``db.session.execute``/``scalars``,
    ``Query``), ORM or Core, including relationship loads. What they cannot see: SQL sent on a connection
    (``db.session.connection().execute(...)``, ``engine.connect()``) and ``text()`` — PostgreSQL's
    Row-Level Security is the backstop there. Attribute refreshes of an object already held (column loads,
    by primary key) are not checked either.
    """

    @event.listens_for(session_class, "do_orm_execute")
    def _scope_statement(orm_execute_state: sa.orm.ORMExecuteState) -> None:
        if orm_execute_state.is_column_load:
            return  # refreshing an object the caller already holds, by its primary key
        touches, unmapped = _tenant_tables_in(orm_execute_state.statement)
        if not touches:
            return
        db_session = orm_execute_state.session
        if orm_execute_state.execution_options.get(CROSS_TENANT_OPTION):
            if not in_federal_read(db_session):
                raise TenantScopeError("cross_tenant reads are reserved for the federal read scope")
            if not orm_execute_state.is_select:
                raise TenantScopeError("the federal read scope cannot change rows")
            return
        if orm_execute_state.is_relationship_load and in_federal_read(db_session):
            return  # loading the relationships of rows the federal read scope read (reads only)
        tenant_id = current_tenant_id(db_session)
        if tenant_id is None:
            raise TenantScopeError(
                "A tenant-owned model was queried outside a tenant scope; open tenant_scope() or, "
                "for federal reporting, federal_read_scope() with cross_tenant=True"
            )
        if unmapped and not orm_execute_state.is_relationship_load:  # the ORM writes those from the mapper
            # with_loader_criteria reaches mapped entities only: a Table or its columns would see every
            # tenant's rows on SQLite. Refuse rather than guess.
            raise TenantScopeError(
                "A tenant-owned table is used outside a mapped entity (Model.__table__, its columns, or "
                "sa.table()); select, update and delete through the model instead"
            )
        if orm_execute_state.is_insert or orm_execute_state.is_update:
            _check_written_tenant(orm_execute_state, tenant_id)
        if orm_execute_state.is_insert:
            return
        orm_execute_state.statement = orm_execute_state.statement.options(
            with_loader_criteria(TenantOwned, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
        )

    @event.listens_for(session_class, "before_flush")
    def _stamp_and_check(db_session: Session, flush_context: Any, instances: Any) -> None:
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
    def _set_rls_scope(db_session: Session, transaction: Any, connection: sa.Connection) -> None:
        # Transaction-local settings start empty in every transaction, so only a scope needs setting.
        has_scope = db_session.info.get(TENANT_KEY) is not None or in_federal_read(db_session)
        if has_scope and connection.dialect.name == "postgresql":
            _set_pg_scope(connection, db_session)
