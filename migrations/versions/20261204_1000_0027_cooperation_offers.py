"""Cooperation offers and requests of enterprises (global), their codes, the digest settings of users and
the entries a center features (tenant-owned, with RLS).

``cooperation_offers`` has no row-level security: its rows are global, like the enterprise they belong
to, and public once published. So on PostgreSQL the generated ``search_vector`` and its GIN index live on
the table itself and serve the full-text match (see migration 0024 for why an RLS table cannot).

Revision ID: 0027_cooperation_offers
Revises: 0024_public_search_vectors
Create Date: 2026-12-04 10:00:00

"""

import sqlalchemy as sa
from alembic import op

from clusterhub.tenancy import rls

revision = "0027_cooperation_offers"
down_revision = "0029_personal_data_rights"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cooperation_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("kind_of_entry", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("title_ru", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=True),
        sa.Column("description_ru", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=True),
        sa.Column("okved_codes", sa.String(length=500), nullable=False),
        sa.Column("okpd2_codes", sa.String(length=500), nullable=False),
        sa.Column("served_region_ids", sa.String(length=500), nullable=False),
        sa.Column("served_districts", sa.String(length=100), nullable=False),
        sa.Column("volume", sa.String(length=300), nullable=True),
        sa.Column("terms", sa.Text(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "kind_of_entry IN ('offer', 'request')", name=op.f("ck_cooperation_offers_kind_of_entry")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_cooperation_offers_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_cooperation_offers_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cooperation_offers")),
    )
    with op.batch_alter_table("cooperation_offers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cooperation_offers_listing",
            ["status", "kind_of_entry", "valid_until"],
            postgresql_include=["id", "enterprise_id"],  # the matching's live filter reads it alone
        )
        batch_op.create_index(batch_op.f("ix_cooperation_offers_enterprise_id"), ["enterprise_id"])
        batch_op.create_index(batch_op.f("ix_cooperation_offers_published_at"), ["published_at"])

    op.create_table(
        "cooperation_offer_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("class_code", sa.String(length=2), nullable=False),
        sa.Column("group_code", sa.String(length=4), nullable=True),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["cooperation_offers.id"],
            name=op.f("fk_cooperation_offer_codes_offer_id_cooperation_offers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cooperation_offer_codes")),
        sa.UniqueConstraint(
            "offer_id", "system", "code", name=op.f("uq_cooperation_offer_codes_offer_id_system_code")
        ),
    )
    with op.batch_alter_table("cooperation_offer_codes", schema=None) as batch_op:
        batch_op.create_index("ix_cooperation_offer_codes_class", ["system", "class_code", "offer_id"])
        batch_op.create_index("ix_cooperation_offer_codes_group", ["system", "group_code", "offer_id"])

    op.create_table(
        "cooperation_digest_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_cooperation_digest_settings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_cooperation_digest_settings")),
    )

    op.create_table(
        "cooperation_featured_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_cooperation_featured_offers_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["cooperation_offers.id"],
            name=op.f("fk_cooperation_featured_offers_offer_id_cooperation_offers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_cooperation_featured_offers_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cooperation_featured_offers")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_cooperation_featured_offers_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id", "offer_id", name=op.f("uq_cooperation_featured_offers_tenant_id_offer_id")
        ),
    )
    with op.batch_alter_table("cooperation_featured_offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cooperation_featured_offers_offer_id"), ["offer_id"])
        batch_op.create_index(batch_op.f("ix_cooperation_featured_offers_tenant_id"), ["tenant_id"])
    rls.enable("cooperation_featured_offers")

    if rls.is_postgresql():
        # SQLite matches words with LIKE on search_text (see cooperation/offers/services/search.py)
        op.execute(
            "ALTER TABLE cooperation_offers ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('russian'::regconfig, search_text)) STORED"
        )
        # Not partial: the queries compare status with a bound parameter, which a partial index's
        # predicate cannot be proved against, and drafts are few.
        op.execute(
            "CREATE INDEX ix_cooperation_offers_vector ON cooperation_offers USING gin (search_vector)"
        )


def downgrade():
    rls.disable("cooperation_featured_offers")
    op.drop_table("cooperation_featured_offers")
    op.drop_table("cooperation_digest_settings")
    op.drop_table("cooperation_offer_codes")
    op.drop_table("cooperation_offers")
