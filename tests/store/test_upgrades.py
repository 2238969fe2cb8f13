"""Upgrades: a store made at any earlier schema version opens under this hub, migrates step by step
(a log line each) and keeps everything; a store from a newer release is refused and left untouched.

The stores are built by tests/support/stores.py the way each schema version's hub made them.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from hub.auth import Accounts
from hub.errors import Conflict, SchemaTooNew
from hub.protocol import Kind, NotificationType
from hub.store import SqliteStore, Store
from hub.store.base import NewNotification
from hub.store.postgres import PostgresStore
from hub.store.postgres import migrations as pg_migrations
from hub.store.schedule import NewSchedule
from hub.store.sqlite import migrations
from tests.support.keys import answer, keyed, retraction
from tests.support.servers import create_database
from tests.support.stores import (
    BOB_TOKEN,
    PASSWORD,
    RELEASED_SQL,
    RELEASES,
    SEEDED,
    TS,
    digest,
    postgres_store_at,
    sqlite_store_at,
)

EARLIER = range(1, migrations.SCHEMA_VERSION + 1)  # every version a store may have been left at
#: The schema version that brought read marks and receipts.
READ_STATE = 6


def test_released_migrations_never_change() -> None:
    assert migrations.SCHEMA_VERSION == pg_migrations.SCHEMA_VERSION
    assert max(RELEASES.values()) <= migrations.SCHEMA_VERSION
    for version in range(1, max(RELEASES.values()) + 1):
        shipped = (digest(migrations.MIGRATIONS[version - 1].sql), digest(pg_migrations.MIGRATIONS[version - 1].sql))
        assert shipped == RELEASED_SQL[version], (
            f"schema {version} shipped in a release: add a new migration instead of changing it"
        )


async def everything_is_there(store: Store, version: int) -> None:
    """What the store held before the upgrade is all there, and the store takes new writes."""
    accounts = Accounts(store)
    assert sorted(user.name for user in await store.list_users()) == list(SEEDED.users)
    assert (await accounts.login("alice", PASSWORD, "laptop")).user.name == "alice"
    _, bob = await accounts.token_owner(BOB_TOKEN)
    expected = SEEDED.bob_messages_v2 if version >= 2 else SEEDED.bob_messages_v1
    assert [n.message for n in await store.replay(bob.id, 0, 100)] == list(expected)
    # Notifications from before keys take their sender's account id (alice's: 1) by name.
    assert {n.sender_id for n in await store.replay(bob.id, 0, 100)} == {1}
    room = await store.get_room("ops")
    assert room is not None and room.restricted and room.members == ("bob",)
    assert await store.may_join("ops", 1) and not await store.may_join("ops", 99)
    assert await store.cursor(SEEDED.device, bob.id) == SEEDED.device_cursor
    mine = [n.id for n in await store.replay(bob.id, 0, 100)]
    if version < READ_STATE:  # what was there before read state counts as read, not a wall of unread
        assert await store.reads.unread(bob.id) == (0, max(mine))
        assert await store.reads.read_among(bob.id, mine) == set(mine)
    else:
        assert await store.reads.unread(bob.id) == (len(mine), max(mine))  # read state: nothing read yet
        assert await store.reads.mark(bob.id, mine[:1]) == mine[:1]

    carol = await store.create_user("carol", None, admin=False)
    new = NewNotification(Kind.DIRECT, NotificationType.INFO, "", "after the upgrade", "alice", TS, to_user_id=bob.id)
    [stored] = await store.add([new])
    assert stored.notification.id > len(expected) and carol.id > bob.id
    assert (await store.replay(bob.id, 0, 100))[-1].message == "after the upgrade"
    await rich_notifications_work(store, bob.id)
    await scheduled_sends_work(store, bob.id)
    await keys_work(store, bob.id)


async def rich_notifications_work(store: Store, bob_id: int) -> None:
    """What schema 4 added: a notification keeps its rich fields, and an answer is taken once."""
    rich = {"priority": "urgent", "actions": [{"action": "respond", "label": "Approve"}], "format": "markdown"}
    ask = NewNotification(Kind.DIRECT, NotificationType.INFO, "", "deploy?", "alice", TS, to_user_id=bob_id, rich=rich)
    [stored] = await store.add([ask])
    replayed = (await store.replay(bob_id, 0, 100))[-1]
    assert replayed == stored.notification and replayed.rich_wire() == rich
    nid = replayed.id
    await answer(store, nid, "alice", (bob_id, "bob"), "Approve", at=TS)
    with pytest.raises(Conflict):
        await answer(store, nid, "alice", (bob_id, "bob"), "Approve", at=TS)
    assert [(a.responder, a.label) for a in await store.answers.answers(nid)] == [("bob", "Approve")]


async def scheduled_sends_work(store: Store, bob_id: int) -> None:
    """What the scheduled sends' migration added: a pending schedule, claimed, then fired once."""
    later = NewSchedule(bob_id, "k", Kind.DIRECT, NotificationType.INFO, "", "later", "bob", bob_id, None, None, 1, TS)
    schedule_id = await store.schedule.add(later, 10)
    assert [p.id for p in await store.schedule.claim("hub", 1, 5000, 10)] == [schedule_id]
    fired = NewNotification(Kind.DIRECT, NotificationType.INFO, "", "later", "bob", TS, to_user_id=bob_id)
    await store.add([fired._replace(schedule_id=schedule_id)])
    assert await store.schedule.pending(bob_id) == []


