"""The build is reproducible: every dependency comes from a hashed lock, and one Python version is used by
the image, the developers' machines and CI."""

import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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
