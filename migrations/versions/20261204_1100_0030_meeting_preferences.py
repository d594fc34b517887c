"""B2B meetings: each participant's own limits in a block (most meetings, slots they are not available in),
tenant-owned with RLS.

Revision ID: 0030_meeting_preferences
Revises: 0028_cooperation_meetings
Create Date: 2026-12-04 11:00:00

"""

import sqlalchemy as sa
from alembic import op

from clusterhub.tenancy import rls

revision = "0030_meeting_preferences"
down_revision = "0028_cooperation_meetings"
branch_labels = None
depends_on = None

TABLE = "cooperation_meeting_preferences"


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("block_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("max_meetings", sa.Integer(), nullable=True),
        sa.Column("unavailable", sa.String(length=500), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "max_meetings IS NULL OR max_meetings > 0", name=op.f(f"ck_{TABLE}_max_meetings_positive")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "block_id"],
            ["cooperation_meeting_blocks.tenant_id", "cooperation_meeting_blocks.id"],
            name=op.f(f"fk_{TABLE}_tenant_id_block_id_cooperation_meeting_blocks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "registration_id"],
            ["event_registrations.tenant_id", "event_registrations.id"],
            name=op.f(f"fk_{TABLE}_tenant_id_registration_id_event_registrations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{TABLE}_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint(
            "tenant_id", "block_id", "registration_id", name="uq_cooperation_meeting_preference"
        ),
        sa.UniqueConstraint("tenant_id", "id", name=op.f(f"uq_{TABLE}_tenant_id_id")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_block_id"), ["block_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_registration_id"), ["registration_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_tenant_id"), ["tenant_id"], unique=False)
    rls.enable(TABLE)


def downgrade():
    rls.disable(TABLE)
    op.drop_table(TABLE)
