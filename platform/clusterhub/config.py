"""Settings from environment variables, with safe local defaults.

Production mode (``CLUSTERHUB_ENV=production``) refuses to start with any local default that would be
insecure there; see :func:`check_production_safety`.
"""

import os
import secrets
from pathlib import Path

DEFAULTS = {
    "ENV": "local",
    "SECRET_KEY": None,
    "DATABASE_URL": None,
    "MIGRATIONS_DATABASE_URL": None,
    "REPORTING_DATABASE_URL": None,
    "APP_DB_ROLE": "clusterhub_app",
    "REDIS_URL": None,
    "BASE_URL": "http://127.0.0.1:5000",
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    # Seconds the worker waits on each SMTP step (connect, greeting, every reply). A server that accepts
    # and never answers costs one message this long, not the liveness probe's patience.
    "MAIL_TIMEOUT": 10,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_TLS": False,
    "MAIL_DEFAULT_SENDER": "ClusterHub <noreply@clusterhub.example.com>",
    "STRIPE_SECRET_KEY": None,
    "STRIPE_WEBHOOK_SECRET": None,
    "STORAGE_BACKEND": "local",
    "STORAGE_LOCAL_PATH": None,
    "S3_BUCKET": None,
    "S3_ENDPOINT_URL": None,
    "S3_REGION": None,
    "S3_PREFIX": "",
    "PROXY_FIX_X_FOR": 0,
    "LOG_LEVEL": "INFO",
    # "json" (one object per line, with request id and tenant) or "text"; unset: json in production.
    "LOG_FORMAT": None,
    # Unexpected errors go to Sentry when set (core/error_reports.py); otherwise only to the log.
    "SENTRY_DSN": None,
    "SENTRY_ENVIRONMENT": None,
    "SENTRY_RELEASE": None,
    # Who may read /metrics: comma-separated networks (the cluster's pod and node ranges). Requests from
    # elsewhere get 404, as if there were no such page.
    "METRICS_ALLOWED_CIDRS": "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7",
    # Day-before reminders go at this hour of each center's local morning (the hourly CronJob).
    "REMINDER_LOCAL_HOUR": 9,
    "INVITATION_MAX_AGE": 7 * 24 * 3600,
    "PASSWORD_RESET_MAX_AGE": 2 * 3600,
    "EMAIL_CONFIRMATION_MAX_AGE": 2 * 24 * 3600,
    # Failed logins: per account and client address (a stranger cannot lock the owner out), and per
    # client address over all accounts (a guesser cannot try many accounts).
    "LOGIN_RATE_LIMIT": "5 per 15 minutes",
    "LOGIN_IP_RATE_LIMIT": "30 per 15 minutes",
    # The public registration form: per e-mail address and per session, not per IP address (a company
    # registers its delegation from one office); the session's ceiling fits several delegations of 100.
    "EVENT_REGISTRATIONS_PER_ADDRESS": "10 per hour",
    "EVENT_REGISTRATIONS_PER_EVENT": "500 per hour",
    # Argon2id cost: "recommended" (the library's parameters) or "minimal" (for the test suite only, where
    # hundreds of users are created; refused in production).
    "PASSWORD_HASHING": "recommended",
    "RATELIMIT_KEY_PREFIX": "clusterhub",
    "TENANTS_DIR": None,
    # Federal figures are read from the stored summaries while younger than this (0: always live); the
    # worker's `flask reporting refresh` CronJob renews them every 10 minutes, so a request recomputes
    # only when the worker is late or for a period it does not keep. Unset: 1800 in production, 60
    # locally, where no worker runs.
    "REPORTING_CACHE_SECONDS": None,
    # Billing: days of grace after a missed payment before the staff area turns read-only; VAT "none"
    # (simplified taxation, "Без НДС") or the percent included in prices; the platform's own requisites.
    "BILLING_GRACE_DAYS": 14,
    "BILLING_VAT_RATE": "none",
    "BILLING_INVOICE_DUE_DAYS": 10,
    "BILLING_SELLER_NAME": None,
    "BILLING_SELLER_INN": None,
    "BILLING_SELLER_KPP": None,
    "BILLING_SELLER_ADDRESS": None,
    "BILLING_SELLER_BANK": None,
    "BILLING_SELLER_BIC": None,
    "BILLING_SELLER_ACCOUNT": None,
    "BILLING_SELLER_CORR_ACCOUNT": None,
    # API tokens: requests per token (shared between workers through Redis in production), and how many
    # tokens one account (and one client address) may issue.
    "API_TOKEN_RATE_LIMIT": "300 per minute",
    "API_TOKEN_ISSUE_RATE_LIMIT": "20 per hour",
    "API_TOKEN_ISSUE_IP_RATE_LIMIT": "60 per hour",
    # Webhooks: attempts before a delivery fails for good, the first retry's delay (each next one is four
    # times longer), and whether receivers on private or loopback addresses are allowed (unset: only in a
    # local run, so that a center cannot make the platform call its own internal services).
    "WEBHOOK_MAX_ATTEMPTS": 7,
    "WEBHOOK_RETRY_BASE_SECONDS": 30,
    "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": None,
    # The Fernet keys (comma-separated: the first encrypts, all decrypt) of the subscriptions' signing
    # secrets, stored encrypted (webhooks/sealing.py); unset, one key is derived from SECRET_KEY.
    "WEBHOOK_SECRETS_KEY": None,
    # Personal data (152-ФЗ, see docs/security.md): days a center has to complete an erasure request
    # (art. 21 part 5: 30 days), days before that deadline its admins are reminded, and days after a
    # session ends before its registrations are anonymised (3 years: the limitation period of art. 196 of
    # the Civil Code for disputes about participation and services, and the federal reports' horizon).
    "PRIVACY_ERASURE_DAYS": 30,
    "PRIVACY_REMINDER_DAYS": 7,
    "PRIVACY_RETENTION_DAYS": 3 * 365,
}

