"""Technopark catalogues: technoparks, zones, equipment, priced services, requests and equipment bookings.

Revision ID: 0005_technoparks
Revises: 0002_enterprises
Create Date: 2026-11-26 06:06:15.931794

"""

import sqlalchemy as sa
from alembic import op

from clusterhub.tenancy import rls


revision = "0005_technoparks"
down_revision = "0002_enterprises"
branch_labels = None
depends_on = None

TENANT_TABLES = [
    "technoparks",
    "technopark_residents",
    "technopark_zones",
    "technopark_equipment",
    "technopark_equipment_specs",
    "technopark_services",
    "technopark_service_equipment",
    "technopark_service_requests",
    "technopark_service_request_events",
    "technopark_equipment_bookings",
]


def upgrade():
    op.create_table(
        "technoparks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_ru", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("register_status", sa.String(length=16), nullable=False),
        sa.Column("address_ru", sa.String(length=300), nullable=True),
        sa.Column("address_en", sa.String(length=300), nullable=True),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("description_ru", sa.Text(), nullable=True),
        sa.Column("description_en", sa.Text(), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("website", sa.String(length=200), nullable=True),
        sa.Column("total_area", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("useful_area", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "total_area IS NULL OR total_area >= 0", name=op.f("ck_technoparks_total_area_not_negative")
        ),
        sa.CheckConstraint(
            "useful_area IS NULL OR useful_area >= 0", name=op.f("ck_technoparks_useful_area_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["enterprises.id"], name=op.f("fk_technoparks_operator_id_enterprises")
        ),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"], name=op.f("fk_technoparks_region_id_regions")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_technoparks_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technoparks")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_technoparks_tenant_id_id")),
    )
    with op.batch_alter_table("technoparks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_technoparks_operator_id"), ["operator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_technoparks_region_id"), ["region_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_technoparks_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "technopark_residents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("technopark_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_technopark_residents_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "technopark_id"],
            ["technoparks.tenant_id", "technoparks.id"],
            name=op.f("fk_technopark_residents_tenant_id_technopark_id_technoparks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_technopark_residents_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technopark_residents")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_technopark_residents_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id",
            "technopark_id",
            "enterprise_id",
            "since",
            name=op.f("uq_technopark_residents_tenant_id_technopark_id_enterprise_id_since"),
        ),
    )
    with op.batch_alter_table("technopark_residents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_technopark_residents_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_technopark_residents_technopark_id"), ["technopark_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_technopark_residents_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "technopark_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("technopark_id", sa.Integer(), nullable=False),
        sa.Column("name_ru", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("description_ru", sa.Text(), nullable=True),
        sa.Column("description_en", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("price_on_request", sa.Boolean(), nullable=False),
        sa.Column("vat", sa.String(length=16), nullable=False),
        sa.Column("gross_price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("lead_time_days", sa.Integer(), nullable=True),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "lead_time_days IS NULL OR lead_time_days >= 0",
            name=op.f("ck_technopark_services_lead_time_not_negative"),
        ),
        sa.CheckConstraint(
            "price IS NULL OR price >= 0", name=op.f("ck_technopark_services_price_not_negative")
        ),
        sa.CheckConstraint(
            "price_on_request OR price IS NOT NULL", name=op.f("ck_technopark_services_price_or_on_request")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "technopark_id"],
            ["technoparks.tenant_id", "technoparks.id"],
            name=op.f("fk_technopark_services_tenant_id_technopark_id_technoparks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_technopark_services_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technopark_services")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_technopark_services_tenant_id_id")),
    )
    with op.batch_alter_table("technopark_services", schema=None) as batch_op:
        batch_op.create_index(
            "ix_technopark_services_status_category_gross", ["status", "category", "gross_price"], unique=False
        )
        batch_op.create_index("ix_technopark_services_status_gross", ["status", "gross_price"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_technopark_services_technopark_id"), ["technopark_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_technopark_services_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "technopark_zones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("technopark_id", sa.Integer(), nullable=False),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("area", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("free_area", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("suitable_for_ru", sa.String(length=500), nullable=True),
        sa.Column("suitable_for_en", sa.String(length=500), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "area >= 0 AND free_area >= 0 AND free_area <= area",
            name=op.f("ck_technopark_zones_areas_consistent"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "technopark_id"],
            ["technoparks.tenant_id", "technoparks.id"],
            name=op.f("fk_technopark_zones_tenant_id_technopark_id_technoparks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_technopark_zones_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technopark_zones")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_technopark_zones_tenant_id_id")),
    )
    with op.batch_alter_table("technopark_zones", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_technopark_zones_technopark_id"), ["technopark_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_technopark_zones_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "technopark_equipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("technopark_id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=True),
        sa.Column("name_ru", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("manufacturer", sa.String(length=200), nullable=True),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("bookable", sa.Boolean(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_technopark_equipment_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "technopark_id"],
            ["technoparks.tenant_id", "technoparks.id"],
            name=op.f("fk_technopark_equipment_tenant_id_technopark_id_technoparks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "zone_id"],
            ["technopark_zones.tenant_id", "technopark_zones.id"],
            name=op.f("fk_technopark_equipment_tenant_id_zone_id_technopark_zones"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_technopark_equipment_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technopark_equipment")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_technopark_equipment_tenant_id_id")),
    )
    with op.batch_alter_table("technopark_equipment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_technopark_equipment_bookable_category", ["bookable", "category"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_technopark_equipment_technopark_id"), ["technopark_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_technopark_equipment_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_technopark_equipment_zone_id"), ["zone_id"], unique=False)

    op.create_table(
        "technopark_service_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("desired_start", sa.Date(), nullable=True),
        sa.Column("desired_end", sa.Date(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("quote", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("scheduled_start", sa.Date(), nullable=True),
        sa.Column("scheduled_end", sa.Date(), nullable=True),
        sa.Column("staff_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_technopark_service_requests_quantity_positive")),
        sa.CheckConstraint(
            "quote IS NULL OR quote >= 0", name=op.f("ck_technopark_service_requests_quote_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_technopark_service_requests_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_technopark_service_requests_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "service_id"],
            ["technopark_services.tenant_id", "technopark_services.id"],
            name=op.f("fk_technopark_service_requests_tenant_id_service_id_technopark_services"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_technopark_service_requests_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technopark_service_requests")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_technopark_service_requests_tenant_id_id")),
    )
    with op.batch_alter_table("technopark_service_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_technopark_service_requests_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_technopark_service_requests_service_id"), ["service_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_technopark_service_requests_tenant_id"), ["tenant_id"], unique=False
        )
        batch_op.create_index(
            "ix_technopark_service_requests_tenant_status", ["tenant_id", "status"], unique=False
        )

    op.create_table(
        "technopark_equipment_bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("equipment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_technopark_equipment_bookings_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_technopark_equipment_bookings_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_technopark_equipment_bookings_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "equipment_id"],
            ["technopark_equipment.tenant_id", "technopark_equipment.id"],
            name=op.f("fk_technopark_equipment_bookings_tenant_id_equipment_id_technopark_equipment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "request_id"],
            ["technopark_service_requests.tenant_id", "technopark_service_requests.id"],
            name=op.f("fk_technopark_equipment_bookings_tenant_id_request_id_technopark_service_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_technopark_equipment_bookings_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technopark_equipment_bookings")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_technopark_equipment_bookings_tenant_id_id")),
    )
    with op.batch_alter_table("technopark_equipment_bookings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_technopark_equipment_bookings_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_technopark_equipment_bookings_equipment_id"), ["equipment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_technopark_equipment_bookings_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(
            "ix_technopark_equipment_bookings_slot", ["tenant_id", "equipment_id", "starts_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_technopark_equipment_bookings_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "technopark_equipment_specs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("equipment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "equipment_id"],
            ["technopark_equipment.tenant_id", "technopark_equipment.id"],
            name=op.f("fk_technopark_equipment_specs_tenant_id_equipment_id_technopark_equipment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_technopark_equipment_specs_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technopark_equipment_specs")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_technopark_equipment_specs_tenant_id_id")),
    )
    with op.batch_alter_table("technopark_equipment_specs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_technopark_equipment_specs_equipment_id"), ["equipment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_technopark_equipment_specs_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "technopark_service_equipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("equipment_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "equipment_id"],
            ["technopark_equipment.tenant_id", "technopark_equipment.id"],
            name=op.f("fk_technopark_service_equipment_tenant_id_equipment_id_technopark_equipment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "service_id"],
            ["technopark_services.tenant_id", "technopark_services.id"],
            name=op.f("fk_technopark_service_equipment_tenant_id_service_id_technopark_services"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_technopark_service_equipment_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technopark_service_equipment")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_technopark_service_equipment_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id",
            "service_id",
            "equipment_id",
            name=op.f("uq_technopark_service_equipment_tenant_id_service_id_equipment_id"),
        ),
    )
    with op.batch_alter_table("technopark_service_equipment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_technopark_service_equipment_equipment_id"), ["equipment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_technopark_service_equipment_service_id"), ["service_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_technopark_service_equipment_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "technopark_service_request_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_technopark_service_request_events_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "request_id"],
            ["technopark_service_requests.tenant_id", "technopark_service_requests.id"],
            name=op.f(
                "fk_technopark_service_request_events_tenant_id_request_id_technopark_service_requests"
            ),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_technopark_service_request_events_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_technopark_service_request_events")),
        sa.UniqueConstraint(
            "tenant_id", "id", name=op.f("uq_technopark_service_request_events_tenant_id_id")
        ),
    )
    with op.batch_alter_table("technopark_service_request_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_technopark_service_request_events_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_technopark_service_request_events_tenant_id"), ["tenant_id"], unique=False
        )

    for table in TENANT_TABLES:
        rls.enable(table)
    if rls.is_postgresql():
        # Confirmed bookings and maintenance blocks of one piece of equipment never overlap, whatever
        # writes the rows. btree_gist lets the GiST index compare the integer columns with "=".
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE technopark_equipment_bookings ADD CONSTRAINT technopark_bookings_no_overlap "
            "EXCLUDE USING gist (tenant_id WITH =, equipment_id WITH =, "
            "tsrange(starts_at, ends_at, '[)') WITH &&) WHERE (status = 'confirmed')"
        )
        # Full-text search of the platform-wide catalogue search (the query uses the same expressions).
        op.execute(
            "CREATE INDEX ix_technopark_services_search ON technopark_services "
            "USING gin (to_tsvector('russian'::regconfig, search_text)) WHERE status = 'published'"
        )
        op.execute(
            "CREATE INDEX ix_technopark_equipment_search ON technopark_equipment "
            "USING gin (to_tsvector('russian'::regconfig, search_text)) WHERE bookable"
        )


def downgrade():
    if rls.is_postgresql():
        op.execute("DROP INDEX IF EXISTS ix_technopark_equipment_search")
        op.execute("DROP INDEX IF EXISTS ix_technopark_services_search")
        op.execute(
            "ALTER TABLE technopark_equipment_bookings DROP CONSTRAINT IF EXISTS technopark_bookings_no_overlap"
        )
    for table in TENANT_TABLES:
        rls.disable(table)
    with op.batch_alter_table("technopark_service_request_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technopark_service_request_events_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_technopark_service_request_events_request_id"))

    op.drop_table("technopark_service_request_events")
    with op.batch_alter_table("technopark_service_equipment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technopark_service_equipment_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_technopark_service_equipment_service_id"))
        batch_op.drop_index(batch_op.f("ix_technopark_service_equipment_equipment_id"))

    op.drop_table("technopark_service_equipment")
    with op.batch_alter_table("technopark_equipment_specs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technopark_equipment_specs_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_technopark_equipment_specs_equipment_id"))

    op.drop_table("technopark_equipment_specs")
    with op.batch_alter_table("technopark_equipment_bookings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technopark_equipment_bookings_tenant_id"))
        batch_op.drop_index("ix_technopark_equipment_bookings_slot")
        batch_op.drop_index(batch_op.f("ix_technopark_equipment_bookings_request_id"))
        batch_op.drop_index(batch_op.f("ix_technopark_equipment_bookings_equipment_id"))
        batch_op.drop_index(batch_op.f("ix_technopark_equipment_bookings_enterprise_id"))

    op.drop_table("technopark_equipment_bookings")
    with op.batch_alter_table("technopark_service_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_technopark_service_requests_tenant_status")
        batch_op.drop_index(batch_op.f("ix_technopark_service_requests_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_technopark_service_requests_service_id"))
        batch_op.drop_index(batch_op.f("ix_technopark_service_requests_enterprise_id"))

    op.drop_table("technopark_service_requests")
    with op.batch_alter_table("technopark_equipment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technopark_equipment_zone_id"))
        batch_op.drop_index(batch_op.f("ix_technopark_equipment_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_technopark_equipment_technopark_id"))
        batch_op.drop_index("ix_technopark_equipment_bookable_category")

    op.drop_table("technopark_equipment")
    with op.batch_alter_table("technopark_zones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technopark_zones_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_technopark_zones_technopark_id"))

    op.drop_table("technopark_zones")
    with op.batch_alter_table("technopark_services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technopark_services_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_technopark_services_technopark_id"))
        batch_op.drop_index("ix_technopark_services_status_gross")
        batch_op.drop_index("ix_technopark_services_status_category_gross")

    op.drop_table("technopark_services")
    with op.batch_alter_table("technopark_residents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technopark_residents_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_technopark_residents_technopark_id"))
        batch_op.drop_index(batch_op.f("ix_technopark_residents_enterprise_id"))

    op.drop_table("technopark_residents")
    with op.batch_alter_table("technoparks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_technoparks_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_technoparks_region_id"))
        batch_op.drop_index(batch_op.f("ix_technoparks_operator_id"))

    op.drop_table("technoparks")
