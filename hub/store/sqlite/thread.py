"""The SQLite store's one thread and connection, and the statements every part of it shares.

Every call runs on the store's own thread, so the event loop never blocks on disk. The file is
opened in WAL mode with synchronous=FULL: a commit is durable when it returns. No commit checkpoints
the WAL: the store's `Checkpointer` does, on a thread of its own, from open to close.

The thread is a plain one reading a `queue.SimpleQueue`, each call settling its asyncio future
with one `call_soon_threadsafe`: a `ThreadPoolExecutor` with `run_in_executor` adds a concurrent
future, a work item and two chained callbacks to every call, and cost 15-35 µs more CPU per call
on the two threads together, pinned to one core as the bench runs the hub: every group commit paid it.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import queue
import sqlite3
import threading
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from hub.errors import StoreError, Unavailable
from hub.filemodes import private_dir, private_sqlite
from hub.store.sqlite.checkpoint import BUSY_TIMEOUT_MS, Checkpointer, CheckpointPolicy, restart
from hub.store.sqlite.inuse import StoreLock
from hub.store.sqlite.migrations import migrate, refuse_newer, use_wal

log = logging.getLogger(__name__)
T = TypeVar("T")

#: The newest notification id ever given: a new user receives notifications to everyone after it.
NEWEST_ID = "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'notifications'), 0)"


#: The page size the store's files have (SQLite's default), for a WAL's size in bytes.
_PAGE_BYTES = 4096

#: A call for the store's thread: how to run it, what it runs, the future it settles and its loop.
_Call = tuple[Callable[[Any, "sqlite3.Connection | None"], Any], Any, "asyncio.Future[Any]", asyncio.AbstractEventLoop]


class _Restart(NamedTuple):
    """From the checkpointer: a RESTART checkpoint on the store's connection, between two calls."""

    done: threading.Event


class _Stop(NamedTuple):
    """The last call the store's thread takes: close the connection, settle `done`, end. Never skipped,
    even if `close` was cancelled meanwhile."""

    done: asyncio.Future[None]
    loop: asyncio.AbstractEventLoop


_Calls = queue.SimpleQueue[_Call | _Restart | _Stop | None]


class StoreThread:
    """The connection to one SQLite file, used only on its own thread (`run`).

    The thread starts with the first call and ends with `close`, after the calls made before it; a
    call after `close` is `Unavailable`, and a store whose `open` failed has no thread left. The
    thread holds no reference to this object: a store dropped without being closed is collected,
    and its thread ends. It is a daemon thread, so a process that never closes its store can still
    exit (SQLite rolls back a transaction left unfinished)."""

    def __init__(self, path: Path, checkpoints: CheckpointPolicy | None = None) -> None:
        self.path = path
        self._checkpoints = checkpoints or CheckpointPolicy()
        self._checkpointer: Checkpointer | None = None
        self._written: threading.Event | None = None  # the checkpointer's: set after each call
        self._calls: _Calls = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._closed = False
        self._db: sqlite3.Connection | None = None
        self._lock = StoreLock(path, exclusive=False)  # held while open: `notify-hub restore` waits for none
        weakref.finalize(self, self._calls.put, None)  # collected unclosed: its thread ends

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`fn(connection)` on the store's thread, calls in the order they were made; a database
        that cannot be used is `Unavailable`. Cancelling the future before the thread takes the
        call skips it; once taken, the call runs to its end (as a commit must)."""
        if self._closed:
            raise Unavailable("the store is closed")
        return await self._submit(_on_db, fn)

    def _submit(self, how: Callable[[Any, sqlite3.Connection | None], T], fn: Any) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[T] = loop.create_future()
        if self._worker is None:
            self._worker = threading.Thread(
                target=_serve, args=(self._calls, weakref.ref(self)), name="sqlite-store", daemon=True
            )
            self._worker.start()
        self._calls.put((how, fn, done, loop))
        return done

    def _open(self) -> None:
        """Open (creating and migrating) the database; a file or folder that cannot be used is a
        `StoreError` naming the file, as are `StoreInUse` and `SchemaTooNew`."""
        try:
            self._open_database()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc

    def _open_database(self) -> None:
        # Password hashes and every notification: readable by the hub's user only, whatever the umask.
        private_dir(self.path.parent)
        self._lock.acquire()
        try:
            refuse_newer(self.path)  # before WAL mode or a migration writes to a newer release's file
            private_sqlite(self.path)
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
            try:
                db.row_factory = sqlite3.Row
                use_wal(db)
                private_sqlite(self.path)  # the WAL files it just made, should SQLite not copy the file's mode
                db.execute("PRAGMA synchronous=FULL")
                db.execute("PRAGMA foreign_keys=ON")
                db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                # Commits never checkpoint (the checkpointer does); a WAL started again is cut to size.
                db.execute("PRAGMA wal_autocheckpoint=0")
                db.execute(f"PRAGMA journal_size_limit={self._checkpoints.restart_pages * _PAGE_BYTES}")
                migrate(db)
                checkpointer = Checkpointer(self.path, self._checkpoints, functools.partial(_ask_restart, self._calls))
                checkpointer.start()
            except BaseException:
                db.close()
                raise
        except BaseException:
            self._lock.release()
            raise
        self._db, self._checkpointer, self._written = db, checkpointer, checkpointer.written

    async def open(self) -> None:
        self._closed = False
        try:
            await self._submit(_ignore_db, self._open)
        except BaseException:
            await self.close()  # nothing is open: this ends the thread
            raise

    def _close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = self._written = None
        if self._db is not None:
            self._db.close()
            self._db = None
        self._lock.release()

    async def close(self) -> None:
        """Close the connection once the calls made before are done, and end the thread. If this is
        cancelled, the thread still closes the connection when it gets there."""
        self._closed = True
        worker, self._worker = self._worker, None
        if worker is None:
            return
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._calls.put(_Stop(done, loop))
        await done
        worker.join()  # it ends right after settling `done`


def _ask_restart(calls: _Calls, done: threading.Event) -> None:
    calls.put(_Restart(done))


def _serve(calls: _Calls, store: weakref.ref[StoreThread]) -> None:
    """The store's thread: each call in turn, until a `_Stop`, or None (the store was collected)."""
    while True:
        call = calls.get()
        if call is None or _take(call, store):
            return
        call = None  # nothing of the call (its batch, its future) is kept while the thread waits


