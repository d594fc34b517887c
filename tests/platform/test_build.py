"""The build is reproducible: every dependency comes from a hashed lock, and one Python version is used by
the image, the developers' machines and CI. The wheel and the image hold the application and nothing of
the development package (demo data, the benchmark)."""

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

pytestmark = pytest.mark.backend_independent  # no database: run once, in the SQLite pass

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(\S+)", re.M)


def locked(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text()
    return {canonicalize_name(m.group(1)): m.group(3) for m in PIN.finditer(text)}


def names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


@pytest.mark.parametrize(
    ("lock", "declared"),
    [
        ("runtime.txt", PYPROJECT["project"]["dependencies"]),
        (
            "dev.txt",
            PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["dev"],
        ),
    ],
)
def test_every_declared_dependency_is_pinned_in_its_lock(lock, declared):
    missing = names(declared) - set(locked(lock))
    assert not missing, f"not in requirements/{lock}: {sorted(missing)}; run `make lock`"


def test_the_locks_satisfy_pyproject_and_agree_with_each_other():
    runtime, dev = locked("runtime.txt"), locked("dev.txt")
    for requirement in map(Requirement, PYPROJECT["project"]["dependencies"]):
        version = runtime[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version, prereleases=True), f"{requirement} vs {version}"
    assert {name: dev[name] for name in runtime} == runtime  # dev installs the very runtime pins


@pytest.mark.parametrize("lock", ["build.txt", "runtime.txt", "dev.txt"])
def test_every_pin_carries_hashes(lock):
    text = (ROOT / "requirements" / lock).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[-1].strip())
    for entry in entries:
        if PIN.match(entry):
            assert "--hash=sha256:" in entry, entry.splitlines()[0]


def test_one_python_for_image_machines_and_ci():
    version = (ROOT / ".python-version").read_text().strip()
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert re.search(rf"ARG PYTHON_IMAGE=python:{re.escape(version)}-slim", dockerfile)
    assert f"{sys.version_info.major}.{sys.version_info.minor}" == version  # this run, CI's included
    assert PYPROJECT["tool"]["mypy"]["python_version"] == version
    assert PYPROJECT["tool"]["ruff"]["target-version"] == "py" + version.replace(".", "")


def test_the_image_and_make_install_only_install_from_the_locks():
    dockerfile = (ROOT / "Dockerfile").read_text()
    makefile = (ROOT / "Makefile").read_text()

    assert "pip install --require-hashes -r requirements/runtime.txt" in dockerfile
    assert "pip install --no-deps --no-build-isolation ." in dockerfile
    assert "--require-hashes -r requirements/dev.txt" in makefile
    pip_installs = [line for line in makefile.splitlines() if "pip install" in line and "uv" not in line]
    assert all("--require-hashes" in line or "--no-deps" in line for line in pip_installs), pip_installs


def test_the_wheel_holds_the_application_and_nothing_of_the_development_package(tmp_path):
    """The image installs this wheel: demo data and the benchmark (platform/clusterhub_dev) are not in it, and
    its metadata names no command or entry point that would need them."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "platform", source / "platform", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    built = subprocess.run(
        [sys.executable, "-c", "from setuptools import build_meta; print(build_meta.build_wheel('dist'))"],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert built.returncode == 0, built.stderr
    with zipfile.ZipFile(source / "dist" / built.stdout.split()[-1]) as wheel:
        names = wheel.namelist()
        entry_points = "".join(
            wheel.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt")
        )

    assert {
        "clusterhub/__init__.py",
        "clusterhub/cli.py",
        "clusterhub/console.py",
        "clusterhub/templates/base.html",
    } <= set(names)
    assert {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")} == {
        "clusterhub"
    }
    assert not [name for name in names if "/demo" in name or "/bench" in name]
    assert "clusterhub.console:main" in entry_points and "clusterhub_dev" not in entry_points
    # nor is it in the image's build context at all
    assert "platform/clusterhub_dev" in (ROOT / ".dockerignore").read_text().splitlines()


def test_the_production_cli_starts_without_the_development_package(tmp_path):
    """`flask --app clusterhub` in the image (migrations job, worker, cron jobs) has no clusterhub_dev to
    import: with the package made unimportable, the CLI still lists its commands, and no demo."""
    blocked = "import sys; sys.modules['clusterhub_dev'] = None; from flask.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", blocked, "--app", "clusterhub", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": str(Path(sys.executable).parent), "CLUSTERHUB_INSTANCE": str(tmp_path / "instance")},
    )
    assert result.returncode == 0, result.stderr
    commands = {line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert {"db", "tenants", "users", "outbox", "run"} <= commands and "demo" not in commands


def test_the_development_cli_adds_the_demo_commands(tmp_path):
    """`make demo` and `make run` call `flask demo load` with the Makefile's FLASK_APP, the development app."""
    assert re.search(r"^export FLASK_APP := clusterhub_dev$", (ROOT / "Makefile").read_text(), re.M)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "clusterhub_dev", "demo", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": str(Path(sys.executable).parent), "CLUSTERHUB_INSTANCE": str(tmp_path / "instance")},
    )
    assert result.returncode == 0, result.stderr
    assert "load" in result.stdout and "scale" in result.stdout
