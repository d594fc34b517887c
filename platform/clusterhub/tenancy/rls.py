"""PostgreSQL Row-Level Security for tenant-owned tables, used by migrations.

Policies fail closed: with no ``app.tenant_id`` set in the transaction, no row is visible or writable.
The federal read scope (``app.federal_read = 'on'``) may SELECT every row and change none.
"""

from alembic import op

TENANT_EXPR = "NULLIF(current_setting('app.tenant_id', true), '')::integer"
FEDERAL_EXPR = "current_setting('app.federal_read', true) = 'on'"


def is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def enable(table: str, nullable_tenant: bool = False) -> None:
    """ENABLE and FORCE RLS on ``table`` with the tenant and federal-read policies (PostgreSQL only).

    ``nullable_tenant`` is for tables that also hold platform-level rows (tenant_id NULL), such as the
    audit log: those rows can be written in any scope and read only by the federal scope.
    """
    if not is_postgresql():
        return
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    check = f"tenant_id = {TENANT_EXPR}"
    if nullable_tenant:
        check = f"({check} OR tenant_id IS NULL)"
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} USING (tenant_id = {TENANT_EXPR}) WITH CHECK ({check})"
    )
    op.execute(f"CREATE POLICY federal_read ON {table} FOR SELECT USING ({FEDERAL_EXPR})")


def disable(table: str) -> None:
    if not is_postgresql():
        return
    op.execute(f"DROP POLICY IF EXISTS federal_read ON {table}")
    op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def grant_application_role(role: str) -> None:
    """Let the non-owner application role use every table the owner creates, now and later."""
    if not is_postgresql():
        return
    op.execute(f"""
        DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
            CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS;
          END IF;
        END $$""")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    op.execute(
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}"
    )
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}")


def application_role() -> str:
    from flask import current_app

    return current_app.config["APP_DB_ROLE"]
