"""Center API tokens with scopes and expiry, personal tokens read-only and expiring, the token's label in
the audit log, and outgoing webhooks (subscriptions and deliveries, tenant-owned with RLS) queued through
the outbox.

Personal tokens issued before this revision never expired; they now expire a year from the migration,
so that no integration stops the day this is deployed, and none lives forever.

Revision ID: 0026_api_tokens_webhooks
Revises: 0024_public_search_vectors
Create Date: 2026-12-04 10:00:00

"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from clusterhub.tenancy import rls

revision = "0026_api_tokens_webhooks"
down_revision = "0025_api_sync"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.add_column(sa.Column("read_only", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
    a_year_from_now = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=365)
    op.execute(sa.text("UPDATE api_tokens SET expires_at = :at").bindparams(at=a_year_from_now))
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.alter_column("expires_at", existing_type=sa.DateTime(), nullable=False)

    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.add_column(sa.Column("token_label", sa.String(length=140), nullable=True))

    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="mail"))
        batch_op.add_column(sa.Column("webhook_tenant_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("webhook_delivery_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_outbox_messages_webhook_tenant_id_tenants"),
            "tenants",
            ["webhook_tenant_id"],
            ["id"],
            ondelete="CASCADE",
        )

    op.create_table(
        "center_api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_center_api_tokens_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_center_api_tokens_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_center_api_tokens")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_center_api_tokens_tenant_id_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_center_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_center_api_tokens_tenant_id"), "center_api_tokens", ["tenant_id"], unique=False)

    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=80), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_webhook_subscriptions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_webhook_subscriptions_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_webhook_subscriptions_tenant_id_id")),
    )
    op.create_index(
        op.f("ix_webhook_subscriptions_tenant_id"), "webhook_subscriptions", ["tenant_id"], unique=False
    )

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "subscription_id"],
            ["webhook_subscriptions.tenant_id", "webhook_subscriptions.id"],
            name=op.f("fk_webhook_deliveries_tenant_id_subscription_id_webhook_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_webhook_deliveries_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("event_id", name=op.f("uq_webhook_deliveries_event_id")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_webhook_deliveries_tenant_id_id")),
    )
    op.create_index(op.f("ix_webhook_deliveries_tenant_id"), "webhook_deliveries", ["tenant_id"], unique=False)
    op.create_index(
        "ix_webhook_deliveries_subscription_created",
        "webhook_deliveries",
        ["tenant_id", "subscription_id", "created_at"],
        unique=False,
    )

    for table in ("center_api_tokens", "webhook_subscriptions", "webhook_deliveries"):
        rls.enable(table)


def downgrade():
    for table in ("webhook_deliveries", "webhook_subscriptions", "center_api_tokens"):
        rls.disable(table)
    op.drop_index("ix_webhook_deliveries_subscription_created", table_name="webhook_deliveries")
    op.drop_index(op.f("ix_webhook_deliveries_tenant_id"), table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index(op.f("ix_webhook_subscriptions_tenant_id"), table_name="webhook_subscriptions")
    op.drop_table("webhook_subscriptions")
    op.drop_index(op.f("ix_center_api_tokens_tenant_id"), table_name="center_api_tokens")
    op.drop_table("center_api_tokens")
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.drop_constraint(op.f("fk_outbox_messages_webhook_tenant_id_tenants"), type_="foreignkey")
        batch_op.drop_column("webhook_delivery_id")
        batch_op.drop_column("webhook_tenant_id")
        batch_op.drop_column("kind")
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.drop_column("token_label")
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_column("expires_at")
        batch_op.drop_column("read_only")
