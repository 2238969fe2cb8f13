"""`notify-hub backup` and `notify-hub restore` on the SQLite store, as an admin runs them."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from hub.protocol import Event
from hub.store.sqlite.inuse import StoreLock
from hub.store.sqlite.migrations import SCHEMA_VERSION
from tests.support.cli import notify_hub
from tests.support.clients import Client, SendStream, drain_until_marker
from tests.support.hubs import HubProcess
from tests.support.stores import BOB_TOKEN, SEEDED, sqlite_store_at
from tests.support.waiting import WAIT


async def in_data_dir(data_dir: Path, *args: str) -> tuple[int, str]:
    """Run `notify-hub --data-dir DATA_DIR ARGS`; its exit status and standard error."""
    done = await notify_hub("--data-dir", str(data_dir), *args)
    return done.code, done.err


async def test_a_backup_during_a_stream_of_sends_restores_every_notification_acknowledged_before_it(
    hub_process: HubProcess, tmp_path: Path
) -> None:
    for name in ("alice", "bob"):
        await hub_process.cli("user", "add", name, "--no-password")
    alice_token = (await hub_process.cli("token", "create", "alice")).strip()
    bob_token = (await hub_process.cli("token", "create", "bob")).strip()
    hub_process.args = ("--rate-burst", "5000")
    url = await hub_process.start()
    alice = await Client(url).connect({"token": alice_token})
    stream = SendStream(alice, "bob", 900)
    acked, streaming, backup_done = stream.acked, stream.started, stream.done
    sender = asyncio.create_task(stream.run())
    try:
        await asyncio.wait_for(streaming.wait(), WAIT)
        before = list(acked)  # every one of these was acknowledged before the backup started
        status, err = await in_data_dir(hub_process.data_dir, "backup", str(tmp_path / "hub-backup.sqlite3"))
        backup_done.set()
        assert status == 0, err
        assert "backed up" in err and "2 users" in err
        await asyncio.wait_for(sender, WAIT * 3)
    finally:
        sender.cancel()
        await alice.close()
    assert len(acked) > len(before) + 50, "the hub went on taking sends during and after the backup"
    assert stat.S_IMODE((tmp_path / "hub-backup.sqlite3").stat().st_mode) == 0o600  # it holds password hashes

    status, err = await in_data_dir(hub_process.data_dir, "restore", str(tmp_path / "hub-backup.sqlite3"))
    assert status == 2 and "is using the store" in err and "stop it first" in err  # the hub still runs

    assert await hub_process.terminate() == 0
    status, err = await in_data_dir(hub_process.data_dir, "restore", str(tmp_path / "hub-backup.sqlite3"))
    assert status == 0, err
    assert "kept as" in err and list(hub_process.data_dir.glob("hub.sqlite3.before-restore-*"))

    url = await hub_process.start()
    bob = await Client(url, "bob").connect({"token": bob_token, "last_id": 0})
    try:
        restored = [n["id"] for n in await drain_until_marker(bob)]
    finally:
        await bob.close()
    assert set(before) <= set(restored), "a notification acknowledged before the backup started is missing"
    assert restored == acked[: len(restored)], "the backup holds a prefix of what was acknowledged, in order"


async def test_restore_checks_the_file_first_and_changes_nothing_when_it_refuses(tmp_path: Path) -> None:
    data_dir = tmp_path / "hub"
    data_dir.mkdir()
    current = sqlite_store_at(data_dir / "hub.sqlite3", SCHEMA_VERSION)
    before = current.read_bytes()

    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(before[:4096] + b"\x00" * 100 + before[4196:])
    newer = sqlite_store_at(tmp_path / "newer.sqlite3", SCHEMA_VERSION)
    with sqlite3.connect(newer) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    (tmp_path / "text.txt").write_text("not a database\n" * 100)

    cases = {
        "damaged.sqlite3": "damaged",
        "newer.sqlite3": f"schema version {SCHEMA_VERSION + 1}, newer than this hub knows",
        "other.sqlite3": "not a lan-notify store",
        "text.txt": "not a readable SQLite database",
        "missing.sqlite3": "no such file",
    }
    for name, message in cases.items():
        status, err = await in_data_dir(data_dir, "restore", str(tmp_path / name))
        assert (status, message in err, "Traceback" in err) == (2, True, False), (name, err)
    assert current.read_bytes() == before
    assert not list(data_dir.glob("*.before-restore-*"))


async def test_a_backup_from_an_older_release_restores_and_the_hub_upgrades_it(
    hub_process: HubProcess, tmp_path: Path
) -> None:
    old = sqlite_store_at(tmp_path / "from-schema-1.sqlite3", 1)
    status, err = await in_data_dir(hub_process.data_dir, "restore", str(old))
    assert status == 0, err

    url = await hub_process.start()
    bob = await Client(url, "bob").connect({"token": BOB_TOKEN, "last_id": 0})
    try:
        await drain_until_marker(bob)  # the direct one comes first, the room message and the broadcast follow it
    finally:
        await bob.close()
    delivered = {Event.NOTIFICATION, Event.ROOM_NOTIFICATION, Event.GLOBAL_NOTIFICATION}
    got = [data["message"] for event, data in bob.received if event in delivered and data["message"] != "marker"]
    assert got == list(SEEDED.bob_messages_v1)


async def test_no_hub_starts_while_a_restore_holds_the_store(tmp_path: Path) -> None:
    data_dir = tmp_path / "hub"
    with StoreLock(data_dir / "hub.sqlite3", exclusive=True):
        status, err = await in_data_dir(data_dir, "serve", "--port", "0")
        assert status == 2 and "is being restored" in err
        status, err = await in_data_dir(data_dir, "user", "list")
        assert status == 2 and "is being restored" in err
    status, err = await in_data_dir(data_dir, "user", "list")
    assert status == 0, err


async def test_backup_refuses_to_overwrite_and_says_to_use_pg_dump_for_postgres(tmp_path: Path) -> None:
    data_dir = tmp_path / "hub"
    data_dir.mkdir()
    sqlite_store_at(data_dir / "hub.sqlite3", SCHEMA_VERSION)
    (tmp_path / "exists").write_text("keep me")
    status, err = await in_data_dir(data_dir, "backup", str(tmp_path / "exists"))
    assert status == 2 and "pass --force" in err and (tmp_path / "exists").read_text() == "keep me"
    status, err = await in_data_dir(data_dir, "backup", str(tmp_path / "b"), "--database", "postgresql://h/db")
    assert status == 2 and "use pg_dump" in err


@pytest.mark.parametrize("command", ["backup", "restore"])
async def test_help_says_what_each_command_does(command: str, tmp_path: Path) -> None:
    out = (await notify_hub(command, "--help")).out
    assert "pg_dump" in out or "pg_restore" in out


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root, as `sudo notify-hub restore`")
async def test_a_restore_run_as_root_leaves_the_store_to_the_hubs_user(tmp_path: Path) -> None:
    data_dir = tmp_path / "hub"
    data_dir.mkdir()
    store = sqlite_store_at(data_dir / "hub.sqlite3", SCHEMA_VERSION)
    hub_user = 65534  # nobody: stands for the service's own user
    for path in (data_dir, store):
        os.chown(path, hub_user, hub_user)
    backup = sqlite_store_at(tmp_path / "backup.sqlite3", SCHEMA_VERSION)

    status, err = await in_data_dir(data_dir, "restore", str(backup))
    assert status == 0, err
    owner = (data_dir / "hub.sqlite3").stat()
    assert (owner.st_uid, owner.st_gid) == (hub_user, hub_user)
