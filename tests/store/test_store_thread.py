"""The SQLite store's own thread: calls in order, off the event loop, errors to their callers,
a call given up before it started never run, and nothing left running once the store is closed."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from hub.errors import StoreError, Unavailable
from hub.store import SqliteStore
from hub.store.sqlite.inuse import StoreLock
from tests.support.waiting import WAIT


def store_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("sqlite-store")]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "hub.sqlite3")
    await opened.open()
    yield opened
    await opened.close()


async def test_calls_run_in_the_order_they_were_made_on_one_thread_off_the_loop(store: SqliteStore) -> None:
    seen: list[tuple[int, int]] = []

    def call(i: int) -> Callable[[sqlite3.Connection], int]:
        def on_thread(db: sqlite3.Connection) -> int:
            seen.append((i, threading.get_ident()))
            return i * 2

        return on_thread

    answers = await asyncio.gather(*(store._thread.run(call(i)) for i in range(50)))
    assert answers == [i * 2 for i in range(50)]
    assert [i for i, _ in seen] == list(range(50))
    assert len({ident for _, ident in seen}) == 1
    assert seen[0][1] != threading.get_ident()  # not the event loop's thread


async def test_an_error_reaches_its_caller_and_the_thread_goes_on(store: SqliteStore) -> None:
    def broken(db: sqlite3.Connection) -> None:
        db.execute("SELECT * FROM no_such_table")

    def wrong(db: sqlite3.Connection) -> None:
        raise ValueError("a bug in a store call")

    with pytest.raises(Unavailable, match="cannot be used right now"):
        await store._thread.run(broken)
    with pytest.raises(ValueError, match="a bug in a store call"):
        await store._thread.run(wrong)
    user = await store.create_user("ann", None, admin=False)
    assert await store.get_user("ann") == user


async def test_a_call_given_up_before_the_thread_took_it_is_not_run(store: SqliteStore) -> None:
    started, release = threading.Event(), threading.Event()

    def hold(db: sqlite3.Connection) -> None:
        started.set()
        release.wait(WAIT)

    held = asyncio.ensure_future(store._thread.run(hold))
    assert await asyncio.get_running_loop().run_in_executor(None, started.wait, WAIT)
    # The next call is queued behind the held one (stepping its coroutine submits it), then given up.
    given_up = store._thread.run(lambda db: db.execute("INSERT INTO users(name, created_at) VALUES ('bob', '')"))
    waiting = given_up.send(None)
    waiting.cancel()
    given_up.close()
    release.set()
    await held
    assert await store.get_user("bob") is None  # queued after it: the given-up call was skipped


async def test_closing_ends_the_thread_and_later_calls_are_refused(tmp_path: Path) -> None:
    before = store_threads()
    store = SqliteStore(tmp_path / "hub.sqlite3")
    await store.open()
    await store.create_user("ann", None, admin=False)
    assert len(store_threads()) == len(before) + 1
    await store.close()
    assert store_threads() == before
    with pytest.raises(Unavailable, match="closed"):
        await store.get_user("ann")
    assert store_threads() == before
    await store.open()  # a closed store opens again, with its thread
    try:
        assert (await store.get_user("ann")) is not None
    finally:
        await store.close()
    assert store_threads() == before


async def test_a_store_that_could_not_be_opened_leaves_no_thread(tmp_path: Path) -> None:
    before = store_threads()
    (tmp_path / "not-a-folder").write_text("a file where the data folder should be")
    for _ in range(3):  # as the tray app retries hosting a hub whose store is unusable
        with pytest.raises(StoreError):
            await SqliteStore(tmp_path / "not-a-folder" / "hub.sqlite3").open()
    assert store_threads() == before


async def test_a_store_dropped_without_closing_it_ends_its_thread(tmp_path: Path) -> None:
    before = store_threads()
    store = SqliteStore(tmp_path / "hub.sqlite3")
    await store.open()
    await store.create_user("ann", None, admin=False)
    (thread,) = [t for t in store_threads() if t not in before]
    del store
    gc.collect()
    await asyncio.get_running_loop().run_in_executor(None, thread.join, WAIT)
    assert not thread.is_alive()


async def test_a_cancelled_close_still_closes_the_store_and_does_not_hold_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite3"
    before = store_threads()
    store = SqliteStore(path)
    await store.open()
    (thread,) = [t for t in store_threads() if t not in before]
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def hold(db: sqlite3.Connection) -> None:
        started.set()
        release.wait(WAIT)
        finished.set()

    held = asyncio.ensure_future(store._thread.run(hold))
    assert await asyncio.get_running_loop().run_in_executor(None, started.wait, WAIT)
    closing = asyncio.ensure_future(store.close())
    await asyncio.sleep(0)  # one loop turn (no waiting on time): the task queues its close behind `hold`
    closing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await closing
    assert not finished.is_set()  # the loop went on at once: it did not wait for the thread
    release.set()
    await held
    await asyncio.get_running_loop().run_in_executor(None, thread.join, WAIT)
    assert not thread.is_alive()
    restore = StoreLock(path, exclusive=True)  # what `notify-hub restore` takes: free once the store is closed
    restore.acquire()
    restore.release()
