"""A joint project names its cluster; a defense round names the session (and its agenda item) it is held at.

Revision ID: 0009_project_links
Revises: 0006_billing
Create Date: 2026-11-26 07:04:23.532150

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_project_links'
down_revision = '0006_billing'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('defense_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('agenda_item_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_defense_rounds_agenda_item_id'), ['agenda_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defense_rounds_event_id'), ['event_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_defense_rounds_tenant_id_event_id_events'), 'events', ['tenant_id', 'event_id'], ['tenant_id', 'id'], ondelete='RESTRICT')
        batch_op.create_foreign_key(batch_op.f('fk_defense_rounds_tenant_id_agenda_item_id_event_agenda_items'), 'event_agenda_items', ['tenant_id', 'agenda_item_id'], ['tenant_id', 'id'], ondelete='RESTRICT')

    with op.batch_alter_table('joint_projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cluster_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_joint_projects_cluster_id'), ['cluster_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_joint_projects_tenant_id_cluster_id_clusters'), 'clusters', ['tenant_id', 'cluster_id'], ['tenant_id', 'id'], ondelete='RESTRICT')



def downgrade():
    with op.batch_alter_table('joint_projects', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_joint_projects_tenant_id_cluster_id_clusters'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_joint_projects_cluster_id'))
        batch_op.drop_column('cluster_id')

    with op.batch_alter_table('defense_rounds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_defense_rounds_tenant_id_agenda_item_id_event_agenda_items'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_defense_rounds_tenant_id_event_id_events'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_defense_rounds_event_id'))
        batch_op.drop_index(batch_op.f('ix_defense_rounds_agenda_item_id'))
        batch_op.drop_column('agenda_item_id')
        batch_op.drop_column('event_id')

