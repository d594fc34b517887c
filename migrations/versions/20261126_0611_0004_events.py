"""events

Revision ID: 0004_events
Revises: 0002_enterprises
Create Date: 2026-11-26 06:11:38.610011

"""
from alembic import op

from clusterhub.tenancy import rls
import sqlalchemy as sa


revision = '0004_events'
down_revision = '0003_enterprises_clusters'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title_ru', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=True),
    sa.Column('description_ru', sa.Text(), nullable=True),
    sa.Column('description_en', sa.Text(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('city_ru', sa.String(length=120), nullable=False),
    sa.Column('city_en', sa.String(length=120), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('requires_approval', sa.Boolean(), nullable=False),
    sa.Column('planned_participants', sa.Integer(), nullable=True),
    sa.Column('planned_enterprises', sa.Integer(), nullable=True),
    sa.Column('planned_regions', sa.Integer(), nullable=True),
    sa.Column('consent_version', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 0', name=op.f('ck_events_capacity_not_negative')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_events_dates_in_order')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_events_region_id_regions')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_events_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_events_tenant_id_id'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_events_tenant_status_start', ['tenant_id', 'status', 'start_date'], unique=False)

    op.create_table('event_organisers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name_ru', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=True),
    sa.Column('role', sa.String(length=24), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_event_organisers_enterprise_id_enterprises'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'event_id'], ['events.tenant_id', 'events.id'], name=op.f('fk_event_organisers_tenant_id_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_event_organisers_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_organisers')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_event_organisers_tenant_id_id'))
    )
    with op.batch_alter_table('event_organisers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_organisers_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_organisers_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('event_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.String(length=500), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('position_title', sa.String(length=200), nullable=True),
    sa.Column('consent_version', sa.String(length=20), nullable=False),
    sa.Column('consent_at', sa.DateTime(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(), nullable=True),
    sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['checked_in_by_id'], ['users.id'], name=op.f('fk_event_registrations_checked_in_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_event_registrations_enterprise_id_enterprises'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_event_registrations_region_id_regions')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_event_registrations_registered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'event_id'], ['events.tenant_id', 'events.id'], name=op.f('fk_event_registrations_tenant_id_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_event_registrations_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_registrations_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_registrations')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_event_registrations_tenant_id_code')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_event_registrations_tenant_id_id'))
    )
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_registrations_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index('ix_event_registrations_event_email', ['tenant_id', 'event_id', 'email'], unique=False)
        batch_op.create_index('ix_event_registrations_event_status', ['tenant_id', 'event_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_registrations_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_registrations_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_registrations_user_id'), ['user_id'], unique=False)

    op.create_table('event_venues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name_ru', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('address_ru', sa.String(length=300), nullable=False),
    sa.Column('address_en', sa.String(length=300), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'event_id'], ['events.tenant_id', 'events.id'], name=op.f('fk_event_venues_tenant_id_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_event_venues_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_venues')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_event_venues_tenant_id_id'))
    )
    with op.batch_alter_table('event_venues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_venues_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_venues_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('event_agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('title_ru', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=True),
    sa.Column('description_ru', sa.Text(), nullable=True),
    sa.Column('description_en', sa.Text(), nullable=True),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('venue_id', sa.Integer(), nullable=True),
    sa.Column('site_enterprise_id', sa.Integer(), nullable=True),
    sa.Column('site_address_ru', sa.String(length=300), nullable=True),
    sa.Column('site_address_en', sa.String(length=300), nullable=True),
    sa.Column('speakers', sa.Text(), nullable=True),
    sa.Column('linked_title', sa.String(length=300), nullable=True),
    sa.Column('linked_url', sa.String(length=500), nullable=True),
    sa.Column('seat_limit', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_event_agenda_items_ends_after_start')),
    sa.CheckConstraint('seat_limit IS NULL OR seat_limit >= 0', name=op.f('ck_event_agenda_items_seat_limit_not_negative')),
    sa.ForeignKeyConstraint(['site_enterprise_id'], ['enterprises.id'], name=op.f('fk_event_agenda_items_site_enterprise_id_enterprises'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id', 'event_id'], ['events.tenant_id', 'events.id'], name=op.f('fk_event_agenda_items_tenant_id_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'venue_id'], ['event_venues.tenant_id', 'event_venues.id'], name=op.f('fk_event_agenda_items_tenant_id_venue_id_event_venues')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_event_agenda_items_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_agenda_items')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_event_agenda_items_tenant_id_id'))
    )
    with op.batch_alter_table('event_agenda_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_agenda_items_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_event_agenda_items_event_position', ['tenant_id', 'event_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_agenda_items_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_agenda_items_venue_id'), ['venue_id'], unique=False)

    op.create_table('event_agenda_item_hosts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_event_agenda_item_hosts_enterprise_id_enterprises'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'agenda_item_id'], ['event_agenda_items.tenant_id', 'event_agenda_items.id'], name=op.f('fk_event_agenda_item_hosts_tenant_id_agenda_item_id_event_agenda_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_event_agenda_item_hosts_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_agenda_item_hosts')),
    sa.UniqueConstraint('tenant_id', 'agenda_item_id', 'enterprise_id', name=op.f('uq_event_agenda_item_hosts_tenant_id_agenda_item_id_enterprise_id')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_event_agenda_item_hosts_tenant_id_id'))
    )
    with op.batch_alter_table('event_agenda_item_hosts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_agenda_item_hosts_agenda_item_id'), ['agenda_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_agenda_item_hosts_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_agenda_item_hosts_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('event_agenda_signups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'agenda_item_id'], ['event_agenda_items.tenant_id', 'event_agenda_items.id'], name=op.f('fk_event_agenda_signups_tenant_id_agenda_item_id_event_agenda_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'registration_id'], ['event_registrations.tenant_id', 'event_registrations.id'], name=op.f('fk_event_agenda_signups_tenant_id_registration_id_event_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_event_agenda_signups_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_agenda_signups')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_event_agenda_signups_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'registration_id', 'agenda_item_id', name=op.f('uq_event_agenda_signups_tenant_id_registration_id_agenda_item_id'))
    )
    with op.batch_alter_table('event_agenda_signups', schema=None) as batch_op:
        batch_op.create_index('ix_event_agenda_signups_item_status', ['tenant_id', 'agenda_item_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_agenda_signups_tenant_id'), ['tenant_id'], unique=False)

    rls.enable('events')
    rls.enable('event_venues')
    rls.enable('event_organisers')
    rls.enable('event_agenda_items')
    rls.enable('event_agenda_item_hosts')
    rls.enable('event_registrations')
    rls.enable('event_agenda_signups')


def downgrade():
    rls.disable('event_agenda_signups')
    rls.disable('event_registrations')
    rls.disable('event_agenda_item_hosts')
    rls.disable('event_agenda_items')
    rls.disable('event_organisers')
    rls.disable('event_venues')
    rls.disable('events')
    with op.batch_alter_table('event_agenda_signups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_agenda_signups_tenant_id'))
        batch_op.drop_index('ix_event_agenda_signups_item_status')

    op.drop_table('event_agenda_signups')
    with op.batch_alter_table('event_agenda_item_hosts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_agenda_item_hosts_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_event_agenda_item_hosts_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_event_agenda_item_hosts_agenda_item_id'))

    op.drop_table('event_agenda_item_hosts')
    with op.batch_alter_table('event_agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_agenda_items_venue_id'))
        batch_op.drop_index(batch_op.f('ix_event_agenda_items_tenant_id'))
        batch_op.drop_index('ix_event_agenda_items_event_position')
        batch_op.drop_index(batch_op.f('ix_event_agenda_items_event_id'))

    op.drop_table('event_agenda_items')
    with op.batch_alter_table('event_venues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_venues_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_event_venues_event_id'))

    op.drop_table('event_venues')
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_registrations_user_id'))
        batch_op.drop_index(batch_op.f('ix_event_registrations_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_event_registrations_region_id'))
        batch_op.drop_index('ix_event_registrations_event_status')
        batch_op.drop_index('ix_event_registrations_event_email')
        batch_op.drop_index(batch_op.f('ix_event_registrations_enterprise_id'))

    op.drop_table('event_registrations')
    with op.batch_alter_table('event_organisers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_organisers_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_event_organisers_event_id'))

    op.drop_table('event_organisers')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_tenant_status_start')
        batch_op.drop_index(batch_op.f('ix_events_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_events_region_id'))

    op.drop_table('events')
