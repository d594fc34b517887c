"""An agenda item names the center's technopark visited or joint project presented (composite tenant keys).

Revision ID: 0014_agenda_links
Revises: 0013_cluster_documents
Create Date: 2026-11-26 07:48:12.788623

"""
from alembic import op
import sqlalchemy as sa


revision = '0014_agenda_links'
down_revision = '0013_cluster_documents'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event_agenda_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('technopark_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('joint_project_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_event_agenda_items_joint_project_id'), ['joint_project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_agenda_items_technopark_id'), ['technopark_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_event_agenda_items_tenant_id_technopark_id_technoparks'), 'technoparks', ['tenant_id', 'technopark_id'], ['tenant_id', 'id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_event_agenda_items_tenant_id_joint_project_id_joint_projects'), 'joint_projects', ['tenant_id', 'joint_project_id'], ['tenant_id', 'id'], ondelete='RESTRICT')



def downgrade():
    with op.batch_alter_table('event_agenda_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_event_agenda_items_tenant_id_joint_project_id_joint_projects'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_event_agenda_items_tenant_id_technopark_id_technoparks'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_event_agenda_items_technopark_id'))
        batch_op.drop_index(batch_op.f('ix_event_agenda_items_joint_project_id'))
        batch_op.drop_column('joint_project_id')
        batch_op.drop_column('technopark_id')