async def keys_work(store: Store, bob_id: int) -> None:
    """Keys after the upgrade (schema 8 keeps only keyed rows in their index): a second send with a
    key replaces the first, a retraction withdraws it, and neither touches what has no key."""
    alice = (1, "alice")
    before = [n.id for n in await store.replay(bob_id, 0, 100)]
    [first] = await store.add([keyed(Kind.DIRECT, "build 1", sender=alice, key="build", to_user_id=bob_id)])
    [second] = await store.add([keyed(Kind.DIRECT, "build 2", sender=alice, key="build", to_user_id=bob_id)])
    assert second.notification.replaces == first.notification.id
    assert [n.id for n in await store.replay(bob_id, 0, 100)] == [*before, second.notification.id]
    [withdrawn] = await store.add([retraction(sender=alice, key="build", to_user_id=bob_id)])
    assert withdrawn.notification.retracts == (second.notification.id,)
    assert [n.id for n in await store.replay(bob_id, 0, 100)] == [*before, withdrawn.notification.id]


def upgrade_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.getMessage().startswith("store:") and "schema" in r.getMessage()
    ]


@pytest.mark.parametrize("version", EARLIER)
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_a_store_from_an_earlier_schema_upgrades_with_a_line_per_step(
    backend: str, version: int, tmp_path: Path, caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest
) -> None:
    store: Store
    steps_of: types.ModuleType
    if backend == "sqlite":
        store = SqliteStore(sqlite_store_at(tmp_path / "hub.sqlite3", version))
        steps_of, prefix, done = migrations, "store: schema", "store: upgraded from schema"
    else:
        url = await create_database(request.getfixturevalue("postgres_server"))  # a sync fixture: no loop inside
        await postgres_store_at(url, version)
        store = PostgresStore(url)
        steps_of, prefix, done = pg_migrations, "store: PostgreSQL schema", "store: PostgreSQL schema upgraded from"
    caplog.set_level(logging.INFO, logger="hub.store")
    await store.open()
    try:
        await everything_is_there(store, version)
    finally:
        await store.close()

    steps = [
        f"{prefix} {v - 1} -> {v}: {steps_of.MIGRATIONS[v - 1].summary}"
        for v in range(version + 1, steps_of.SCHEMA_VERSION + 1)
    ]
    last = [f"{done} {version} to {steps_of.SCHEMA_VERSION}"] if steps else []
    assert upgrade_lines(caplog) == steps + last
    if isinstance(store, SqliteStore):
        with sqlite3.connect(store.path) as db:
            assert db.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def files_of(folder: Path) -> dict[str, str]:
    """The store's files and their digests (not the empty lock file beside them, hub.sqlite3.lock)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.suffix != ".lock"}


def test_a_sqlite_store_from_a_newer_release_is_refused_and_left_untouched(tmp_path: Path) -> None:
    data_dir = tmp_path / "hub"
    data_dir.mkdir()
    path = sqlite_store_at(data_dir / "hub.sqlite3", migrations.SCHEMA_VERSION)
    with sqlite3.connect(path) as db:  # as a later release would leave it
        db.execute(f"PRAGMA user_version = {migrations.SCHEMA_VERSION + 1}")
        db.execute("PRAGMA journal_mode=DELETE")
    before = files_of(data_dir)

    for command in (["serve", "--port", "0"], ["user", "list"]):
        done = subprocess.run(
            [sys.executable, "-m", "hub", "--data-dir", str(data_dir), *command],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert f"schema version {migrations.SCHEMA_VERSION + 1}, newer than this hub knows" in done.stderr
        assert "upgrade lan-notify" in done.stderr and "Traceback" not in done.stderr
    assert files_of(data_dir) == before  # not even the journal mode changed


async def test_a_postgres_store_from_a_newer_release_is_refused_and_left_untouched(postgres_url: str) -> None:
    import asyncpg

    await postgres_store_at(postgres_url, pg_migrations.SCHEMA_VERSION)
    conn: Any = await asyncpg.connect(postgres_url)
    try:
        await conn.execute("INSERT INTO schema_version(version) VALUES ($1)", pg_migrations.SCHEMA_VERSION + 1)
        snapshot = "SELECT table_name, column_name, data_type FROM information_schema.columns ORDER BY 1, 2"
        before = await conn.fetch(snapshot), await conn.fetch("SELECT * FROM schema_version ORDER BY version")

        sessions = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        alone = await conn.fetchval(sessions)
        store = PostgresStore(postgres_url)
        with pytest.raises(SchemaTooNew, match=r"newer than this hub knows .* upgrade lan-notify"):
            await store.open()
        assert await conn.fetchval(sessions) == alone  # the refused open left no connection behind
        await store.close()

        after = await conn.fetch(snapshot), await conn.fetch("SELECT * FROM schema_version ORDER BY version")
        assert after == before
    finally:
        await conn.close()
