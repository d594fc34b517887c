from pathlib import Path

import pytest
import sqlalchemy as sa

from clusterhub.extensions import db
from clusterhub.tenancy.models import Tenant

SHIPPED = Path(__file__).resolve().parents[2] / "tenants"


def run_sync(app, *args):
    return app.test_cli_runner().invoke(args=["tenants", "sync", *args], catch_exceptions=False)


def write(folder: Path, slug: str, body: str) -> None:
    (folder / slug).mkdir(parents=True, exist_ok=True)
    (folder / slug / "tenant.toml").write_text(body, encoding="utf-8")


VALID = 'slug = "{slug}"\nname_ru = "Центр {slug}"\nname_en = "Center {slug}"\nregion = "11"\n'


def test_the_shipped_centers_sync_and_a_second_run_changes_nothing(app):
    first = run_sync(app, "--dir", str(SHIPPED))
    assert first.exit_code == 0, first.output
    for slug in ("komi", "tatarstan", "kaliningrad", "mordovia"):
        assert f"create {slug}" in first.output
    second = run_sync(app, "--dir", str(SHIPPED))
    assert "0 created, 0 changed, 4 unchanged" in second.output
    komi = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "komi"))
    assert komi.region.tax_code == "11" and komi.timezone == "Europe/Moscow"
    kaliningrad = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "kaliningrad"))
    assert kaliningrad.timezone == "Europe/Kaliningrad"


def test_a_changed_file_reports_the_changed_keys(app, tmp_path):
    write(tmp_path, "komi", VALID.format(slug="komi"))
    run_sync(app, "--dir", str(tmp_path))
    write(
        tmp_path, "komi", VALID.format(slug="komi").replace("Center komi", "Komi Center") + 'phone = "+7 1"\n'
    )
    dry = run_sync(app, "--dir", str(tmp_path), "--dry-run")
    assert "would update komi: name_en, phone" in dry.output
    assert db.session.scalar(sa.select(Tenant.name_en).where(Tenant.slug == "komi")) == "Center komi"
    real = run_sync(app, "--dir", str(tmp_path))
    assert "update komi: name_en, phone" in real.output
    assert db.session.scalar(sa.select(Tenant.name_en).where(Tenant.slug == "komi")) == "Komi Center"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (VALID.format(slug="bad") + 'colour = "red"\n', "key 'colour': unknown key"),
        (VALID.format(slug="bad").replace('"11"', '"1"'), "key 'region'"),
        (VALID.format(slug="bad").replace('"11"', '"00"'), "no region with tax code '00'"),
        (VALID.format(slug="bad") + 'timezone = "Mars/Olympus"\n', "unknown time zone"),
        (VALID.format(slug="bad") + "name_ru = \n", "not valid TOML"),
        (VALID.format(slug="other"), "differs from the folder name"),
    ],
)
def test_an_invalid_file_changes_nothing_and_names_file_key_and_problem(app, tmp_path, body, expected):
    write(tmp_path, "good", VALID.format(slug="good"))
    write(tmp_path, "bad", body)
    result = app.test_cli_runner().invoke(args=["tenants", "sync", "--dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "nothing was changed" in result.output
    assert "bad/tenant.toml" in result.output and expected in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Tenant)) == 0


def test_a_reserved_slug_is_refused(app, tmp_path):
    write(tmp_path, "admin", VALID.format(slug="admin"))
    result = app.test_cli_runner().invoke(args=["tenants", "sync", "--dir", str(tmp_path)])
    assert result.exit_code != 0 and "reserved" in result.output


def test_suspending_through_the_file_keeps_the_data(app, tmp_path, client):
    write(tmp_path, "komi", VALID.format(slug="komi"))
    run_sync(app, "--dir", str(tmp_path))
    write(tmp_path, "komi", VALID.format(slug="komi") + 'status = "suspended"\n')
    assert "update komi: status" in run_sync(app, "--dir", str(tmp_path)).output
    assert client.get("/komi/").status_code == 404
    assert db.session.scalar(sa.select(Tenant.status).where(Tenant.slug == "komi")) == "suspended"
