"""Documents of a cluster: its functional map, development programme and others (tenant-owned, with RLS).

Revision ID: 0013_cluster_documents
Revises: 0012_enterprise_logo
Create Date: 2026-11-26 07:45:49.025289

"""
import sqlalchemy as sa
from alembic import op

from clusterhub.tenancy import rls


revision = '0013_cluster_documents'
down_revision = '0012_enterprise_logo'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cluster_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=300), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'cluster_id'], ['clusters.tenant_id', 'clusters.id'], name=op.f('fk_cluster_documents_tenant_id_cluster_id_clusters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cluster_documents_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_cluster_documents_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cluster_documents')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_cluster_documents_storage_key')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_cluster_documents_tenant_id_id'))
    )
    with op.batch_alter_table('cluster_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cluster_documents_cluster_id'), ['cluster_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cluster_documents_tenant_id'), ['tenant_id'], unique=False)

    rls.enable("cluster_documents")


def downgrade():
    rls.disable("cluster_documents")
    with op.batch_alter_table('cluster_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_documents_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_cluster_documents_cluster_id'))

    op.drop_table('cluster_documents')
