"""Enterprises get a region from their ИНН/ОГРН when none was given, marked as derived: profiles created
from an ИНН alone (a claim, an agenda item's host, a project participant) had no region and were missing
from every by-region figure. Existing profiles without a region are filled in here.

Revision ID: 0019_enterprise_region
Revises: 0017_signup
Create Date: 2026-12-04 05:30:00

"""

import sqlalchemy as sa
from alembic import op

from clusterhub.enterprises.services.identifiers import tax_region_code

revision = "0019_enterprise_region"
down_revision = "0017_signup"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("region_derived", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    backfill_regions()


def backfill_regions():
    """Derive the region of every profile that has none (enterprises and regions are global tables)."""
    connection = op.get_bind()
    region_ids = dict(connection.execute(sa.text("SELECT tax_code, id FROM regions")).all())
    rows = connection.execute(sa.text("SELECT id, inn, ogrn FROM enterprises WHERE region_id IS NULL")).all()
    update = sa.text(
        "UPDATE enterprises SET region_id = :region_id, region_derived = :derived WHERE id = :id"
    )
    for enterprise_id, inn, ogrn in rows:
        region_id = region_ids.get(tax_region_code(inn, ogrn))
        if region_id is not None:
            connection.execute(update, {"region_id": region_id, "derived": True, "id": enterprise_id})


def downgrade():
    # The derived regions stay: they are indistinguishable from given ones once the flag is gone.
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_column("region_derived")
