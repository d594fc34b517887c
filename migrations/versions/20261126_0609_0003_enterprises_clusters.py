"""Enterprise profile fields, yearly figures and products; clusters of a center with members, supply
links and compliance rule settings (RLS on the tenant-owned ones); a trigram index for directory search on
PostgreSQL.

Revision ID: 0003_enterprises_clusters
Revises: 0002_enterprises
Create Date: 2026-11-26 06:09:30.695581

"""
from alembic import op
import sqlalchemy as sa

from clusterhub.tenancy import rls

TENANT_TABLES = ("clusters", "cluster_members", "cluster_supply_links", "cluster_compliance_rules")


revision = '0003_enterprises_clusters'
down_revision = '0005_technoparks'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cluster_compliance_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cluster_compliance_rules_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cluster_compliance_rules')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_cluster_compliance_rules_tenant_id_code')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_cluster_compliance_rules_tenant_id_id'))
    )
    with op.batch_alter_table('cluster_compliance_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_compliance_rules_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('clusters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('cluster_type', sa.String(length=16), nullable=False),
    sa.Column('industry', sa.String(length=300), nullable=True),
    sa.Column('okved_codes', sa.String(length=300), nullable=True),
    sa.Column('region_ids', sa.JSON(), nullable=False),
    sa.Column('specialised_org_id', sa.Integer(), nullable=True),
    sa.Column('register_status', sa.String(length=16), nullable=False),
    sa.Column('register_order_number', sa.String(length=60), nullable=True),
    sa.Column('register_order_date', sa.Date(), nullable=True),
    sa.Column('register_valid_until', sa.Date(), nullable=True),
    sa.Column('functional_map', sa.Text(), nullable=True),
    sa.Column('programme_goals', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['specialised_org_id'], ['enterprises.id'], name=op.f('fk_clusters_specialised_org_id_enterprises'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_clusters_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clusters')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_clusters_tenant_id_id'))
    )
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clusters_specialised_org_id'), ['specialised_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clusters_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('enterprise_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=True),
    sa.Column('revenue', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_figures_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_figures')),
    sa.UniqueConstraint('enterprise_id', 'year', name=op.f('uq_enterprise_figures_enterprise_id_year'))
    )
    op.create_table('enterprise_products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('okpd2', sa.String(length=16), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_products_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_products'))
    )
    with op.batch_alter_table('enterprise_products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_products_enterprise_id'), ['enterprise_id'], unique=False)

    op.create_table('cluster_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_cluster_members_enterprise_id_enterprises'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'cluster_id'], ['clusters.tenant_id', 'clusters.id'], name=op.f('fk_cluster_members_tenant_id_cluster_id_clusters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cluster_members_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cluster_members')),
    sa.UniqueConstraint('tenant_id', 'cluster_id', 'enterprise_id', name=op.f('uq_cluster_members_tenant_id_cluster_id_enterprise_id')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_cluster_members_tenant_id_id'))
    )
    with op.batch_alter_table('cluster_members', schema=None) as batch_op:
        batch_op.create_index('ix_cluster_members_enterprise', ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_members_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('cluster_supply_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('product', sa.String(length=300), nullable=False),
    sa.Column('okpd2', sa.String(length=16), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'cluster_id'], ['clusters.tenant_id', 'clusters.id'], name=op.f('fk_cluster_supply_links_tenant_id_cluster_id_clusters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'customer_id'], ['cluster_members.tenant_id', 'cluster_members.id'], name=op.f('fk_cluster_supply_links_tenant_id_customer_id_cluster_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'supplier_id'], ['cluster_members.tenant_id', 'cluster_members.id'], name=op.f('fk_cluster_supply_links_tenant_id_supplier_id_cluster_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cluster_supply_links_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cluster_supply_links')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_cluster_supply_links_tenant_id_id'))
    )
    with op.batch_alter_table('cluster_supply_links', schema=None) as batch_op:
        batch_op.create_index('ix_cluster_supply_links_cluster', ['tenant_id', 'cluster_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_supply_links_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_form', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('legal_address', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('actual_address', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('okved_main', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('okved_additional', sa.String(length=1000), nullable=True))
        batch_op.add_column(sa.Column('size_category', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('website', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('search_text', sa.String(length=800), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_enterprises_ogrn'), ['ogrn'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprises_okved_main'), ['okved_main'], unique=False)

    # The folded search column of existing profiles (the services keep it up to date from now on).
    bind = op.get_bind()
    enterprises = sa.table("enterprises", sa.column("id"), sa.column("inn"), sa.column("ogrn"),
                           sa.column("full_name"), sa.column("short_name"), sa.column("search_text"))
    for row in bind.execute(sa.select(enterprises)).all():
        text = " ".join(p for p in (row.full_name, row.short_name, row.inn, row.ogrn) if p).casefold()[:800]
        bind.execute(enterprises.update().where(enterprises.c.id == row.id).values(search_text=text))

    for table in TENANT_TABLES:
        rls.enable(table)
    if rls.is_postgresql():
        # LIKE '%word%' on the directory's search column: a trigram GIN index keeps it fast at scale.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_enterprises_search_trgm ON enterprises USING gin (search_text gin_trgm_ops)")


def downgrade():
    if rls.is_postgresql():
        op.execute("DROP INDEX IF EXISTS ix_enterprises_search_trgm")
    for table in TENANT_TABLES:
        rls.disable(table)
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprises_okved_main'))
        batch_op.drop_index(batch_op.f('ix_enterprises_ogrn'))
        batch_op.drop_column('updated_at')
        batch_op.drop_column('search_text')
        batch_op.drop_column('description')
        batch_op.drop_column('phone')
        batch_op.drop_column('email')
        batch_op.drop_column('website')
        batch_op.drop_column('size_category')
        batch_op.drop_column('okved_additional')
        batch_op.drop_column('okved_main')
        batch_op.drop_column('actual_address')
        batch_op.drop_column('legal_address')
        batch_op.drop_column('legal_form')

    with op.batch_alter_table('cluster_supply_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_supply_links_tenant_id'))
        batch_op.drop_index('ix_cluster_supply_links_cluster')

    op.drop_table('cluster_supply_links')
    with op.batch_alter_table('cluster_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_members_tenant_id'))
        batch_op.drop_index('ix_cluster_members_enterprise')

    op.drop_table('cluster_members')
    with op.batch_alter_table('enterprise_products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_products_enterprise_id'))

    op.drop_table('enterprise_products')
    op.drop_table('enterprise_figures')
    with op.batch_alter_table('clusters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clusters_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_clusters_specialised_org_id'))

    op.drop_table('clusters')
    with op.batch_alter_table('cluster_compliance_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_compliance_rules_tenant_id'))

    op.drop_table('cluster_compliance_rules')
