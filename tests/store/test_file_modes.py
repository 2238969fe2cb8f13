"""The files that hold secrets are private whatever the umask: the hub's store (directory 0700, the
database and SQLite's WAL files 0600), a TLS key written by `notify-hub tls self-signed`, and the
tray app's history; what an older version left open is repaired, with a log line."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop.core.history import HistoryStore
from hub.errors import ConfigError
from hub.filemodes import private_dir
from hub.store import SqliteStore
from hub.tls import server_context


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    """Set the process's umask; the one before comes back after the test."""
    before = os.umask(0o022)
    os.umask(before)

    def set_umask(value: int) -> None:
        os.umask(value)

    yield set_umask
    os.umask(before)


def sqlite_files(path: Path) -> dict[str, int]:
    return {p.name: mode(p) for p in sorted(path.parent.iterdir()) if p.name.startswith(path.name)}


@pytest.mark.parametrize("value", [0o022, 0o000, 0o277], ids=oct)
async def test_a_new_store_is_private_whatever_the_umask(
    tmp_path: Path, umask: Callable[[int], None], value: int
) -> None:
    umask(value)
    path = tmp_path / "share" / "hub" / "hub.sqlite3"
    store = SqliteStore(path)
    await store.open()
    try:
        await store.create_user("alice", None, admin=False)  # something in the WAL
        assert mode(path.parent) == 0o700
        files = sqlite_files(path)
        assert set(files) == {"hub.sqlite3", "hub.sqlite3-wal", "hub.sqlite3-shm", "hub.sqlite3.lock"}, files
        assert set(files.values()) == {0o600}, files
    finally:
        await store.close()


async def test_a_store_left_open_to_others_is_repaired_at_start_with_a_log_line(
    tmp_path: Path, umask: Callable[[int], None], caplog: pytest.LogCaptureFixture
) -> None:
    umask(0o022)
    data_dir = tmp_path / "hub"
    data_dir.mkdir()
    path = data_dir / "hub.sqlite3"
    older = sqlite3.connect(path)  # an older hub, still open: its WAL files are there
    older.execute("PRAGMA journal_mode=WAL")
    older.execute("CREATE TABLE t (x)")
    for file in (path, path.with_name("hub.sqlite3-wal"), path.with_name("hub.sqlite3-shm")):
        file.chmod(0o644)
    assert mode(data_dir) == 0o755

    store = SqliteStore(path)
    with caplog.at_level(logging.WARNING, logger="hub.filemodes"):
        await store.open()
    try:
        assert mode(data_dir) == 0o700
        assert set(sqlite_files(path).values()) == {0o600}
        said = [r.getMessage() for r in caplog.records]
        assert f"the directory {data_dir} was open to other users (mode 0755); made it 0700" in said
        assert f"{path} was readable by other users (mode 0644); made it 0600" in said
        assert f"{path}-wal was readable by other users (mode 0644); made it 0600" in said
    finally:
        await store.close()
        older.close()


def test_a_shared_directory_is_not_taken_over(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    shared = tmp_path / "tmp"
    shared.mkdir()
    shared.chmod(0o1777)  # like /tmp: `--data-dir /tmp` must not lock everybody else out of it
    with caplog.at_level(logging.WARNING, logger="hub.filemodes"):
        private_dir(shared)
    assert mode(shared) == 0o1777
    assert "is not this user's own: left as it is" in caplog.text


def test_a_tls_key_replaced_with_force_is_private(tmp_path: Path, umask: Callable[[int], None]) -> None:
    umask(0o022)
    key = tmp_path / "key.pem"
    key.write_text("an older key, readable by everyone")
    key.chmod(0o644)

    made = subprocess.run(
        [sys.executable, "-m", "hub", "tls", "self-signed", "--host", "hub.lan", "--out", str(tmp_path), "--force"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert made.returncode == 0, made.stderr
    assert mode(key) == 0o600
    assert mode(tmp_path / "cert.pem") == 0o644  # a certificate is public


def test_the_hub_warns_of_a_tls_key_others_can_read(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    subprocess.run(
        [sys.executable, "-m", "hub", "tls", "self-signed", "--host", "hub.lan", "--out", str(tmp_path)],
        capture_output=True,
        timeout=60,
        check=True,
    )
    key = tmp_path / "key.pem"
    key.chmod(0o640)
    with caplog.at_level(logging.WARNING, logger="hub.filemodes"):
        server_context(tmp_path / "cert.pem", key)
    assert f"the TLS key {key} is readable by other users (mode 0640): chmod 600 it" in caplog.text
    with pytest.raises(ConfigError):
        server_context(tmp_path / "cert.pem", tmp_path / "missing.pem")


def test_the_tray_apps_history_is_private_whatever_the_umask(tmp_path: Path, umask: Callable[[int], None]) -> None:
    umask(0o022)
    path = tmp_path / "notify-tray" / "history" / "alice-0123.sqlite3"
    history = HistoryStore(path)
    try:
        assert mode(path.parent) == 0o700
        files = sqlite_files(path)
        assert "alice-0123.sqlite3-wal" in files and set(files.values()) == {0o600}, files
    finally:
        history.close()
