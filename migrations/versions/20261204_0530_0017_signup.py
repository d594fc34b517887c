"""Self-service sign-up and federal staff invitations: users confirm their e-mail address, and a platform
admin invites federal analysts and reviewers.

Accounts that exist already were created by an invitation, the CLI or the demo, which proves the address,
so they count as confirmed from their creation.

Revision ID: 0017_signup
Revises: 0016_search_vectors
Create Date: 2026-12-04 05:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0017_signup"
down_revision = "0016_search_vectors"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("email_confirmed_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE users SET email_confirmed_at = created_at")
    op.create_table(
        "federal_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_federal_invitations_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federal_invitations")),
    )


def downgrade():
    op.drop_table("federal_invitations")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("email_confirmed_at")
