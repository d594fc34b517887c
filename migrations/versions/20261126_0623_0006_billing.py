"""Billing: plans (platform-level); subscriptions, the center's requisites, invoices and payments
(tenant-owned, with Row-Level Security); the Stripe id map and event log (platform-level: the webhook
resolves the tenant through them before any scope exists); the per-year invoice counter.

Revision ID: 0006_billing
Revises: 0002_enterprises
Create Date: 2026-11-26 06:23:44.413094

"""
import sqlalchemy as sa
from alembic import op

from clusterhub.tenancy import rls

TENANT_OWNED = ("billing_subscriptions", "billing_requisites", "billing_invoices", "billing_payments")


revision = '0006_billing'
down_revision = '0008_reporting'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('billing_invoice_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_billing_invoice_counters'))
    )
    op.create_table('billing_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_ru', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('price_month', sa.BigInteger(), nullable=False),
    sa.Column('price_year', sa.BigInteger(), nullable=False),
    sa.Column('staff_seats', sa.Integer(), nullable=True),
    sa.Column('sessions_per_year', sa.Integer(), nullable=True),
    sa.Column('technoparks', sa.Integer(), nullable=True),
    sa.Column('storage_mb', sa.Integer(), nullable=True),
    sa.Column('api_access', sa.Boolean(), nullable=False),
    sa.Column('stripe_price_month', sa.String(length=100), nullable=True),
    sa.Column('stripe_price_year', sa.String(length=100), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('price_month >= 0 AND price_year >= 0', name=op.f('ck_billing_plans_non_negative_prices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_plans')),
    sa.UniqueConstraint('code', name=op.f('uq_billing_plans_code'))
    )
    op.create_table('billing_invoices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('interval', sa.String(length=8), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('vat_rate', sa.Integer(), nullable=True),
    sa.Column('vat_amount', sa.BigInteger(), nullable=False),
    sa.Column('purpose', sa.String(length=500), nullable=False),
    sa.Column('buyer', sa.JSON(), nullable=False),
    sa.Column('seller', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('paid_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_billing_invoices_positive_amount')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_billing_invoices_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['billing_plans.id'], name=op.f('fk_billing_invoices_plan_id_billing_plans'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_billing_invoices_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_invoices')),
    sa.UniqueConstraint('number', name=op.f('uq_billing_invoices_number')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_billing_invoices_tenant_id_id')),
    sa.UniqueConstraint('year', 'seq', name='uq_billing_invoices_year_seq')
    )
    with op.batch_alter_table('billing_invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_invoices_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_invoices_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_invoices_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('billing_requisites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('inn', sa.String(length=12), nullable=False),
    sa.Column('kpp', sa.String(length=9), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('bank_name', sa.String(length=300), nullable=False),
    sa.Column('bic', sa.String(length=9), nullable=False),
    sa.Column('account', sa.String(length=20), nullable=False),
    sa.Column('corr_account', sa.String(length=20), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_billing_requisites_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_requisites')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_billing_requisites_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', name='uq_billing_requisites_tenant')
    )
    with op.batch_alter_table('billing_requisites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_requisites_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('billing_stripe_customers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_ref_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.String(length=255), nullable=False),
    sa.Column('subscription_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_ref_id'], ['tenants.id'], name=op.f('fk_billing_stripe_customers_tenant_ref_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_stripe_customers')),
    sa.UniqueConstraint('customer_id', name=op.f('uq_billing_stripe_customers_customer_id')),
    sa.UniqueConstraint('subscription_id', name=op.f('uq_billing_stripe_customers_subscription_id')),
    sa.UniqueConstraint('tenant_ref_id', name=op.f('uq_billing_stripe_customers_tenant_ref_id'))
    )
    op.create_table('billing_stripe_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('tenant_ref_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_ref_id'], ['tenants.id'], name=op.f('fk_billing_stripe_events_tenant_ref_id_tenants'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_stripe_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_billing_stripe_events_event_id'))
    )
    with op.batch_alter_table('billing_stripe_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_stripe_events_tenant_ref_id'), ['tenant_ref_id'], unique=False)

    op.create_table('billing_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('interval', sa.String(length=8), nullable=False),
    sa.Column('current_period_start', sa.DateTime(), nullable=True),
    sa.Column('current_period_end', sa.DateTime(), nullable=True),
    sa.Column('next_payment_at', sa.DateTime(), nullable=True),
    sa.Column('past_due_since', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['billing_plans.id'], name=op.f('fk_billing_subscriptions_plan_id_billing_plans'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_billing_subscriptions_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_subscriptions')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_billing_subscriptions_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', name='uq_billing_subscriptions_tenant')
    )
    with op.batch_alter_table('billing_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_subscriptions_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_subscriptions_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_subscriptions_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('billing_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('order_number', sa.String(length=40), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_billing_payments_positive_amount')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_billing_payments_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'invoice_id'], ['billing_invoices.tenant_id', 'billing_invoices.id'], name=op.f('fk_billing_payments_tenant_id_invoice_id_billing_invoices'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_billing_payments_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_billing_payments')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_billing_payments_tenant_id_id'))
    )
    with op.batch_alter_table('billing_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_billing_payments_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_billing_payments_tenant_id'), ['tenant_id'], unique=False)
    for table in TENANT_OWNED:
        rls.enable(table)


def downgrade():
    for table in TENANT_OWNED:
        rls.disable(table)
    with op.batch_alter_table('billing_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_payments_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_billing_payments_invoice_id'))

    op.drop_table('billing_payments')
    with op.batch_alter_table('billing_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_subscriptions_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_billing_subscriptions_status'))
        batch_op.drop_index(batch_op.f('ix_billing_subscriptions_plan_id'))

    op.drop_table('billing_subscriptions')
    with op.batch_alter_table('billing_stripe_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_stripe_events_tenant_ref_id'))

    op.drop_table('billing_stripe_events')
    op.drop_table('billing_stripe_customers')
    with op.batch_alter_table('billing_requisites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_requisites_tenant_id'))

    op.drop_table('billing_requisites')
    with op.batch_alter_table('billing_invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_billing_invoices_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_billing_invoices_status'))
        batch_op.drop_index(batch_op.f('ix_billing_invoices_plan_id'))

    op.drop_table('billing_invoices')
    op.drop_table('billing_plans')
    op.drop_table('billing_invoice_counters')
