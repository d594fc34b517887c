"""Joint cluster projects, selection rounds and preliminary defense rounds (panel, scores, protocol).

Revision ID: 0007_projects
Revises: 0002_enterprises
Create Date: 2026-11-26 06:19:10.246662

"""
from alembic import op
import sqlalchemy as sa

from clusterhub.tenancy import rls


revision = '0007_projects'
down_revision = '0004_events'
branch_labels = None
depends_on = None


TENANT_TABLES = (
    "joint_projects",
    "project_participants",
    "project_products",
    "project_cost_items",
    "project_plan_stages",
    "project_indicators",
    "project_indicator_values",
    "project_status_changes",
    "defense_rounds",
    "defense_criteria",
    "defense_panel_members",
    "defense_slots",
    "defense_assignments",
    "defense_conflicts",
    "defense_scores",
    "defense_protocols",
    "project_documents",
)


def upgrade():
    op.create_table('selection_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('legal_edition', sa.String(length=200), nullable=False),
    sa.Column('applicant_cap', sa.BigInteger(), nullable=False),
    sa.Column('max_subsidy_share', sa.Numeric(precision=5, scale=4), nullable=False),
    sa.Column('min_participants', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_selection_rounds')),
    sa.UniqueConstraint('code', name=op.f('uq_selection_rounds_code'))
    )
    op.create_table('selection_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('selection_round_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_ru', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('weight', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('min_score', sa.Integer(), nullable=False),
    sa.Column('max_score', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('max_score > min_score', name=op.f('ck_selection_criteria_score_range')),
    sa.ForeignKeyConstraint(['selection_round_id'], ['selection_rounds.id'], name=op.f('fk_selection_criteria_selection_round_id_selection_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_selection_criteria')),
    sa.UniqueConstraint('selection_round_id', 'code', name=op.f('uq_selection_criteria_selection_round_id_code'))
    )
    with op.batch_alter_table('selection_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_selection_criteria_selection_round_id'), ['selection_round_id'], unique=False)

    op.create_table('defense_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('selection_round_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('held_on', sa.DateTime(), nullable=True),
    sa.Column('location', sa.String(length=300), nullable=True),
    sa.Column('blind', sa.Boolean(), nullable=False),
    sa.Column('min_experts_per_project', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['selection_round_id'], ['selection_rounds.id'], name=op.f('fk_defense_rounds_selection_round_id_selection_rounds')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_defense_rounds_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_defense_rounds')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_defense_rounds_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'selection_round_id', 'number', name=op.f('uq_defense_rounds_tenant_id_selection_round_id_number'))
    )
    with op.batch_alter_table('defense_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defense_rounds_selection_round_id'), ['selection_round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defense_rounds_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('joint_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('selection_round_id', sa.Integer(), nullable=False),
    sa.Column('title_ru', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=True),
    sa.Column('summary_ru', sa.Text(), nullable=True),
    sa.Column('summary_en', sa.Text(), nullable=True),
    sa.Column('lead_enterprise_id', sa.Integer(), nullable=False),
    sa.Column('requested_subsidy', sa.BigInteger(), nullable=False),
    sa.Column('co_financing', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('defense_outcome', sa.String(length=40), nullable=True),
    sa.Column('remarks', sa.Text(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lead_enterprise_id'], ['enterprises.id'], name=op.f('fk_joint_projects_lead_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['selection_round_id'], ['selection_rounds.id'], name=op.f('fk_joint_projects_selection_round_id_selection_rounds')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_joint_projects_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_joint_projects')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_joint_projects_tenant_id_id'))
    )
    with op.batch_alter_table('joint_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_joint_projects_lead_enterprise_id'), ['lead_enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_joint_projects_selection_round_id'), ['selection_round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_joint_projects_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_joint_projects_tenant_status', ['tenant_id', 'status'], unique=False)

    op.create_table('defense_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('defense_round_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_ru', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=False),
    sa.Column('weight', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('min_score', sa.Integer(), nullable=False),
    sa.Column('max_score', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'defense_round_id'], ['defense_rounds.tenant_id', 'defense_rounds.id'], name=op.f('fk_defense_criteria_tenant_id_defense_round_id_defense_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_defense_criteria_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_defense_criteria')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_defense_criteria_tenant_id_id'))
    )
    with op.batch_alter_table('defense_criteria', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defense_criteria_defense_round_id'), ['defense_round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defense_criteria_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('defense_panel_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('defense_round_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('affiliation', sa.String(length=200), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'defense_round_id'], ['defense_rounds.tenant_id', 'defense_rounds.id'], name=op.f('fk_defense_panel_members_tenant_id_defense_round_id_defense_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_defense_panel_members_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_defense_panel_members_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_defense_panel_members')),
    sa.UniqueConstraint('tenant_id', 'defense_round_id', 'user_id', name=op.f('uq_defense_panel_members_tenant_id_defense_round_id_user_id')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_defense_panel_members_tenant_id_id'))
    )
    with op.batch_alter_table('defense_panel_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defense_panel_members_defense_round_id'), ['defense_round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defense_panel_members_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defense_panel_members_user_id'), ['user_id'], unique=False)

    op.create_table('defense_protocols',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('defense_round_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_defense_protocols_signed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'defense_round_id'], ['defense_rounds.tenant_id', 'defense_rounds.id'], name=op.f('fk_defense_protocols_tenant_id_defense_round_id_defense_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_defense_protocols_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_defense_protocols')),
    sa.UniqueConstraint('content_hash', name=op.f('uq_defense_protocols_content_hash')),
    sa.UniqueConstraint('tenant_id', 'defense_round_id', name=op.f('uq_defense_protocols_tenant_id_defense_round_id')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_defense_protocols_tenant_id_id'))
    )
    with op.batch_alter_table('defense_protocols', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defense_protocols_defense_round_id'), ['defense_round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defense_protocols_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('defense_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('defense_round_id', sa.Integer(), nullable=False),
    sa.Column('joint_project_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=True),
    sa.Column('presenter', sa.String(length=200), nullable=True),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('decision', sa.String(length=40), nullable=True),
    sa.Column('remarks', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_defense_slots_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'defense_round_id'], ['defense_rounds.tenant_id', 'defense_rounds.id'], name=op.f('fk_defense_slots_tenant_id_defense_round_id_defense_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'joint_project_id'], ['joint_projects.tenant_id', 'joint_projects.id'], name=op.f('fk_defense_slots_tenant_id_joint_project_id_joint_projects'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_defense_slots_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_defense_slots')),
    sa.UniqueConstraint('tenant_id', 'defense_round_id', 'joint_project_id', name=op.f('uq_defense_slots_tenant_id_defense_round_id_joint_project_id')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_defense_slots_tenant_id_id'))
    )
    with op.batch_alter_table('defense_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defense_slots_defense_round_id'), ['defense_round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defense_slots_joint_project_id'), ['joint_project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defense_slots_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('project_cost_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('joint_project_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'joint_project_id'], ['joint_projects.tenant_id', 'joint_projects.id'], name=op.f('fk_project_cost_items_tenant_id_joint_project_id_joint_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_project_cost_items_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_cost_items')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_project_cost_items_tenant_id_id'))
    )
    with op.batch_alter_table('project_cost_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_cost_items_joint_project_id'), ['joint_project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_cost_items_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('project_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('joint_project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'joint_project_id'], ['joint_projects.tenant_id', 'joint_projects.id'], name=op.f('fk_project_indicators_tenant_id_joint_project_id_joint_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_project_indicators_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_indicators')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_project_indicators_tenant_id_id'))
    )
    with op.batch_alter_table('project_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_indicators_joint_project_id'), ['joint_project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_indicators_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('project_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('joint_project_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_project_participants_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['tenant_id', 'joint_project_id'], ['joint_projects.tenant_id', 'joint_projects.id'], name=op.f('fk_project_participants_tenant_id_joint_project_id_joint_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_project_participants_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_participants')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_project_participants_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'joint_project_id', 'enterprise_id', name=op.f('uq_project_participants_tenant_id_joint_project_id_enterprise_id'))
    )
    with op.batch_alter_table('project_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_participants_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_participants_joint_project_id'), ['joint_project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_participants_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('project_plan_stages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('joint_project_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'joint_project_id'], ['joint_projects.tenant_id', 'joint_projects.id'], name=op.f('fk_project_plan_stages_tenant_id_joint_project_id_joint_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_project_plan_stages_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_plan_stages')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_project_plan_stages_tenant_id_id'))
    )
    with op.batch_alter_table('project_plan_stages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_plan_stages_joint_project_id'), ['joint_project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_plan_stages_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('project_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('joint_project_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('remark', sa.Text(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_project_status_changes_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'joint_project_id'], ['joint_projects.tenant_id', 'joint_projects.id'], name=op.f('fk_project_status_changes_tenant_id_joint_project_id_joint_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_project_status_changes_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_status_changes')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_project_status_changes_tenant_id_id'))
    )
    with op.batch_alter_table('project_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_status_changes_joint_project_id'), ['joint_project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_status_changes_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('defense_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('defense_slot_id', sa.Integer(), nullable=False),
    sa.Column('panel_member_id', sa.Integer(), nullable=False),
    sa.Column('declined_at', sa.DateTime(), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'defense_slot_id'], ['defense_slots.tenant_id', 'defense_slots.id'], name=op.f('fk_defense_assignments_tenant_id_defense_slot_id_defense_slots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'panel_member_id'], ['defense_panel_members.tenant_id', 'defense_panel_members.id'], name=op.f('fk_defense_assignments_tenant_id_panel_member_id_defense_panel_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_defense_assignments_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_defense_assignments')),
    sa.UniqueConstraint('tenant_id', 'defense_slot_id', 'panel_member_id', name=op.f('uq_defense_assignments_tenant_id_defense_slot_id_panel_member_id')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_defense_assignments_tenant_id_id'))
    )
    with op.batch_alter_table('defense_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defense_assignments_defense_slot_id'), ['defense_slot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defense_assignments_panel_member_id'), ['panel_member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defense_assignments_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('defense_conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('defense_slot_id', sa.Integer(), nullable=False),
    sa.Column('panel_member_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'defense_slot_id'], ['defense_slots.tenant_id', 'defense_slots.id'], name=op.f('fk_defense_conflicts_tenant_id_defense_slot_id_defense_slots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'panel_member_id'], ['defense_panel_members.tenant_id', 'defense_panel_members.id'], name=op.f('fk_defense_conflicts_tenant_id_panel_member_id_defense_panel_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_defense_conflicts_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_defense_conflicts')),
    sa.UniqueConstraint('tenant_id', 'defense_slot_id', 'panel_member_id', name=op.f('uq_defense_conflicts_tenant_id_defense_slot_id_panel_member_id')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_defense_conflicts_tenant_id_id'))
    )
    with op.batch_alter_table('defense_conflicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defense_conflicts_defense_slot_id'), ['defense_slot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defense_conflicts_panel_member_id'), ['panel_member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defense_conflicts_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('defense_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('defense_slot_id', sa.Integer(), nullable=False),
    sa.Column('panel_member_id', sa.Integer(), nullable=False),
    sa.Column('defense_criterion_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'defense_criterion_id'], ['defense_criteria.tenant_id', 'defense_criteria.id'], name=op.f('fk_defense_scores_tenant_id_defense_criterion_id_defense_criteria'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'defense_slot_id'], ['defense_slots.tenant_id', 'defense_slots.id'], name=op.f('fk_defense_scores_tenant_id_defense_slot_id_defense_slots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'panel_member_id'], ['defense_panel_members.tenant_id', 'defense_panel_members.id'], name=op.f('fk_defense_scores_tenant_id_panel_member_id_defense_panel_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_defense_scores_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_defense_scores')),
    sa.UniqueConstraint('tenant_id', 'defense_slot_id', 'panel_member_id', 'defense_criterion_id', name=op.f('uq_defense_scores_tenant_id_defense_slot_id_panel_member_id_defense_criterion_id')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_defense_scores_tenant_id_id'))
    )
    with op.batch_alter_table('defense_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defense_scores_defense_criterion_id'), ['defense_criterion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defense_scores_defense_slot_id'), ['defense_slot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defense_scores_panel_member_id'), ['panel_member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_defense_scores_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('project_indicator_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_indicator_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('half', sa.Integer(), nullable=False),
    sa.Column('plan', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'target_indicator_id'], ['project_indicators.tenant_id', 'project_indicators.id'], name=op.f('fk_project_indicator_values_tenant_id_target_indicator_id_project_indicators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_project_indicator_values_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_indicator_values')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_project_indicator_values_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'target_indicator_id', 'year', 'half', name=op.f('uq_project_indicator_values_tenant_id_target_indicator_id_year_half'))
    )
    with op.batch_alter_table('project_indicator_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_indicator_values_target_indicator_id'), ['target_indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_indicator_values_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('project_products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('joint_project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('okpd2', sa.String(length=12), nullable=False),
    sa.Column('import_substitution', sa.Boolean(), nullable=False),
    sa.Column('maker_id', sa.Integer(), nullable=True),
    sa.Column('buyer_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'buyer_id'], ['project_participants.tenant_id', 'project_participants.id'], name=op.f('fk_project_products_tenant_id_buyer_id_project_participants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id', 'joint_project_id'], ['joint_projects.tenant_id', 'joint_projects.id'], name=op.f('fk_project_products_tenant_id_joint_project_id_joint_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'maker_id'], ['project_participants.tenant_id', 'project_participants.id'], name=op.f('fk_project_products_tenant_id_maker_id_project_participants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_project_products_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_products')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_project_products_tenant_id_id'))
    )
    with op.batch_alter_table('project_products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_products_joint_project_id'), ['joint_project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_products_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('project_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('joint_project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=300), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'joint_project_id'], ['joint_projects.tenant_id', 'joint_projects.id'], name=op.f('fk_project_documents_tenant_id_joint_project_id_joint_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_project_documents_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_project_documents_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_documents')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_project_documents_storage_key')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_project_documents_tenant_id_id'))
    )
    with op.batch_alter_table('project_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_documents_joint_project_id'), ['joint_project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_documents_tenant_id'), ['tenant_id'], unique=False)

    for table in TENANT_TABLES:
        rls.enable(table)


def downgrade():
    for table in TENANT_TABLES:
        rls.disable(table)
    with op.batch_alter_table('project_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_documents_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_project_documents_joint_project_id'))

    op.drop_table('project_documents')
    with op.batch_alter_table('project_products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_products_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_project_products_joint_project_id'))

    op.drop_table('project_products')
    with op.batch_alter_table('project_indicator_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_indicator_values_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_project_indicator_values_target_indicator_id'))

    op.drop_table('project_indicator_values')
    with op.batch_alter_table('defense_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defense_scores_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_defense_scores_panel_member_id'))
        batch_op.drop_index(batch_op.f('ix_defense_scores_defense_slot_id'))
        batch_op.drop_index(batch_op.f('ix_defense_scores_defense_criterion_id'))

    op.drop_table('defense_scores')
    with op.batch_alter_table('defense_conflicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defense_conflicts_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_defense_conflicts_panel_member_id'))
        batch_op.drop_index(batch_op.f('ix_defense_conflicts_defense_slot_id'))

    op.drop_table('defense_conflicts')
    with op.batch_alter_table('defense_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defense_assignments_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_defense_assignments_panel_member_id'))
        batch_op.drop_index(batch_op.f('ix_defense_assignments_defense_slot_id'))

    op.drop_table('defense_assignments')
    with op.batch_alter_table('project_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_status_changes_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_project_status_changes_joint_project_id'))

    op.drop_table('project_status_changes')
    with op.batch_alter_table('project_plan_stages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_plan_stages_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_project_plan_stages_joint_project_id'))

    op.drop_table('project_plan_stages')
    with op.batch_alter_table('project_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_participants_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_project_participants_joint_project_id'))
        batch_op.drop_index(batch_op.f('ix_project_participants_enterprise_id'))

    op.drop_table('project_participants')
    with op.batch_alter_table('project_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_indicators_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_project_indicators_joint_project_id'))

    op.drop_table('project_indicators')
    with op.batch_alter_table('project_cost_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_cost_items_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_project_cost_items_joint_project_id'))

    op.drop_table('project_cost_items')
    with op.batch_alter_table('defense_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defense_slots_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_defense_slots_joint_project_id'))
        batch_op.drop_index(batch_op.f('ix_defense_slots_defense_round_id'))

    op.drop_table('defense_slots')
    with op.batch_alter_table('defense_protocols', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defense_protocols_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_defense_protocols_defense_round_id'))

    op.drop_table('defense_protocols')
    with op.batch_alter_table('defense_panel_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defense_panel_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_defense_panel_members_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_defense_panel_members_defense_round_id'))

    op.drop_table('defense_panel_members')
    with op.batch_alter_table('defense_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defense_criteria_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_defense_criteria_defense_round_id'))

    op.drop_table('defense_criteria')
    with op.batch_alter_table('joint_projects', schema=None) as batch_op:
        batch_op.drop_index('ix_joint_projects_tenant_status')
        batch_op.drop_index(batch_op.f('ix_joint_projects_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_joint_projects_selection_round_id'))
        batch_op.drop_index(batch_op.f('ix_joint_projects_lead_enterprise_id'))

    op.drop_table('joint_projects')
    with op.batch_alter_table('defense_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defense_rounds_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_defense_rounds_selection_round_id'))

    op.drop_table('defense_rounds')
    with op.batch_alter_table('selection_criteria', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_selection_criteria_selection_round_id'))

    op.drop_table('selection_criteria')
    op.drop_table('selection_rounds')
