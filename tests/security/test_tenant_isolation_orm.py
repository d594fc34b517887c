"""Every tenant-owned model (found from the metadata) is scoped to one tenant by the ORM."""

import pytest
import sqlalchemy as sa

from clusterhub.extensions import db
from clusterhub.tenancy.scoping import TenantScopeError, federal_read_scope, tenant_owned_tables, tenant_scope
from tests.fixtures.generic_rows import RowBuilder, tenant_owned_models

MODELS = tenant_owned_models()


def test_tenant_owned_models_are_discovered():
    names = {model.__tablename__ for model in MODELS}
    assert {"memberships", "invitations"} <= names


@pytest.fixture
def two_tenants(make_tenant, make_user):
    a, b = make_tenant("komi"), make_tenant("tatarstan")
    return a, b, RowBuilder(make_user, {"a": a.id, "b": b.id})


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__tablename__)
def test_a_tenant_sees_only_its_rows(model, two_tenants):
    a, b, rows = two_tenants
    id_a, id_b = rows.build(model, a.id).id, rows.build(model, b.id).id
    db.session.commit()

    with tenant_scope(db.session, a.id):
        ids = set(db.session.scalars(sa.select(model.id)))
        assert id_a in ids and id_b not in ids
        assert db.session.scalar(sa.select(sa.func.count()).select_from(sa.select(model).subquery())) == len(
            ids
        )
        # consecutive scopes in one session bind different tenant ids
    with tenant_scope(db.session, b.id):
        ids_b = set(db.session.scalars(sa.select(model.id)))
        assert id_b in ids_b and id_a not in ids_b


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__tablename__)
def test_querying_without_a_scope_raises(model, two_tenants):
    with pytest.raises(TenantScopeError):
        db.session.scalars(sa.select(model)).all()
    with pytest.raises(TenantScopeError):
        db.session.scalar(sa.select(sa.func.count()).select_from(sa.select(model).subquery()))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__tablename__)
def test_cross_tenant_reads_only_in_the_federal_read_scope(model, two_tenants):
    a, b, rows = two_tenants
    id_a, id_b = rows.build(model, a.id).id, rows.build(model, b.id).id
    db.session.commit()
    statement = sa.select(model.id).execution_options(cross_tenant=True)
    with pytest.raises(TenantScopeError):
        db.session.scalars(statement).all()
    with tenant_scope(db.session, a.id), pytest.raises(TenantScopeError):
        db.session.scalars(statement).all()
    with federal_read_scope(db.session):
        assert {id_a, id_b} <= set(db.session.scalars(statement))


def test_new_rows_are_stamped_and_foreign_rows_refused(two_tenants, make_user):
    from clusterhub.accounts.models import Invitation

    a, b, _rows = two_tenants
    with tenant_scope(db.session, a.id):
        invitation = Invitation(email="x@example.com", role="center_staff")
        db.session.add(invitation)
        db.session.flush()
        assert invitation.tenant_id == a.id
        db.session.add(Invitation(email="y@example.com", role="center_staff", tenant_id=b.id))
        with pytest.raises(TenantScopeError):
            db.session.flush()
        db.session.rollback()


def test_rows_cannot_be_added_or_changed_outside_their_scope(two_tenants):
    from clusterhub.accounts.models import Invitation

    a, b, _rows = two_tenants
    db.session.add(Invitation(email="x@example.com", role="center_staff"))
    with pytest.raises(TenantScopeError):
        db.session.flush()
    db.session.rollback()
    with tenant_scope(db.session, a.id):
        invitation = Invitation(email="x@example.com", role="center_staff")
        db.session.add(invitation)
        db.session.flush()
    with tenant_scope(db.session, b.id):
        invitation.email = "changed@example.com"
        with pytest.raises(TenantScopeError):
            db.session.flush()
        db.session.rollback()


def test_federal_read_scope_cannot_write(two_tenants):
    from clusterhub.accounts.models import Invitation

    a, _b, _rows = two_tenants
    with federal_read_scope(db.session):
        db.session.add(Invitation(email="x@example.com", role="center_staff", tenant_id=a.id))
        with pytest.raises(TenantScopeError):
            db.session.flush()
        with pytest.raises(TenantScopeError):
            db.session.execute(
                sa.update(Invitation).values(email="z@example.com").execution_options(cross_tenant=True)
            )
    db.session.rollback()


def test_every_tenant_to_tenant_foreign_key_includes_tenant_id():
    """A tenant-owned row can never point into another tenant: its FKs to tenant-owned tables are
    composite (tenant_id, id) -> (tenant_id, id)."""
    tables = tenant_owned_tables()
    for table in tables:
        assert any(
            isinstance(c, sa.UniqueConstraint) and [col.name for col in c.columns] == ["tenant_id", "id"]
            for c in table.constraints
        ), f"{table.name} lacks UNIQUE (tenant_id, id)"
        for fk in table.foreign_key_constraints:
            if fk.referred_table in tables:
                local = [c.name for c in fk.columns]
                remote = [e.column.name for e in fk.elements]
                assert local[0] == "tenant_id" and remote[0] == "tenant_id", (
                    f"{table.name} -> {fk.referred_table.name} does not include tenant_id: {local} -> {remote}"
                )


