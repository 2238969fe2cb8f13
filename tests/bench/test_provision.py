"""The provisioning cache key follows the hub files it names, and refuses to be computed without one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.provision import _FINGERPRINTED, _hub_fingerprint


def fake_repo(root: Path) -> Path:
    for name in _FINGERPRINTED:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"# {name}\n")
    return root


def test_the_fingerprint_changes_with_a_fingerprinted_file(tmp_path: Path) -> None:
    repo = fake_repo(tmp_path)
    before = _hub_fingerprint(repo)
    assert _hub_fingerprint(repo) == before

    (repo / _FINGERPRINTED[0]).write_text("# changed\n")

    assert _hub_fingerprint(repo) != before


def test_a_missing_fingerprinted_file_is_an_error_naming_it(tmp_path: Path) -> None:
    repo = fake_repo(tmp_path)
    missing = repo / _FINGERPRINTED[-1]
    missing.rename(missing.with_name("renamed.py"))

    with pytest.raises(FileNotFoundError, match=re.escape(f"{missing} is missing; update _FINGERPRINTED")):
        _hub_fingerprint(repo)


def test_every_fingerprinted_file_exists_in_this_repository() -> None:
    _hub_fingerprint(Path(__file__).resolve().parents[2])  # raises if one was renamed