_BOOLS = {"MAIL_USE_TLS", "WEBHOOK_ALLOW_PRIVATE_ADDRESSES"}
_INTS = {
    "MAIL_PORT",
    "MAIL_TIMEOUT",
    "PROXY_FIX_X_FOR",
    "INVITATION_MAX_AGE",
    "PASSWORD_RESET_MAX_AGE",
    "EMAIL_CONFIRMATION_MAX_AGE",
    "BILLING_GRACE_DAYS",
    "BILLING_INVOICE_DUE_DAYS",
    "REPORTING_CACHE_SECONDS",
    "WEBHOOK_MAX_ATTEMPTS",
    "WEBHOOK_RETRY_BASE_SECONDS",
    "PRIVACY_ERASURE_DAYS",
    "PRIVACY_REMINDER_DAYS",
    "PRIVACY_RETENTION_DAYS",
    "REMINDER_LOCAL_HOUR",
}


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says which setting and why."""


def _parse(key, raw):
    if key in _BOOLS:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if key in _INTS:
        return int(raw)
    return raw


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the settings: defaults, then ``CLUSTERHUB_*``/plain environment variables, then overrides.

    Unknown override keys are refused, so a typo never silently falls back to a default.
    """
    config = dict(DEFAULTS)
    for key in DEFAULTS:
        env_name = "CLUSTERHUB_ENV" if key == "ENV" else key
        if env_name in os.environ and os.environ[env_name] != "":
            config[key] = _parse(key, os.environ[env_name])
    for key, value in (overrides or {}).items():
        if key not in DEFAULTS and not key.isupper():
            raise ConfigError(f"Unknown setting {key!r}")
        config[key] = value

    if config["PASSWORD_HASHING"] not in {"recommended", "minimal"}:
        raise ConfigError("PASSWORD_HASHING must be 'recommended' or 'minimal'")
    if config["LOG_FORMAT"] is None:
        config["LOG_FORMAT"] = "json" if config["ENV"] == "production" else "text"
    if config["LOG_FORMAT"] not in {"json", "text"}:
        raise ConfigError("LOG_FORMAT must be 'json' or 'text'")
    if not 0 <= int(str(config["REMINDER_LOCAL_HOUR"])) <= 23:
        raise ConfigError("REMINDER_LOCAL_HOUR must be an hour from 0 to 23")
    if config["WEBHOOK_SECRETS_KEY"]:
        _check_fernet_keys(str(config["WEBHOOK_SECRETS_KEY"]))
    instance = Path(instance_path)
    production = config["ENV"] == "production"
    if config["REPORTING_CACHE_SECONDS"] is None:
        config["REPORTING_CACHE_SECONDS"] = 1800 if production else 60
    if production:
        check_production_safety(config)
    else:
        instance.mkdir(parents=True, exist_ok=True)
        if not config["SECRET_KEY"]:
            config["SECRET_KEY"] = _local_secret_key(instance)
        if not config["DATABASE_URL"]:
            config["DATABASE_URL"] = f"sqlite:///{instance / 'clusterhub.sqlite3'}"
        if not config["STORAGE_LOCAL_PATH"]:
            config["STORAGE_LOCAL_PATH"] = str(instance / "uploads")
    if not config["TENANTS_DIR"]:
        config["TENANTS_DIR"] = str(project_root() / "tenants")
    return config


def _check_fernet_keys(value: str) -> None:
    """``WEBHOOK_SECRETS_KEY`` holds Fernet keys separated by commas (webhooks/sealing.py uses them)."""
    from cryptography.fernet import Fernet

    for key in value.split(","):
        try:
            Fernet(key.strip())
        except ValueError:
            raise ConfigError(
                "WEBHOOK_SECRETS_KEY must be Fernet keys (32 url-safe base64-encoded bytes) separated by "
                'commas; make one with python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"'
            ) from None


def _local_secret_key(instance: Path) -> str:
    """Generate the key once and keep it in the instance folder, so local logins survive restarts."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def check_production_safety(config: dict) -> None:
    """Refuse insecure production settings; each problem is named."""
    problems = []
    key = config.get("SECRET_KEY") or ""
    if len(key) < 32 or key in {"dev", "change-me", "secret"}:
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
    url = config.get("DATABASE_URL") or ""
    if not url.startswith("postgresql"):
        problems.append("DATABASE_URL must point to PostgreSQL in production")
    if not config.get("REDIS_URL"):
        problems.append("REDIS_URL must be set in production (rate limits are shared between workers)")
    if not (config.get("BASE_URL") or "").startswith("https://"):
        problems.append("BASE_URL must be an https:// address in production")
    if config.get("PASSWORD_HASHING") != "recommended":
        problems.append("PASSWORD_HASHING must be 'recommended' in production")
    if problems:
        raise ConfigError("Refusing to start in production mode: " + "; ".join(problems))


def project_root() -> Path:
    """Where ``migrations/``, ``translations/`` and ``tenants/`` live: the source checkout for an editable
    install, otherwise the working directory (the container image keeps them in /app)."""
    source_root = Path(__file__).resolve().parents[2]
    return source_root if (source_root / "migrations").is_dir() else Path.cwd()
