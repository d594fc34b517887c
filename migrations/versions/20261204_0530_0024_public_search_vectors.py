"""The text of published services and bookable equipment in a table without row-level security, so the
platform-wide catalogue search can use its GIN index (PostgreSQL).

Under RLS, PostgreSQL evaluates the policies before any operator that is not LEAKPROOF, and the
full-text match ``@@`` is not: the GIN index on ``search_vector`` could never be used, and every search
matched the text of every published row twice (count and page). This table holds only what the public
catalogue shows anyway (published services, bookable equipment); triggers owned by the schema owner keep
it in step, and the application role may only read it.

Revision ID: 0024_public_search_vectors
Revises: 0019_enterprise_region
Create Date: 2026-12-04 05:30:00

"""

from alembic import op

from clusterhub.tenancy import rls

revision = "0024_public_search_vectors"
down_revision = "0019_enterprise_region"
branch_labels = None
depends_on = None

# source table: the condition under which its rows are in the public catalogue
SOURCES = {
    "technopark_services": "status = 'published'",
    "technopark_equipment": "bookable",
}


def upgrade():
    if not rls.is_postgresql():
        return  # SQLite has no row-level security; the search there matches words with LIKE
    op.execute("""
        CREATE TABLE public_search_vectors (
            source text NOT NULL,
            row_id integer NOT NULL,
            tenant_id integer NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
            search_vector tsvector NOT NULL,
            PRIMARY KEY (source, row_id)
        )""")
    op.execute("CREATE INDEX ix_public_search_vectors ON public_search_vectors USING gin (search_vector)")
    for table, public in SOURCES.items():
        op.execute(f"""
            CREATE FUNCTION public_search_vectors_{table}() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            BEGIN
              IF TG_OP <> 'INSERT' THEN
                DELETE FROM public_search_vectors WHERE source = '{table}' AND row_id = OLD.id;
              END IF;
              IF TG_OP <> 'DELETE' AND NEW.{public} THEN
                INSERT INTO public_search_vectors VALUES ('{table}', NEW.id, NEW.tenant_id, NEW.search_vector);
              END IF;
              RETURN NULL;
            END $$""")
        op.execute(f"""
            CREATE TRIGGER public_search_vectors AFTER INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION public_search_vectors_{table}()""")
    # The owner is subject to the forced policies as well: read every tenant's rows for the backfill.
    op.execute("SELECT set_config('app.federal_read', 'on', true)")
    for table, public in SOURCES.items():
        op.execute(
            f"INSERT INTO public_search_vectors "
            f"SELECT '{table}', id, tenant_id, search_vector FROM {table} WHERE {public}"
        )
    op.execute("SELECT set_config('app.federal_read', '', true)")
    op.execute("ANALYZE public_search_vectors")
    op.execute(
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON public_search_vectors FROM {rls.application_role()}"
    )
    op.execute(f"GRANT SELECT ON public_search_vectors TO {rls.application_role()}")


def downgrade():
    if not rls.is_postgresql():
        return
    for table in SOURCES:
        op.execute(f"DROP TRIGGER IF EXISTS public_search_vectors ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS public_search_vectors_{table}()")
    op.execute("DROP TABLE IF EXISTS public_search_vectors")
