"""Photos of technoparks and files attached to service requests (tenant-owned, with RLS); the bytes live in
the storage backend.

Revision ID: 0011_technopark_files
Revises: 0010_indicator_facts
Create Date: 2026-11-26 07:43:56.211515

"""
import sqlalchemy as sa
from alembic import op

from clusterhub.tenancy import rls


revision = '0011_technopark_files'
down_revision = '0010_indicator_facts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('technopark_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technopark_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=300), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'technopark_id'], ['technoparks.tenant_id', 'technoparks.id'], name=op.f('fk_technopark_photos_tenant_id_technopark_id_technoparks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_technopark_photos_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_technopark_photos_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_technopark_photos')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_technopark_photos_storage_key')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_technopark_photos_tenant_id_id'))
    )
    with op.batch_alter_table('technopark_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_technopark_photos_technopark_id'), ['technopark_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_technopark_photos_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('technopark_request_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=300), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'request_id'], ['technopark_service_requests.tenant_id', 'technopark_service_requests.id'], name=op.f('fk_technopark_request_attachments_tenant_id_request_id_technopark_service_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_technopark_request_attachments_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_technopark_request_attachments_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_technopark_request_attachments')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_technopark_request_attachments_storage_key')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_technopark_request_attachments_tenant_id_id'))
    )
    with op.batch_alter_table('technopark_request_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_technopark_request_attachments_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_technopark_request_attachments_tenant_id'), ['tenant_id'], unique=False)

    rls.enable("technopark_photos")
    rls.enable("technopark_request_attachments")


def downgrade():
    rls.disable("technopark_request_attachments")
    rls.disable("technopark_photos")
    with op.batch_alter_table('technopark_request_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_technopark_request_attachments_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_technopark_request_attachments_request_id'))

    op.drop_table('technopark_request_attachments')
    with op.batch_alter_table('technopark_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_technopark_photos_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_technopark_photos_technopark_id'))

    op.drop_table('technopark_photos')
