"""ClusterHub: a multi-tenant platform for Russia's regional cluster development centers."""

import os
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as config_module
from .accounts.models import role_label
from .config import project_root
from .core import extension_hooks, metrics, static_files
from .core.unit_of_work import UnitOfWorkFlask
from .extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate

BLUEPRINT_MODULES = [
    "clusterhub.core.views",
    "clusterhub.accounts.views",
    "clusterhub.centers.views",
    "clusterhub.audit.views",
    "clusterhub.reporting.views",
    "clusterhub.reporting.api",
    "clusterhub.api.views",
    "clusterhub.technoparks.views",
    "clusterhub.technoparks.api",
    "clusterhub.enterprises.views",
    "clusterhub.clusters.views",
    "clusterhub.enterprises.api",
    "clusterhub.clusters.api",
    "clusterhub.billing.views",
    "clusterhub.billing.providers.stripe.views",
    "clusterhub.billing.providers.invoice.views",
    "clusterhub.projects.views",
    "clusterhub.defenses.views",
    "clusterhub.projects.api",
    "clusterhub.defenses.api",
    "clusterhub.events.views",
    "clusterhub.events.api",
    "clusterhub.cooperation.meetings.views",
    "clusterhub.cooperation.meetings.api",
    "clusterhub.outbox.views",
    "clusterhub.tokens.views",
    "clusterhub.webhooks.views",
    "clusterhub.privacy.views",
    "clusterhub.cooperation.offers.views",
    "clusterhub.cooperation.offers.api",
]


def create_app(config: dict | None = None) -> Flask:
    """Build the application. ``config`` overrides settings read from the environment."""
    instance_path = (
        (config or {}).get("INSTANCE_PATH")
        or os.environ.get("CLUSTERHUB_INSTANCE")
        or str(Path.cwd() / "instance")
    )
    app = UnitOfWorkFlask(__name__, instance_path=instance_path, instance_relative_config=False)
    settings = config_module.load_config(
        instance_path, {k: v for k, v in (config or {}).items() if k != "INSTANCE_PATH"}
    )
    app.config.update(settings)
    configure_observability(app)
    configure_database(app)
    configure_extensions(app)
    metrics.watch_pools(app)
    configure_request_handling(app)
    register_blueprints(app)
    extension_hooks.install(app)  # once every extension and blueprint has added its hooks
    connect_signals()
    register_cli(app)
    return app


def configure_observability(app: Flask) -> None:
    """Logs (JSON in production), error reports (Sentry when SENTRY_DSN is set) and /metrics."""
    from .core import error_reports, logs, metrics

    logs.configure(app)
    error_reports.configure(app)
    metrics.configure(app)


def configure_database(app: Flask) -> None:
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    binds = {}
    if app.config.get("REPORTING_DATABASE_URL"):
        binds["reporting"] = app.config["REPORTING_DATABASE_URL"]
    app.config["SQLALCHEMY_BINDS"] = binds
    # No ping before every checkout (a round trip per request): connections are recycled before servers
    # or proxies drop idle ones, and a connection found dead fails one statement and invalidates the pool.
    options: dict[str, object] = {"pool_recycle": 1800}
    if app.config["DATABASE_URL"].startswith("sqlite"):
        options = {"connect_args": {"timeout": 30}}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def configure_extensions(app: Flask) -> None:
    from .accounts.services import api_tokens, users
    from .core import i18n

    db.init_app(app)
    migrate.init_app(app, db, directory=str(project_root() / "migrations"))
    _enable_sqlite_foreign_keys(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "warning"
    login_manager.user_loader(users.load_user_for_login)
    login_manager.request_loader(api_tokens.load_user_from_api_token)
    login_manager.unauthorized_handler(users.unauthorized)
    from flask_babel import lazy_gettext

    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=i18n.select_timezone,
        default_translation_directories=str(project_root() / "translations"),
    )
    i18n.register(app)
    from .storage import storage_from_config

    app.extensions["storage"] = storage_from_config(app.config)
    csrf.init_app(app)
    app.config.setdefault("BOOTSTRAP_SERVE_LOCAL", True)
    bootstrap.init_app(app)
    static_files.install(app)
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["ENV"] == "production",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=app.config["ENV"] == "production",
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=25 * 1024 * 1024,
    )


