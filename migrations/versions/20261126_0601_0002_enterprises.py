"""Enterprise profiles (global): one per ИНН.

Revision ID: 0002_enterprises
Revises: 0001_foundation
Create Date: 2026-11-26 06:01:24.326312

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



def downgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprises_region_id'))

    op.drop_table('enterprises')
