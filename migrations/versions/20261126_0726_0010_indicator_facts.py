"""Half-year facts of joint projects' target indicators, reported after the subsidy.

Revision ID: 0010_indicator_facts
Revises: 0009_project_links
Create Date: 2026-11-26 07:26:22.920763

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_indicator_facts'
down_revision = '0009_project_links'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('project_indicator_values', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fact', sa.Numeric(precision=18, scale=2), nullable=True))
        batch_op.add_column(sa.Column('reported_at', sa.DateTime(), nullable=True))



def downgrade():
    with op.batch_alter_table('project_indicator_values', schema=None) as batch_op:
        batch_op.drop_column('reported_at')
        batch_op.drop_column('fact')

