"""Enterprise profiles (global, one per ИНН) and their representatives.

Revision ID: 0002_enterprises
Revises: 0001_foundation
Create Date: 2026-11-26 06:02:41.638766

"""
from alembic import op
import sqlalchemy as sa


revision = '0002_enterprises'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('enterprises',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inn', sa.String(length=12), nullable=False),
    sa.Column('ogrn', sa.String(length=15), nullable=True),
    sa.Column('kpp', sa.String(length=9), nullable=True),
    sa.Column('full_name', sa.String(length=500), nullable=False),
    sa.Column('short_name', sa.String(length=200), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_enterprises_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprises')),
    sa.UniqueConstraint('inn', name=op.f('uq_enterprises_inn'))
    )
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprises_region_id'), ['region_id'], unique=False)

    op.create_table('enterprise_representatives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_representatives_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_enterprise_representatives_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_representatives')),
    sa.UniqueConstraint('enterprise_id', 'user_id', name=op.f('uq_enterprise_representatives_enterprise_id_user_id'))
    )
    with op.batch_alter_table('enterprise_representatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_representatives_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_enterprise_representatives_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('enterprise_representatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_representatives_user_id'))
        batch_op.drop_index(batch_op.f('ix_enterprise_representatives_enterprise_id'))

    op.drop_table('enterprise_representatives')
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprises_region_id'))

    op.drop_table('enterprises')