def test_cross_tenant_reference_is_refused_by_the_schema(two_tenants):
    """For every composite tenant foreign key, pointing a row of A at a parent of B fails in the database."""
    a, b, rows = two_tenants
    tables = tenant_owned_tables()
    for table in tables:
        for fk in table.foreign_key_constraints:
            if fk.referred_table not in tables:
                continue
            parent_model = next(m for m in MODELS if m.__table__ is fk.referred_table)
            child_model = next(m for m in MODELS if m.__table__ is table)
            parent_b_id = rows.build(parent_model, b.id).id
            child_column = [c.name for c in fk.columns][1]
            db.session.commit()
            with pytest.raises((sa.exc.IntegrityError, TenantScopeError)):
                rows.build(child_model, a.id, **{child_column: parent_b_id})
                db.session.commit()
            db.session.rollback()


@pytest.fixture
def invitations_of_two_tenants(two_tenants):
    from clusterhub.accounts.models import Invitation

    a, b, _rows = two_tenants
    for tenant, email in ((a, "a@example.com"), (b, "b@example.com")):
        with tenant_scope(db.session, tenant.id):
            db.session.add(Invitation(email=email, role="center_staff"))
    db.session.commit()
    return a, b


def emails_of_every_tenant():
    """What the database holds, read as the owner (past the ORM and Row-Level Security)."""
    from flask import current_app

    with current_app.config["OWNER_ENGINE"].connect() as conn:
        return dict(conn.execute(sa.text("SELECT email, tenant_id FROM invitations")).all())


def test_core_statements_on_a_tenant_owned_table_are_refused(invitations_of_two_tenants):
    from clusterhub.accounts.models import Invitation

    a, b = invitations_of_two_tenants
    table = Invitation.__table__
    core_statements = [
        sa.select(table.c.email),
        sa.select(table),
        sa.select(sa.func.count()).select_from(table),
        sa.select(sa.literal_column("email")).select_from(sa.table("invitations")),
        sa.select(Invitation.id).where(Invitation.email.in_(sa.select(table.c.email))),
        sa.update(table).values(email="changed@example.com"),
        sa.delete(table),
        sa.insert(table).values(tenant_id=b.id, email="c@example.com", role="center_staff"),
    ]
    with tenant_scope(db.session, a.id):
        for statement in core_statements:
            with pytest.raises(TenantScopeError, match="outside a mapped entity"):
                db.session.execute(statement)
        # The same reads and writes through the model see and change tenant A's row only.
        assert db.session.scalars(sa.select(Invitation.email)).all() == ["a@example.com"]
        db.session.execute(sa.update(Invitation).values(email="a2@example.com"))
        db.session.commit()
    assert emails_of_every_tenant() == {"a2@example.com": a.id, "b@example.com": b.id}
    # Outside any scope a Core statement is refused like an ORM one.
    with pytest.raises(TenantScopeError):
        db.session.execute(sa.select(table.c.email))
    # The federal read scope may read a table with cross_tenant=True: it reads everything anyway.
    with federal_read_scope(db.session):
        statement = sa.select(table.c.email).execution_options(cross_tenant=True)
        assert set(db.session.scalars(statement)) == {"a2@example.com", "b@example.com"}


def test_an_insert_statement_cannot_write_rows_of_another_tenant(invitations_of_two_tenants):
    from clusterhub.accounts.models import Invitation

    a, b = invitations_of_two_tenants
    with tenant_scope(db.session, a.id):
        with pytest.raises(TenantScopeError, match="another tenant"):
            db.session.execute(
                sa.insert(Invitation).values(tenant_id=b.id, email="x@example.com", role="center_staff")
            )
        with pytest.raises(TenantScopeError, match="another tenant"):
            db.session.execute(
                sa.insert(Invitation),
                [
                    {"tenant_id": a.id, "email": "y@example.com", "role": "center_staff"},
                    {"tenant_id": b.id, "email": "z@example.com", "role": "center_staff"},
                ],
            )
        with pytest.raises(TenantScopeError, match="another tenant"):
            db.session.execute(sa.update(Invitation).values(tenant_id=b.id))
        db.session.execute(
            sa.insert(Invitation).values(tenant_id=a.id, email="own@example.com", role="center_staff")
        )
        db.session.commit()
    with pytest.raises(TenantScopeError):
        db.session.execute(
            sa.insert(Invitation).values(tenant_id=b.id, email="w@example.com", role="center_staff")
        )
    db.session.rollback()
    assert emails_of_every_tenant() == {"a@example.com": a.id, "b@example.com": b.id, "own@example.com": a.id}


def test_relationship_loads_are_scoped(two_tenants):
    from clusterhub.events.models import Event, Venue

    a, b, rows = two_tenants
    event_id = rows.build(Event, a.id).id
    rows.build(Venue, a.id, event_id=event_id)
    db.session.commit()

    with tenant_scope(db.session, a.id):
        event = db.session.get(Event, event_id)
        assert len(event.venues) == 1  # the lazy load inside the scope
    db.session.expire(event, ["venues"])
    with pytest.raises(TenantScopeError):
        _ = event.venues  # a lazy load with no scope open
    with tenant_scope(db.session, b.id):
        db.session.expire(event, ["venues"])
        assert event.venues == []  # tenant B cannot read A's rows through A's object
    # The federal read scope loads relationships of what it read across tenants.
    db.session.expire(event)
    with federal_read_scope(db.session):
        statement = sa.select(Event).where(Event.id == event_id).execution_options(cross_tenant=True)
        assert len(db.session.scalars(statement).one().venues) == 1
