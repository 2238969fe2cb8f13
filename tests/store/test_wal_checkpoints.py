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

from hub.config import HubConfig, load_config
from hub.store import SqliteStore, create_store
from hub.store.factory import checkpoint_policy
from hub.store.sqlite.checkpoint import CheckpointPolicy, _end, _serve
from tests.support.stores import direct_batch, numbered_users
from tests.support.waiting import WAIT

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


@pytest.fixture
async def resting(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    """A store whose checkpointer is not due during the test."""
    store = SqliteStore(tmp_path / "hub.sqlite3", CheckpointPolicy(interval_s=3600))
    await store.open()
    yield store
    await store.close()


async def test_a_commit_never_checkpoints_the_wal_itself(resting: SqliteStore) -> None:
    users = await numbered_users(resting, USERS)
    for round_ in range(60):  # SQLite's own checkpoint would have reset the WAL at 1,000 pages
        await resting.notifications.add_batch(direct_batch(users, BATCH, round_ * BATCH))
        if os.path.getsize(f"{resting.path}-wal") > 1500 * PAGE:
            break
    # Every commit's pages are still in the WAL: none was copied into the database file and reset.
    assert wal_pages(resting.path) > 1500
    assert len(await resting.notifications.replay(users[0], 0, 10_000)) == (round_ + 1) * BATCH // USERS


async def test_the_wal_stays_bounded_under_a_steady_load(tmp_path: Path) -> None:
    policy = CheckpointPolicy(interval_s=0.005, restart_pages=300)
    store = SqliteStore(tmp_path / "hub.sqlite3", policy)
    largest = await _largest_wal_under_load(store)
    # The WAL started again, again and again, under the load: without a checkpointer (SQLite's own is
    # off) it would hold all ~6,000 pages, and with the RESTART starved by the commits it reached
    # ~3,300. (The margin over the 300-page bound is for a checkpoint held up by a slow disk.)
    assert largest <= 1500 * PAGE, f"the WAL reached {largest // PAGE} pages"


async def test_a_store_made_from_the_settings_keeps_its_wal_within_wal_restart_pages(tmp_path: Path) -> None:
    """`wal_restart_pages` and `wal_checkpoint_ms`, from the environment, reach the store the hub and the
    admin commands open (`create_store`)."""
    config = load_config(
        env={"LAN_NOTIFY_WAL_RESTART_PAGES": "300", "LAN_NOTIFY_WAL_CHECKPOINT_MS": "10"},
        overrides={"data_dir": tmp_path},
    )
    store = create_store(config)
    assert isinstance(store, SqliteStore)
    largest = await _largest_wal_under_load(store)
    # With the default settings the WAL reached 6,485 pages here; the margin of five times the bound
    # is for a checkpoint held up by a slow, busy machine.
    assert largest <= 5 * 300 * PAGE, f"the WAL reached {largest // PAGE} pages"


def test_the_checkpointers_defaults_are_the_settings_defaults() -> None:
    """A store opened without a configuration checkpoints as a hub with the default settings does."""
    assert checkpoint_policy(HubConfig()) == CheckpointPolicy()


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
from hub.store.sqlite.checkpoint import CheckpointPolicy, _end, _serve
from tests.support.stores import direct_batch, numbered_users

async def main() -> None:
    store = SqliteStore(Path(sys.argv[1]), CheckpointPolicy(interval_s=0.001, restart_pages=64))
    await store.open()
    users = await numbered_users(store, 40)
    for round_ in range(100_000):
        stored = await store.notifications.add_batch(direct_batch(users, 50, round_ * 50))
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


class _EndsOnClear(threading.Event):
    """An event whose `clear` comes right after the store's `close` set every event the checkpointer
    waits on: the closest `close` can come to a checkpointer between its checks."""

    def __init__(self, *events: threading.Event) -> None:
        super().__init__()
        self.others = events

    def clear(self) -> None:
        _end(*self.others, self)
        super().clear()


def _checkpointer_thread(tmp_path: Path, policy: CheckpointPolicy, **events: threading.Event) -> threading.Thread:
    """The checkpointer's loop on a WAL file of its own, with the events given (the others plain),
    `written` already set (the store has worked); asking for a RESTART does nothing, as from a store
    that is closing."""
    database = tmp_path / "wal.sqlite3"
    with contextlib.closing(sqlite3.connect(database)) as setup:
        setup.execute("PRAGMA journal_mode=WAL").fetchall()
    stop = events.get("stop") or threading.Event()
    restarted = events.get("restarted") or threading.Event()
    written = events.get("written") or threading.Event()
    written.set()
    db = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    thread = threading.Thread(
        target=_serve, args=(db, policy, lambda done: None, stop, restarted, written), daemon=True
    )
    thread.start()
    return thread


async def _ends(thread: threading.Thread, why: str, *events: threading.Event) -> None:
    """Assert `thread` ends on its own within WAIT (`why` if not); then end it all the same."""
    try:
        await asyncio.get_running_loop().run_in_executor(None, thread.join, WAIT)
        assert not thread.is_alive(), why
    finally:
        _end(*events)  # a checkpointer left waiting ends


async def test_close_ends_a_checkpointer_that_was_between_its_wait_and_its_checkpoint(tmp_path: Path) -> None:
    stop, restarted = threading.Event(), threading.Event()
    written = _EndsOnClear(stop, restarted)
    thread = _checkpointer_thread(
        tmp_path, CheckpointPolicy(interval_s=0.0), stop=stop, restarted=restarted, written=written
    )
    await _ends(thread, "the checkpointer waits on for a write, and the store's close for it", stop, restarted, written)


async def test_close_ends_a_checkpointer_about_to_ask_for_a_restart(tmp_path: Path) -> None:
    stop, written = threading.Event(), threading.Event()
    restarted = _EndsOnClear(stop, written)
    policy = CheckpointPolicy(interval_s=0.0, restart_pages=-1)  # every tick asks for a RESTART
    thread = _checkpointer_thread(tmp_path, policy, stop=stop, restarted=restarted, written=written)
    await _ends(
        thread, "the checkpointer waits on for a RESTART the closing store never runs", stop, restarted, written
    )


async def _largest_wal_under_load(store: SqliteStore) -> int:
    """Open `store`, write 150 batches (some 6,000 WAL pages in all: five times what SQLite's own limit
    keeps, more than the default bound of 4,096), check they are all there, close it; the WAL's largest
    size in bytes meanwhile."""
    await store.open()
    try:
        users = await numbered_users(store, USERS)
        largest = 0
        rounds = 150
        for round_ in range(rounds):
            await store.notifications.add_batch(direct_batch(users, BATCH, round_ * BATCH))
            largest = max(largest, os.path.getsize(f"{store.path}-wal"))
        assert len(await store.notifications.replay(users[0], 0, 10_000)) == rounds * BATCH // USERS
    finally:
        await store.close()
    return largest
