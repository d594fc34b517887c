"""An enterprise profile's logo (the bytes live in the storage backend).

Revision ID: 0012_enterprise_logo
Revises: 0011_technopark_files
Create Date: 2026-11-26 07:45:16.004378

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_enterprise_logo'
down_revision = '0011_technopark_files'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.add_column(sa.Column('logo_key', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('logo_content_type', sa.String(length=40), nullable=True))



def downgrade():
    with op.batch_alter_table('enterprises', schema=None) as batch_op:
        batch_op.drop_column('logo_content_type')
        batch_op.drop_column('logo_key')

