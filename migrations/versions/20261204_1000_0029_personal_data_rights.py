"""Personal-data rights (152-ФЗ): erasure requests with one tenant-owned part per center (RLS), and
withdrawals of consent to e-mail.

Revision ID: 0029_personal_data_rights
Revises: 0024_public_search_vectors
Create Date: 2026-12-04 10:00:00

"""

import sqlalchemy as sa
from alembic import op

from clusterhub.tenancy import rls

revision = "0029_personal_data_rights"
down_revision = "0026_api_tokens_webhooks"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "privacy_erasure_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("pseudonym", sa.String(length=40), nullable=False),
        sa.Column("name_digest", sa.String(length=64), nullable=False),
        sa.Column("email_digest", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_privacy_erasure_requests_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_erasure_requests")),
    )
    with op.batch_alter_table("privacy_erasure_requests") as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_erasure_requests_user_id"), ["user_id"], unique=False)

    op.create_table(
        "privacy_center_erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("erasure_request_id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=40), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.JSON(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["erasure_request_id"],
            ["privacy_erasure_requests.id"],
            name="fk_privacy_center_erasures_erasure_request",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["completed_by_id"],
            ["users.id"],
            name=op.f("fk_privacy_center_erasures_completed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_privacy_center_erasures_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_center_erasures")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_privacy_center_erasures_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id",
            "erasure_request_id",
            name=op.f("uq_privacy_center_erasures_tenant_id_erasure_request_id"),
        ),
    )
    with op.batch_alter_table("privacy_center_erasures") as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_center_erasures_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_privacy_center_erasures_erasure_request_id"), ["erasure_request_id"], unique=False
        )
        batch_op.create_index(
            "ix_privacy_center_erasures_pending", ["tenant_id", "completed_at", "due_at"], unique=False
        )
    rls.enable("privacy_center_erasures")

    op.create_table(
        "privacy_mail_consent_withdrawals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_privacy_mail_consent_withdrawals_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_mail_consent_withdrawals")),
        sa.UniqueConstraint("email", name=op.f("uq_privacy_mail_consent_withdrawals_email")),
    )
    with op.batch_alter_table("privacy_mail_consent_withdrawals") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_mail_consent_withdrawals_user_id"), ["user_id"], unique=False
        )


def downgrade():
    op.drop_table("privacy_mail_consent_withdrawals")
    rls.disable("privacy_center_erasures")
    op.drop_table("privacy_center_erasures")
    op.drop_table("privacy_erasure_requests")
