"""The API's sync support: ``updated_at`` (maintained by the ORM) on the rows the API lists that lacked
it, indexed with ``tenant_id`` for ``updated_since``; and the stored answers of idempotent requests
(tenant-owned, with RLS).

Revision ID: 0025_api_sync
Revises: 0024_public_search_vectors
Create Date: 2026-12-04 10:00:00

"""
import sqlalchemy as sa
from alembic import op

from clusterhub.tenancy import rls


revision = '0025_api_sync'
down_revision = '0024_public_search_vectors'
branch_labels = None
depends_on = None

# table -> the column an existing row's updated_at starts from
NEW_UPDATED_AT = {
    'event_registrations': 'created_at',
    'event_agenda_items': None,
    'clusters': 'created_at',
    'cluster_members': None,
    'technopark_equipment': 'created_at',
    'defense_rounds': 'created_at',
    'period_reports': 'created_at',
}
HAD_UPDATED_AT = ['events', 'technopark_services', 'technopark_service_requests', 'joint_projects']


def _backfill(table, value):
    """Set updated_at of the existing rows. On PostgreSQL the tables FORCE row-level security, which
    binds their owner too (unless a superuser): each center's rows are updated inside its own scope."""
    bind = op.get_bind()
    if not rls.is_postgresql():
        bind.execute(sa.text(f"UPDATE {table} SET updated_at = {value}"))
        return
    for (tenant_id,) in bind.execute(sa.text("SELECT id FROM tenants")).all():
        bind.execute(sa.text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
        bind.execute(sa.text(f"UPDATE {table} SET updated_at = {value}"))
    bind.execute(sa.text("SELECT set_config('app.tenant_id', '', true)"))


def upgrade():
    for table, source in NEW_UPDATED_AT.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))
        now = "timezone('utc', now())" if rls.is_postgresql() else 'CURRENT_TIMESTAMP'  # stored naive UTC
        _backfill(table, source or now)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('updated_at', existing_type=sa.DateTime(), nullable=False)
    for table in [*NEW_UPDATED_AT, *HAD_UPDATED_AT]:
        op.create_index(f'ix_{table}_tenant_updated_at', table, ['tenant_id', 'updated_at'])

    op.create_table('api_idempotent_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('operation', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_api_idempotent_requests_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_idempotent_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_idempotent_requests')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_api_idempotent_requests_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'user_id', 'key', name=op.f('uq_api_idempotent_requests_tenant_id_user_id_key'))
    )
    with op.batch_alter_table('api_idempotent_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_idempotent_requests_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_idempotent_requests_tenant_id'), ['tenant_id'], unique=False)
    rls.enable('api_idempotent_requests')


def downgrade():
    rls.disable('api_idempotent_requests')
    with op.batch_alter_table('api_idempotent_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_idempotent_requests_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_api_idempotent_requests_created_at'))
    op.drop_table('api_idempotent_requests')
    for table in [*NEW_UPDATED_AT, *HAD_UPDATED_AT]:
        op.drop_index(f'ix_{table}_tenant_updated_at', table_name=table)
    for table in NEW_UPDATED_AT:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('updated_at')
