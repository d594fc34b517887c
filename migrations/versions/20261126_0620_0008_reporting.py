"""Reporting: KPI plans and period reports of the centers (tenant-owned, with RLS), export presets.

Revision ID: 0008_reporting
Revises: 0002_enterprises
Create Date: 2026-11-26 06:20:39.658147

"""
import sqlalchemy as sa
from alembic import op

from clusterhub.tenancy import rls


revision = '0008_reporting'
down_revision = '0007_projects'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('export_presets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_export_presets_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_presets'))
    )
    with op.batch_alter_table('export_presets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_presets_user_id'), ['user_id'], unique=False)

    op.create_table('kpi_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=64), nullable=False),
    sa.Column('plan', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('fact', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_kpi_plans_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_plans')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_kpi_plans_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'year', 'indicator', name=op.f('uq_kpi_plans_tenant_id_year_indicator'))
    )
    with op.batch_alter_table('kpi_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_plans_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('period_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_period_reports_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_period_reports_submitted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_period_reports_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period_reports')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_period_reports_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'period', name=op.f('uq_period_reports_tenant_id_period'))
    )
    with op.batch_alter_table('period_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_period_reports_tenant_id'), ['tenant_id'], unique=False)

    rls.enable("kpi_plans")
    rls.enable("period_reports")


def downgrade():
    rls.disable("period_reports")
    rls.disable("kpi_plans")
    with op.batch_alter_table('period_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_period_reports_tenant_id'))

    op.drop_table('period_reports')
    with op.batch_alter_table('kpi_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_plans_tenant_id'))

    op.drop_table('kpi_plans')
    with op.batch_alter_table('export_presets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_presets_user_id'))

    op.drop_table('export_presets')
