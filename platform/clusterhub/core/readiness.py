"""Readiness: the database answers and its schema is at the newest migration."""

from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from ..extensions import db


@cache
def migration_heads(directory: str) -> frozenset[str]:
    config = Config()
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def database_ready(app) -> tuple[bool, str]:
    directory = str(Path(app.extensions["migrate"].directory))
    try:
        current = set(db.session.scalars(sa.text("SELECT version_num FROM alembic_version")).all())
    except sa.exc.SQLAlchemyError as exc:
        db.session.rollback()
        return False, f"database unavailable: {type(exc).__name__}"
    finally:
        db.session.rollback()
    heads = migration_heads(directory)
    if current != set(heads):
        return False, "migrations pending"
    return True, "ok"
