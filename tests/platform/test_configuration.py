import subprocess
import sys
from pathlib import Path

import pytest

from clusterhub.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.backend_independent
def test_the_standard_platform_module_is_not_shadowed():
    import platform

    assert not (ROOT / "platform" / "__init__.py").exists()
    assert callable(platform.system) and "site-packages" not in platform.__file__
    assert Path(platform.__file__).parent != ROOT / "platform"


@pytest.mark.backend_independent
def test_the_console_script_and_flask_cli_work_from_any_directory(tmp_path):
    bin_dir = Path(sys.executable).parent
    for command in (
        [str(bin_dir / "clusterhub"), "--help"],
        [str(bin_dir / "flask"), "--app", "clusterhub", "--help"],
    ):
        result = subprocess.run(
            command,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            env={"PATH": str(bin_dir), "CLUSTERHUB_INSTANCE": str(tmp_path / "instance")},
        )
        assert result.returncode == 0, result.stderr
        assert "tenants" in result.stdout and "outbox" in result.stdout


@pytest.mark.backend_independent
def test_local_defaults_generate_a_secret_key_once(tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "CLUSTERHUB_ENV"):
        monkeypatch.delenv(name, raising=False)
    first = load_config(str(tmp_path))
    second = load_config(str(tmp_path))
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) >= 32
    assert first["DATABASE_URL"].startswith("sqlite:///") and str(tmp_path) in first["DATABASE_URL"]


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 40, "DATABASE_URL": "sqlite:///x.db"}, "PostgreSQL"),
        ({"SECRET_KEY": "x" * 40, "DATABASE_URL": "postgresql+psycopg://a@b/c"}, "REDIS_URL"),
        (
            {
                "SECRET_KEY": "x" * 40,
                "DATABASE_URL": "postgresql+psycopg://a@b/c",
                "REDIS_URL": "redis://r",
                "BASE_URL": "http://insecure",
            },
            "https",
        ),
        (
            {
                "SECRET_KEY": "x" * 40,
                "DATABASE_URL": "postgresql+psycopg://a@b/c",
                "REDIS_URL": "redis://r",
                "BASE_URL": "https://clusterhub.example.com",
                "PASSWORD_HASHING": "minimal",
            },
            "PASSWORD_HASHING",
        ),
    ],
)
def test_production_mode_refuses_insecure_settings(tmp_path, monkeypatch, overrides, problem):
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "BASE_URL", "PASSWORD_HASHING"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLUSTERHUB_ENV", "production")
    with pytest.raises(ConfigError, match=problem):
        load_config(str(tmp_path), overrides)


@pytest.mark.backend_independent
def test_production_mode_accepts_a_complete_configuration(tmp_path, monkeypatch):
    monkeypatch.setenv("CLUSTERHUB_ENV", "production")
    config = load_config(
        str(tmp_path),
        {
            "SECRET_KEY": "k" * 40,
            "DATABASE_URL": "postgresql+psycopg://a@b/c",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "BASE_URL": "https://clusterhub.example.com",
        },
    )
    assert config["ENV"] == "production"
    assert config["REPORTING_CACHE_SECONDS"] == 1800  # the worker renews the federal figures


@pytest.mark.backend_independent
def test_federal_figures_age_differs_without_a_worker_and_reads_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("CLUSTERHUB_ENV", raising=False)
    monkeypatch.delenv("REPORTING_CACHE_SECONDS", raising=False)
    assert load_config(str(tmp_path))["REPORTING_CACHE_SECONDS"] == 60  # locally no worker refreshes
    monkeypatch.setenv("REPORTING_CACHE_SECONDS", "600")
    assert load_config(str(tmp_path))["REPORTING_CACHE_SECONDS"] == 600  # a number, not the string


@pytest.mark.backend_independent
def test_unknown_lower_case_settings_are_refused(tmp_path):
    with pytest.raises(ConfigError):
        load_config(str(tmp_path), {"secret_key": "oops"})


def test_minimal_password_hashing_is_for_tests_and_verifies_real_hashes(app, tmp_path):
    from clusterhub.accounts.models import User
    from clusterhub.accounts.services.users import PASSWORD_HASHERS, check_password, set_password

    assert load_config(str(tmp_path))["PASSWORD_HASHING"] == "recommended"
    with pytest.raises(ConfigError, match="PASSWORD_HASHING"):
        load_config(str(tmp_path), {"PASSWORD_HASHING": "none"})
    assert app.config["PASSWORD_HASHING"] == "minimal"  # the suite's own setting
    user = User(email="hash@example.com", full_name="Hash")
    set_password(user, "correct horse battery")
    assert "m=8,t=1,p=1" in user.password_hash
    # A hash made with the recommended parameters (the demo data, production) still logs in.
    user.password_hash = PASSWORD_HASHERS["recommended"].hash("correct horse battery")
    assert check_password(user, "correct horse battery")
    assert not check_password(user, "wrong horse battery")
