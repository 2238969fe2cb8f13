"""The SQLite store's WAL checkpoints: run by a thread of their own, never inside a commit a sender
waits on; the WAL stays bounded under a steady load; closing the store leaves no thread behind; a
store killed while it checkpoints comes back holding every notification it acknowledged."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hub.protocol import Kind, NotificationType
from hub.store import SqliteStore
from hub.store.base import NewNotification
from hub.store.sqlite.checkpoint import CheckpointPolicy
from tests.support.waiting import WAIT

TS = "2026-01-01T00:00:00.000Z"
PAGE = 4096
#: Recipients per batch: each batch touches a page of each one's inbox, so a commit adds many pages.
USERS = 40
#: Notifications per batch (to each user in turn).
BATCH = 200


def checkpointers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "sqlite-checkpoint"]


def wal_pages(database: Path) -> int:
    """Frames in the WAL, from a connection of the test's own (a PASSIVE checkpoint copies them and
    answers how many the WAL holds; the WAL is not reset until the store's next commit)."""
    with contextlib.closing(sqlite3.connect(database, timeout=WAIT)) as db:
        return int(db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()[0][1])


def batch(users: list[int], n: int, first: int) -> list[NewNotification]:
    return [
        NewNotification(
            Kind.DIRECT, NotificationType.INFO, "", f"note {first + i}", "alice", TS, to_user_id=users[i % len(users)]
        )
        for i in range(n)
    ]


async def users_of(store: SqliteStore) -> list[int]:
    return [(await store.create_user(f"u{i}", None, admin=False)).id for i in range(USERS)]


@pytest.fixture
async def resting(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    """A store whose checkpointer is not due during the test."""
    store = SqliteStore(tmp_path / "hub.sqlite3", CheckpointPolicy(interval_s=3600))
    await store.open()
    yield store
    await store.close()


async def test_a_commit_never_checkpoints_the_wal_itself(resting: SqliteStore) -> None:
    users = await users_of(resting)
    for round_ in range(60):  # SQLite's own checkpoint would have reset the WAL at 1,000 pages
        await resting.notifications.add_batch(batch(users, BATCH, round_ * BATCH))
        if os.path.getsize(f"{resting.path}-wal") > 1500 * PAGE:
            break
    # Every commit's pages are still in the WAL: none was copied into the database file and reset.
    assert wal_pages(resting.path) > 1500
    assert len(await resting.notifications.replay(users[0], 0, 10_000)) == (round_ + 1) * BATCH // USERS


async def test_the_wal_stays_bounded_under_a_steady_load(tmp_path: Path) -> None:
    policy = CheckpointPolicy(interval_s=0.005, restart_pages=300)
    store = SqliteStore(tmp_path / "hub.sqlite3", policy)
    await store.open()
    try:
        users = await users_of(store)
        largest = 0
        rounds = 150  # some 6,000 pages written in all: five times what SQLite's own limit keeps
        for round_ in range(rounds):
            await store.notifications.add_batch(batch(users, BATCH, round_ * BATCH))
            largest = max(largest, os.path.getsize(f"{store.path}-wal"))
        assert len(await store.notifications.replay(users[0], 0, 10_000)) == rounds * BATCH // USERS
    finally:
        await store.close()
    # The WAL never went far past the point where a RESTART checkpoint makes it start again.
    assert largest <= 2 * policy.restart_pages * PAGE, f"the WAL reached {largest // PAGE} pages"


async def test_close_stops_the_checkpointer_and_leaves_no_thread(tmp_path: Path) -> None:
    before = checkpointers()
    store = SqliteStore(tmp_path / "hub.sqlite3")
    await store.open()
    assert len(checkpointers()) == len(before) + 1
    await store.close()
    assert checkpointers() == before
    # Dropped without being closed: its checkpointer ends all the same.
    dropped = SqliteStore(tmp_path / "hub.sqlite3")
    await dropped.open()
    (thread,) = set(checkpointers()) - set(before)
    del dropped
    gc.collect()
    await asyncio.get_running_loop().run_in_executor(None, thread.join, WAIT)
    assert not thread.is_alive()


#: A child that stores notifications with the checkpointer running all the time, printing each
#: batch's last id once `add_batch` has returned (the sender's ok), until it is killed.
CHILD = """
import asyncio, sys
from pathlib import Path
from hub.store import SqliteStore
from hub.store.sqlite.checkpoint import CheckpointPolicy
from tests.store.test_wal_checkpoints import batch, users_of

async def main() -> None:
    store = SqliteStore(Path(sys.argv[1]), CheckpointPolicy(interval_s=0.001, restart_pages=64))
    await store.open()
    users = await users_of(store)
    for round_ in range(100_000):
        stored = await store.notifications.add_batch(batch(users, 50, round_ * 50))
        print(stored.head, flush=True)

asyncio.run(main())
"""


async def test_a_store_killed_while_it_checkpoints_holds_every_acknowledged_notification(tmp_path: Path) -> None:
    database = tmp_path / "hub.sqlite3"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(database)],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).parents[2],
        text=True,
    )
    acked = 0  # batches the child was told were stored
    try:
        assert child.stdout is not None
        for _ in range(400):  # 400 batches of 50: the WAL has been checkpointed and reset many times
            line = await asyncio.wait_for(asyncio.to_thread(child.stdout.readline), WAIT)
            assert line, "the child stopped"
            acked += 1
        child.send_signal(signal.SIGKILL)  # while it stores and checkpoints on
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    store = SqliteStore(database)
    await store.open()
    try:
        assert await store.integrity_check() == "ok"
        user = await store.get_user("u0")
        assert user is not None
        kept = {n.message for n in await store.notifications.replay(user.id, 0, 1_000_000)}
        # u0 is sent the 1st and the 41st of each batch of 50.
        assert {f"note {b * 50 + i}" for b in range(acked) for i in (0, USERS)} <= kept
    finally:
        await store.close()