def _enable_sqlite_foreign_keys(app: Flask) -> None:
    from sqlalchemy import event

    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":

                @event.listens_for(engine, "connect")
                def _on_connect(dbapi_connection, record):
                    cursor = dbapi_connection.cursor()
                    cursor.execute("PRAGMA foreign_keys=ON")
                    cursor.execute("PRAGMA journal_mode=WAL")
                    cursor.close()


def configure_request_handling(app: Flask) -> None:
    from .accounts import authz
    from .core import errors, menu, security
    from .tenancy import request as tenant_request

    if app.config["PROXY_FIX_X_FOR"]:
        count = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )

    security.init_app(app)
    tenant_request.init_app(app)
    from .tokens import access as token_access

    app.before_request(token_access.authenticate)  # the API token (401/404/429) before the rules it meets
    app.before_request(authz.enforce)
    errors.register(app)
    menu.register(app)

    app.jinja_env.globals["role_label"] = role_label
    from .core.urls import row_urls

    app.jinja_env.globals["row_urls"] = row_urls
    from .audit.presentation import value_words

    app.jinja_env.filters["words"] = value_words  # stored codes (owner, applied...) as words


def register_blueprints(app: Flask) -> None:
    import importlib

    from . import models  # noqa: F401  (every table in the metadata)

    for name in BLUEPRINT_MODULES:
        module = importlib.import_module(name)
        app.register_blueprint(module.bp)


def connect_signals() -> None:
    """Modules that react to other modules' signals (see ``core/signals.py``): importing a module
    changes no other module's registry; this list does, once per app (connecting twice is harmless)."""
    from .billing import permissions as billing_permissions
    from .billing import services as billing
    from .billing.providers.invoice import views as invoice
    from .billing.providers.stripe import views as stripe
    from .clusters.services import members as clusters
    from .core import access
    from .enterprises.services import representatives as enterprise_representatives
    from .events.services import history as events
    from .privacy.services import consent as privacy_consent
    from .privacy.services import pseudonyms as privacy_pseudonyms
    from .projects.services import participants as projects
    from .reporting import sources as indicator_sources
    from .technoparks.services import requests as service_requests
    from .tokens import permissions as token_permissions
    from .webhooks.services import receivers as webhooks

    webhooks.connect_signals()  # business events published, and the delivery of the outbox's tickets
    privacy_consent.connect_signals()  # mail withheld after consent is withdrawn
    privacy_pseudonyms.connect_signals()  # erased people in the audit log
    billing_permissions.connect_signals()
    billing.connect_signals()  # storage limits of uploaded files, staff seats
    token_permissions.connect_signals()
    _connect_navigation()  # the views' permissions, menu entries and home blocks
    access.grant_connected_permissions()
    clusters.connect_signals()  # enterprise history and merges
    events.connect_signals()  # enterprise history
    enterprise_representatives.connect_signals()  # the start page's enterprises
    projects.connect_signals()  # enterprise history
    service_requests.connect_signals()  # enterprise history
    stripe.connect_signals()  # payment providers, in the order the billing page lists them
    invoice.connect_signals()
    indicator_sources.connect_signals()  # the federal indicators, in the order the dashboard lists them


NAVIGATION_MODULES = [  # menu entries and home blocks, in the order the menus list them
    "clusterhub.accounts.views",
    "clusterhub.centers.views",
    "clusterhub.audit.views",
    "clusterhub.reporting.views",
    "clusterhub.technoparks.views",
    "clusterhub.enterprises.views",
    "clusterhub.clusters.views",
    "clusterhub.billing.views",
    "clusterhub.projects.views",
    "clusterhub.defenses.views",
    "clusterhub.events.views",
    "clusterhub.tokens.views",
    "clusterhub.webhooks.views",
    "clusterhub.privacy.views",
    "clusterhub.cooperation.offers.views",
    "clusterhub.cooperation.meetings.views",
]


def _connect_navigation() -> None:
    import importlib

    for name in NAVIGATION_MODULES:
        importlib.import_module(name).connect_signals()


def register_cli(app: Flask) -> None:
    from .cli import register

    register(app)


_hooks_installed = False


def _install_session_hooks() -> None:
    """Tenant scoping and the append-only audit log apply to every ORM session."""
    global _hooks_installed
    if _hooks_installed:
        return
    from .audit import services as audit_services
    from .core.shared_store import shared_store
    from .tenancy import row_cache, scoping

    scoping.install(Session)
    audit_services.install(Session)
    row_cache.install(Session, shared_store)
    _hooks_installed = True


_install_session_hooks()