def _take(call: _Call | _Restart | _Stop, store: weakref.ref[StoreThread]) -> bool:
    """Run one call and settle its future; True: it was the stop, the thread ends."""
    owner = store()
    if isinstance(call, _Restart):
        try:
            if owner is not None and owner._db is not None:
                restart(owner._db, owner._checkpoints)
        finally:
            call.done.set()
        return False
    if isinstance(call, _Stop):
        error: BaseException | None = None
        try:
            if owner is not None:
                owner._close()
        except BaseException as exc:
            error = exc
        _answer(call.done, call.loop, None, error)
        return True
    how, fn, done, loop = call
    if done.cancelled():  # its caller gave up before it started: nothing was done
        return False
    try:
        result, error = how(fn, None if owner is None else owner._db), None
    except BaseException as exc:  # the caller's to handle, whatever it is
        result, error = None, exc
    _answer(done, loop, result, error)
    if owner is not None and owner._written is not None:
        owner._written.set()  # the checkpointer looks at the WAL after its interval
    return False


def _answer(
    done: asyncio.Future[Any], loop: asyncio.AbstractEventLoop, result: Any, error: BaseException | None
) -> None:
    try:
        loop.call_soon_threadsafe(_settle, done, result, error)
    except RuntimeError:  # the loop is closed: no one is waiting
        pass


def _on_db(fn: Callable[[sqlite3.Connection], T], db: sqlite3.Connection | None) -> T:
    """`fn(db)`, on the store's thread."""
    if db is None:
        raise Unavailable("the store is not open")
    try:
        return fn(db)
    except sqlite3.OperationalError as exc:
        log.error("store error: %s", exc)
        raise Unavailable(f"the store cannot be used right now ({exc})") from exc


def _ignore_db(fn: Callable[[], T], db: sqlite3.Connection | None) -> T:
    """`fn()`, on the store's thread: opening the connection."""
    return fn()


def _settle(done: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    """On the loop: hand the call's outcome to its caller, unless the caller gave up."""
    if done.cancelled():
        return
    if error is None:
        done.set_result(result)
    else:
        done.set_exception(error)


class transaction:
    """BEGIN IMMEDIATE ... COMMIT (or ROLLBACK) on an autocommit connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


#: Rows per INSERT statement, at most (SQLite builds before 3.32 take at most 999 parameters).
_ROWS_PER_INSERT = 64


def insert_many(
    db: sqlite3.Connection, into: str, rows: Sequence[tuple[Any, ...]], *, then: str = "", row: str = ""
) -> None:
    """INSERT rows with multi-row VALUES: one statement step per 64 rows. `executemany` takes
    a step, and gives up and takes back the GIL, per row; the event loop's thread holds the GIL
    most of the time under load, so each row would wait for it, and a large batch would hold the
    store's thread for a long time. `then` follows the VALUES (an ON CONFLICT clause); `row` is
    one row's VALUES, if not a `?` for each value (to write some columns as constants).

    The rows go in pieces of 64, 32, 16, ..., 1: seven statements per table, which stay prepared in
    sqlite3's statement cache. With pieces of any size, almost every batch would end in a statement
    of its own, compiled again, and the cache (128 statements) would fill with them."""
    if not rows:
        return
    one = row or "(" + ", ".join("?" * len(rows[0])) + ")"
    start, left = 0, len(rows)
    while left:
        size = min(_ROWS_PER_INSERT, 1 << (left.bit_length() - 1))
        db.execute(_insert_sql(into, one, size, then), list(_flat(rows[start : start + size])))
        start += size
        left -= size


_flat = itertools.chain.from_iterable


@functools.cache
def _insert_sql(into: str, row: str, size: int, then: str) -> str:
    values = ", ".join([row] * size)
    return f"INSERT INTO {into} VALUES {values}{then}"


def sql_literal(value: str | bool | None) -> str:
    """A constant as SQLite writes it in a statement: NULL, 0 or 1, or a quoted string."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    return "'" + value.replace("'", "''") + "'"
