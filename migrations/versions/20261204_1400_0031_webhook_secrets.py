"""The webhook subscriptions' signing secrets encrypted at rest: the column ``secret`` becomes
``secret_encrypted`` (a Fernet token, too long for the old VARCHAR(80)) and every existing secret is
encrypted with the application's key (``WEBHOOK_SECRETS_KEY``, or the key derived from ``SECRET_KEY``);
the downgrade decrypts them back.

Revision ID: 0031_webhook_secrets
Revises: 0030_meeting_preferences
Create Date: 2026-12-04 14:00:00

"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

from clusterhub.tenancy import rls
from clusterhub.webhooks.sealing import seal, unseal

revision = "0031_webhook_secrets"
down_revision = "0030_meeting_preferences"
branch_labels = None
depends_on = None

TABLE = "webhook_subscriptions"


def _rewrite(column, change):
    """Replace each row's ``column`` by ``change(value)``. On PostgreSQL the table FORCEs row-level
    security, which binds its owner too (unless a superuser): each center's rows are read and written
    inside its own scope."""
    bind = op.get_bind()
    select = sa.text(f"SELECT id, {column} FROM {TABLE}")
    update = sa.text(f"UPDATE {TABLE} SET {column} = :value WHERE id = :id")
    scopes = [None]
    if rls.is_postgresql():
        scopes = [str(t) for (t,) in bind.execute(sa.text("SELECT id FROM tenants")).all()]
    for tenant_id in scopes:
        if tenant_id is not None:
            bind.execute(sa.text("SELECT set_config('app.tenant_id', :t, true)"), {"t": tenant_id})
        for row_id, value in bind.execute(select).all():
            bind.execute(update, {"value": change(value), "id": row_id})
    if rls.is_postgresql():
        bind.execute(sa.text("SELECT set_config('app.tenant_id', '', true)"))


def upgrade():
    if rls.is_postgresql():
        op.alter_column(
            TABLE, "secret", new_column_name="secret_encrypted", type_=sa.Text(), existing_nullable=False
        )
    else:
        # A rename only: SQLite ignores VARCHAR lengths, and rebuilding the table would cascade-delete
        # the deliveries that reference it.
        op.execute(f"ALTER TABLE {TABLE} RENAME COLUMN secret TO secret_encrypted")
    config = current_app.config
    _rewrite("secret_encrypted", lambda secret: seal(secret, config))


def downgrade():
    config = current_app.config
    _rewrite("secret_encrypted", lambda token: unseal(token, config))
    if rls.is_postgresql():
        op.alter_column(
            TABLE,
            "secret_encrypted",
            new_column_name="secret",
            type_=sa.String(length=80),
            existing_nullable=False,
        )
    else:
        op.execute(f"ALTER TABLE {TABLE} RENAME COLUMN secret_encrypted TO secret")
