"""Test toolkit: one application per run on SQLite or PostgreSQL (``TEST_DATABASE``), a clean database
for every test, and factories that build tenants, users and data through the services.

On PostgreSQL the application connects as the non-owner role ``clusterhub_app`` (so Row-Level Security
applies) while migrations and the per-test cleanup use the owner connection.
"""

import contextlib
import contextvars
import os
import time
import uuid

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient

import clusterhub.models  # noqa: F401  (every model known when tests are collected)
from clusterhub import create_app
from clusterhub.extensions import db, limiter
from tests import api_contract

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
APP_ROLE = "clusterhub_app"
KEEP_TABLES = {"regions", "alembic_version"}


def pytest_report_header(config):
    return f"database backend: {BACKEND}"


def _create_pg_database() -> tuple[str, str, str]:
    name = f"clusterhub_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE})
        if not exists:
            # another test run may create it at the same moment
            with contextlib.suppress(sa.exc.ProgrammingError):
                conn.execute(sa.text(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS"))
        # Another run may alter the role at the same moment ("tuple concurrently updated"): only a role
        # that cannot log in (a migration creates it NOLOGIN) needs it, and a retry settles the race.
        for attempt in range(5):
            can_login = conn.scalar(
                sa.text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
            )
            if can_login:
                break
            try:
                conn.execute(sa.text(f"ALTER ROLE {APP_ROLE} LOGIN"))
            except sa.exc.InternalError:
                if attempt == 4:
                    raise
                time.sleep(0.2)
    admin.dispose()
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    owner_url = f"{base}/{name}"
    app_url = owner_url.replace("://postgres@", f"://{APP_ROLE}@", 1)
    return name, owner_url, app_url


def _drop_pg_database(name: str) -> None:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own application context, like a separate process.

    The test's own session is committed before each request (so the request sees what the test built)
    and expired after it (so the test sees what the request changed).
    """

    def open(self, *args, **kwargs):
        if not has_app_context():  # a redirect followed from inside an isolated request
            return super().open(*args, **kwargs)
        if db.session.registry.has():
            db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if db.session.registry.has():
            db.session.expire_all()
        if response.is_json:  # the contract: documented route, status and body (tests/api_contract.py)
            api_contract.check(response.request.path, response.request.method, response)
        return response


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory):
    if BACKEND == "postgresql":
        name, owner_url, app_url = _create_pg_database()
        yield {"DATABASE_URL": app_url, "MIGRATIONS_DATABASE_URL": owner_url, "backend": "postgresql"}
        _drop_pg_database(name)
    else:
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        url = f"sqlite:///{path}"
        yield {"DATABASE_URL": url, "MIGRATIONS_DATABASE_URL": url, "backend": "sqlite"}


@pytest.fixture(scope="session")
def app(database_urls, tmp_path_factory):
    from flask_migrate import upgrade

    instance = tmp_path_factory.mktemp("instance")
    application = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": database_urls["DATABASE_URL"],
            "MIGRATIONS_DATABASE_URL": database_urls["MIGRATIONS_DATABASE_URL"],
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "BASE_URL": "http://clusterhub.test",
            "SERVER_NAME": None,
            "LOGIN_RATE_LIMIT": "5 per 15 minutes",
            "RATELIMIT_STORAGE_URI": "memory://",
            # One token makes thousands of calls in the API fuzzing; tests of the per-token limit set their own.
            "API_TOKEN_RATE_LIMIT": "100000 per minute",
            "REPORTING_CACHE_SECONDS": 0,
            "PASSWORD_HASHING": "minimal",  # hundreds of users are created; production refuses this
        }
    )
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()
    application.config["OWNER_ENGINE"] = sa.create_engine(database_urls["MIGRATIONS_DATABASE_URL"])
    yield application
    application.config["OWNER_ENGINE"].dispose()
    with application.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def _clean_database(app):
    """Empty every table but the reference data, as the owner (RLS does not hide rows from it)."""
    engine = app.config["OWNER_ENGINE"]
    tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # DELETE costs next to nothing on the few rows a test writes, where TRUNCATE pays a fixed price
            # per table; replica mode skips the foreign-key triggers (the owner here is a superuser).
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for table in tables:
            conn.execute(sa.text(f"DELETE FROM {table}"))


@pytest.fixture(autouse=True)
def ctx(app, request):
    """Every test runs inside an application context on a clean database.

    Tests marked ``shares_class_data`` read data their class built once (a class-scoped fixture, which
    empties the database after the class): the database is not emptied between them."""
    limiter.reset()
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
    if request.node.get_closest_marker("shares_class_data") is None:
        _clean_database(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def backend(database_urls):
    return database_urls["backend"]


@pytest.fixture
def pg_only(backend):
    if backend != "postgresql":
        pytest.skip("PostgreSQL-only behaviour; runs in the PostgreSQL pass of `make test`")


from tests.billing_factories import *  # noqa: E402,F401,F403
from tests.enterprises_factories import *  # noqa: E402,F401,F403
from tests.events_factories import *  # noqa: E402,F401,F403
from tests.factories import *  # noqa: E402,F401,F403  (factory fixtures)
from tests.projects_factories import *  # noqa: E402,F401,F403
from tests.technoparks_factories import *  # noqa: E402,F401,F403
