"""The lock that `make run` and `make test` install from (requirements/<interpreter>.txt, made by scripts/lock.sh
and installed by scripts/bootstrap.sh) is in step with pyproject.toml, and the npm folders install from theirs.

A range changed in pyproject.toml without `scripts/lock.sh` afterwards fails here, naming the dependency, rather
than in a fresh install months later.
"""

from __future__ import annotations

import importlib.metadata
import re
import runpy
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
BOOTSTRAP = (ROOT / "scripts" / "bootstrap.sh").read_text()
REGENERATE = "run scripts/lock.sh and commit the lock"

#: One pin of a pip-compile lock: `name==version` at the start of a line, markers and hashes after it.
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def lock_text() -> str:
    name: str = runpy.run_path(str(ROOT / "scripts" / "lock_name.py"))["lock_name"]()
    path = ROOT / name
    if not path.exists():
        pytest.skip(f"no lock for this interpreter ({name}): bootstrap installs from the ranges")
    return path.read_text()


def pins(text: str) -> dict[str, Version]:
    return {canonicalize_name(name): Version(version) for name, version in PIN.findall(text)}


def declared() -> list[Requirement]:
    """Every requirement pyproject.toml names: the dependencies, those of every extra, the build backend."""
    project = PYPROJECT["project"]
    lines = [*project["dependencies"], *PYPROJECT["build-system"]["requires"]]
    for extra in project["optional-dependencies"].values():
        lines += extra
    return [Requirement(line) for line in lines]


def test_the_lock_pins_every_dependency_of_pyproject_within_its_range() -> None:
    locked = pins(lock_text())
    wrong = []
    for requirement in declared():
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue  # another Python or platform (PySide6's split at 3.12, uvloop off Windows)
        version = locked.get(canonicalize_name(requirement.name))
        if version is None:
            wrong.append(f"{requirement} is not in the lock")
        elif not requirement.specifier.contains(version, prereleases=True):
            wrong.append(f"{requirement} but the lock has {version}")
    assert wrong == [], f"the lock is behind pyproject.toml ({REGENERATE}): " + "; ".join(wrong)


def test_every_pin_of_the_lock_is_checked_by_hash() -> None:
    entries = re.split(r"\n(?=[A-Za-z0-9])", lock_text())
    unhashed = [e.split("==")[0] for e in entries if PIN.match(e) and "--hash=sha256:" not in e]
    assert unhashed == [], f"pins without a hash ({REGENERATE})"


def test_this_environment_runs_the_locked_releases() -> None:
    """The suite runs on what the lock says, in a virtualenv scripts/bootstrap.sh set up from it."""
    stamp = Path(sys.prefix) / ".setup-stamp"
    if not stamp.exists() or " lock " not in stamp.read_text():
        pytest.skip("this virtualenv was not set up from the lock by scripts/bootstrap.sh")
    installed: dict[str, str] = {
        canonicalize_name(dist.metadata["Name"]): dist.version for dist in importlib.metadata.distributions()
    }
    differ = [
        f"{name} {installed.get(name, 'missing')} (locked {version})"
        for name, version in sorted(pins(lock_text()).items())
        if installed.get(name) is None or Version(installed[name]) != version
    ]
    assert differ == [], "installed releases that differ from the lock: run scripts/bootstrap.sh"


def test_bootstrap_installs_the_lock_with_every_extra() -> None:
    [extras] = re.findall(r"^LOCKED_EXTRAS=(\S+)$", BOOTSTRAP, re.MULTILINE)
    assert sorted(extras.split(",")) == sorted(PYPROJECT["project"]["optional-dependencies"])
    assert "EXTRAS=${EXTRAS:-$LOCKED_EXTRAS}" in BOOTSTRAP
    assert "--require-hashes -r" in BOOTSTRAP


def test_every_npm_folder_is_installed_by_npm_ci_from_its_lock() -> None:
    [folders] = re.findall(r"^for dir in (.+); do$", BOOTSTRAP, re.MULTILINE)
    installed = set(folders.split())
    found = {
        p.parent.relative_to(ROOT).as_posix()
        for p in ROOT.glob("**/package.json")
        if "node_modules" not in p.parts and ".venv" not in p.parts
    }
    assert found == installed, "scripts/bootstrap.sh installs the npm folders of the repository, each of them"
    assert [d for d in sorted(installed) if not (ROOT / d / "package-lock.json").exists()] == []
    assert "npm ci --prefix" in BOOTSTRAP
    assert not re.search(r"^\s*npm install", BOOTSTRAP, re.MULTILINE), "npm install may move a pin; npm ci does not"
