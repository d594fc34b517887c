"""Readiness: the database answers and its schema is at the newest migration."""

from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask

from ..extensions import db


@cache
def _scripts(directory: str) -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", directory)
    return ScriptDirectory.from_config(config)


def migrations_pending(directory: str, current: set[str]) -> bool:
    """Is the database behind this code? A database *ahead* of it (a revision this code does not know,
    as during a rolling upgrade whose migrations ran before the new pods) is not "pending": old pods
    stay ready until they are replaced."""
    scripts = _scripts(directory)
    heads = set(scripts.get_heads())
    if current == heads:
        return False
    known = {rev.revision for rev in scripts.walk_revisions()}
    ahead = bool(current) and not current <= known
    return not ahead


def database_ready(app: Flask) -> tuple[bool, str]:
    directory = str(Path(app.extensions["migrate"].directory))
    try:
        current = set(db.session.scalars(sa.text("SELECT version_num FROM alembic_version")).all())
    except sa.exc.SQLAlchemyError as exc:
        db.session.rollback()
        return False, f"database unavailable: {type(exc).__name__}"
    finally:
        db.session.rollback()
    if migrations_pending(directory, current):
        return False, "migrations pending"
    return True, "ok"
