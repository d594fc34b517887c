"""B2B meetings at a session: meeting blocks, requests between participants (with their place in the
schedule and each side's outcome) and one seat per participant per slot, so the database refuses a clash.
All tenant-owned, with RLS.

Revision ID: 0028_cooperation_meetings
Revises: 0024_public_search_vectors
Create Date: 2026-12-04 08:02:53.565071

"""
import sqlalchemy as sa
from alembic import op

from clusterhub.tenancy import rls


revision = '0028_cooperation_meetings'
down_revision = '0027_cooperation_offers'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cooperation_meeting_blocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('title_ru', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=True),
    sa.Column('place_ru', sa.String(length=300), nullable=True),
    sa.Column('place_en', sa.String(length=300), nullable=True),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('slot_count', sa.Integer(), nullable=False),
    sa.Column('table_count', sa.Integer(), nullable=False),
    sa.Column('table_names', sa.Text(), nullable=True),
    sa.Column('max_meetings', sa.Integer(), nullable=True),
    sa.Column('max_consecutive', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('slot_count > 0', name=op.f('ck_cooperation_meeting_blocks_slot_count_positive')),
    sa.CheckConstraint('slot_minutes > 0', name=op.f('ck_cooperation_meeting_blocks_slot_minutes_positive')),
    sa.CheckConstraint('table_count > 0', name=op.f('ck_cooperation_meeting_blocks_table_count_positive')),
    sa.ForeignKeyConstraint(['tenant_id', 'event_id'], ['events.tenant_id', 'events.id'], name=op.f('fk_cooperation_meeting_blocks_tenant_id_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cooperation_meeting_blocks_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cooperation_meeting_blocks')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_cooperation_meeting_blocks_tenant_id_id'))
    )
    with op.batch_alter_table('cooperation_meeting_blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cooperation_meeting_blocks_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cooperation_meeting_blocks_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('cooperation_meeting_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('block_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('offer_id', sa.Integer(), sa.ForeignKey('cooperation_offers.id', ondelete='SET NULL'), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('slot', sa.Integer(), nullable=True),
    sa.Column('table_no', sa.Integer(), nullable=True),
    sa.Column('scheduled_at', sa.DateTime(), nullable=True),
    sa.Column('requester_outcome', sa.String(length=16), nullable=True),
    sa.Column('requester_amount_kopecks', sa.BigInteger(), nullable=True),
    sa.Column('recipient_outcome', sa.String(length=16), nullable=True),
    sa.Column('recipient_amount_kopecks', sa.BigInteger(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('(slot IS NULL) = (table_no IS NULL)', name=op.f('ck_cooperation_meeting_requests_slot_with_table')),
    sa.CheckConstraint('recipient_amount_kopecks IS NULL OR recipient_amount_kopecks >= 0', name=op.f('ck_cooperation_meeting_requests_recipient_amount_positive')),
    sa.CheckConstraint('requester_amount_kopecks IS NULL OR requester_amount_kopecks >= 0', name=op.f('ck_cooperation_meeting_requests_requester_amount_positive')),
    sa.CheckConstraint('requester_id <> recipient_id', name=op.f('ck_cooperation_meeting_requests_two_sides')),
    sa.ForeignKeyConstraint(['tenant_id', 'block_id'], ['cooperation_meeting_blocks.tenant_id', 'cooperation_meeting_blocks.id'], name=op.f('fk_cooperation_meeting_requests_tenant_id_block_id_cooperation_meeting_blocks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'recipient_id'], ['event_registrations.tenant_id', 'event_registrations.id'], name=op.f('fk_cooperation_meeting_requests_tenant_id_recipient_id_event_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'requester_id'], ['event_registrations.tenant_id', 'event_registrations.id'], name=op.f('fk_cooperation_meeting_requests_tenant_id_requester_id_event_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cooperation_meeting_requests_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cooperation_meeting_requests')),
    sa.UniqueConstraint('tenant_id', 'block_id', 'slot', 'table_no', name='uq_cooperation_meeting_place'),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_cooperation_meeting_requests_tenant_id_id'))
    )
    with op.batch_alter_table('cooperation_meeting_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cooperation_meeting_requests_block_id'), ['block_id'], unique=False)
        batch_op.create_index('ix_cooperation_meeting_requests_block_status', ['tenant_id', 'block_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_cooperation_meeting_requests_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cooperation_meeting_requests_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cooperation_meeting_requests_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('cooperation_meeting_seats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('block_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'block_id'], ['cooperation_meeting_blocks.tenant_id', 'cooperation_meeting_blocks.id'], name=op.f('fk_cooperation_meeting_seats_tenant_id_block_id_cooperation_meeting_blocks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'registration_id'], ['event_registrations.tenant_id', 'event_registrations.id'], name=op.f('fk_cooperation_meeting_seats_tenant_id_registration_id_event_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'request_id'], ['cooperation_meeting_requests.tenant_id', 'cooperation_meeting_requests.id'], name=op.f('fk_cooperation_meeting_seats_tenant_id_request_id_cooperation_meeting_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_cooperation_meeting_seats_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cooperation_meeting_seats')),
    sa.UniqueConstraint('tenant_id', 'block_id', 'slot', 'registration_id', name='uq_cooperation_meeting_seat'),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_cooperation_meeting_seats_tenant_id_id'))
    )
    with op.batch_alter_table('cooperation_meeting_seats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cooperation_meeting_seats_block_id'), ['block_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cooperation_meeting_seats_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cooperation_meeting_seats_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cooperation_meeting_seats_tenant_id'), ['tenant_id'], unique=False)

    for table in ("cooperation_meeting_blocks", "cooperation_meeting_requests", "cooperation_meeting_seats"):
        rls.enable(table)


def downgrade():
    for table in ("cooperation_meeting_seats", "cooperation_meeting_requests", "cooperation_meeting_blocks"):
        rls.disable(table)
    with op.batch_alter_table('cooperation_meeting_seats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cooperation_meeting_seats_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_cooperation_meeting_seats_request_id'))
        batch_op.drop_index(batch_op.f('ix_cooperation_meeting_seats_registration_id'))
        batch_op.drop_index(batch_op.f('ix_cooperation_meeting_seats_block_id'))

    op.drop_table('cooperation_meeting_seats')
    with op.batch_alter_table('cooperation_meeting_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cooperation_meeting_requests_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_cooperation_meeting_requests_requester_id'))
        batch_op.drop_index(batch_op.f('ix_cooperation_meeting_requests_recipient_id'))
        batch_op.drop_index('ix_cooperation_meeting_requests_block_status')
        batch_op.drop_index(batch_op.f('ix_cooperation_meeting_requests_block_id'))

    op.drop_table('cooperation_meeting_requests')
    with op.batch_alter_table('cooperation_meeting_blocks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cooperation_meeting_blocks_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_cooperation_meeting_blocks_event_id'))

    op.drop_table('cooperation_meeting_blocks')
