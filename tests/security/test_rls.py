"""PostgreSQL Row-Level Security: the database enforces tenant isolation again, for raw SQL too."""

import pytest
import sqlalchemy as sa

from clusterhub.extensions import db
from clusterhub.tenancy.scoping import federal_read_scope, tenant_scope

pytestmark = pytest.mark.usefixtures("pg_only")


def tables_with_tenant_id(connection) -> list[str]:
    return list(
        connection.scalars(
            sa.text(
                "SELECT table_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name"
            )
        )
    )


# Tables that hold only what the public catalogue shows every visitor (the search text of published
# services and bookable equipment, migration 0024): no RLS, so that their GIN index serves the search,
# and the application role may only read them (triggers owned by the schema owner write them).
PUBLIC_READ_ONLY_TABLES = {"public_search_vectors"}


def test_every_table_with_tenant_id_has_rls_enabled_forced_and_a_policy(app):
    with app.config["OWNER_ENGINE"].connect() as conn:
        tables = tables_with_tenant_id(conn)
        assert {"memberships", "invitations", "audit_log"} <= set(tables)
        for table in set(tables) - PUBLIC_READ_ONLY_TABLES:
            enabled, forced = conn.execute(
                sa.text("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = :t"),
                {"t": table},
            ).one()
            assert enabled and forced, f"RLS not enabled and forced on {table}"
            policies = set(
                conn.scalars(sa.text("SELECT policyname FROM pg_policies WHERE tablename = :t"), {"t": table})
            )
            assert {"tenant_isolation", "federal_read"} <= policies, f"{table}: {policies}"


def test_the_application_role_can_only_read_the_public_search_tables(app):
    for table in PUBLIC_READ_ONLY_TABLES:
        for privilege, expected in (
            ("SELECT", True),
            ("INSERT", False),
            ("UPDATE", False),
            ("DELETE", False),
        ):
            granted = db.session.scalar(
                sa.text("SELECT has_table_privilege(current_user, :t, :p)"), {"t": table, "p": privilege}
            )
            assert granted is expected, f"{privilege} on {table}"


def test_the_application_role_is_not_owner_superuser_or_bypassrls(app):
    current = db.session.scalar(sa.text("SELECT current_user"))
    assert current == "clusterhub_app"
    superuser, bypass = db.session.execute(
        sa.text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    ).one()
    assert not superuser and not bypass
    owned = db.session.scalar(
        sa.text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")
    )
    assert owned == 0


@pytest.fixture
def invitations_in_two_tenants(make_tenant):
    a, b = make_tenant("komi"), make_tenant("tatarstan")
    from clusterhub.accounts.models import Invitation

    for tenant, email in ((a, "a@example.com"), (b, "b@example.com")):
        with tenant_scope(db.session, tenant.id):
            db.session.add(Invitation(email=email, role="center_staff"))
            db.session.flush()
    db.session.commit()
    return a.id, b.id


def test_raw_sql_under_tenant_a_sees_no_rows_of_b(invitations_in_two_tenants):
    a, b = invitations_in_two_tenants
    with tenant_scope(db.session, a):
        emails = set(db.session.scalars(sa.text("SELECT email FROM invitations")))
    assert emails == {"a@example.com"}


def test_no_tenant_set_means_no_rows(invitations_in_two_tenants):
    assert db.session.scalar(sa.text("SELECT count(*) FROM invitations")) == 0
    with db.engine.connect() as conn:  # a plain connection that never set a tenant
        assert conn.scalar(sa.text("SELECT count(*) FROM invitations")) == 0


def test_inserting_a_row_of_b_under_a_fails(invitations_in_two_tenants):
    a, b = invitations_in_two_tenants
    with tenant_scope(db.session, a), pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
        db.session.execute(
            sa.text(
                "INSERT INTO invitations (tenant_id, email, role, created_at) VALUES (:b, 'x@example.com', 'expert', now())"
            ),
            {"b": b},
        )
    db.session.rollback()


def test_updating_rows_of_b_under_a_changes_nothing(invitations_in_two_tenants):
    a, b = invitations_in_two_tenants
    with tenant_scope(db.session, a):
        result = db.session.execute(
            sa.text("UPDATE invitations SET email = 'hacked@example.com' WHERE tenant_id = :b"), {"b": b}
        )
        assert result.rowcount == 0
    db.session.commit()


def test_a_reused_pooled_connection_does_not_keep_the_previous_tenant(app, invitations_in_two_tenants):
    a, _b = invitations_in_two_tenants
    engine = sa.create_engine(db.engine.url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(a)})
            assert conn.scalar(sa.text("SELECT count(*) FROM invitations")) == 1
            conn.commit()
        with engine.connect() as conn:  # the same pooled DBAPI connection, a new transaction
            assert conn.scalar(sa.text("SELECT count(*) FROM invitations")) == 0
    finally:
        engine.dispose()


def test_the_federal_scope_reads_everything_and_writes_nothing(invitations_in_two_tenants):
    a, _b = invitations_in_two_tenants
    with federal_read_scope(db.session):
        assert db.session.scalar(sa.text("SELECT count(*) FROM invitations")) == 2
        with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
            db.session.execute(
                sa.text(
                    "INSERT INTO invitations (tenant_id, email, role, created_at) VALUES (:a, 'x@example.com', 'expert', now())"
                ),
                {"a": a},
            )
    db.session.rollback()


def test_the_application_role_cannot_change_or_delete_audit_entries(make_tenant):
    tenant = make_tenant("komi")  # creating a tenant writes an audit entry
    with tenant_scope(db.session, tenant.id):
        assert db.session.scalar(sa.text("SELECT count(*) FROM audit_log")) >= 1
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            db.session.execute(sa.text("UPDATE audit_log SET action = 'forged'"))
    db.session.rollback()
    with (
        tenant_scope(db.session, tenant.id),
        pytest.raises(sa.exc.ProgrammingError, match="permission denied"),
    ):
        db.session.execute(sa.text("DELETE FROM audit_log"))
    db.session.rollback()
