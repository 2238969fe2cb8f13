"""The SQLite store's one thread and connection, and the statements every part of it shares.

Every call runs on the store's own thread, so the event loop never blocks on disk. The file is
opened in WAL mode with synchronous=FULL: a commit is durable when it returns.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from hub.errors import StoreError, Unavailable
from hub.filemodes import private_dir, private_sqlite
from hub.store.sqlite.inuse import StoreLock
from hub.store.sqlite.migrations import migrate, refuse_newer, use_wal

log = logging.getLogger(__name__)
T = TypeVar("T")

#: The newest notification id ever given: a new user receives notifications to everyone after it.
NEWEST_ID = "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'notifications'), 0)"


class StoreThread:
    """The connection to one SQLite file, used only on its own thread (`run`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-store")
        self._db: sqlite3.Connection | None = None
        self._lock = StoreLock(path, exclusive=False)  # held while open: `notify-hub restore` waits for none

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`fn(connection)` on the store's thread; a database that cannot be used is `Unavailable`."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, fn)

    def _call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._db is None:
            raise Unavailable("the store is not open")
        try:
            return fn(self._db)
        except sqlite3.OperationalError as exc:
            log.error("store error: %s", exc)
            raise Unavailable(f"the store cannot be used right now ({exc})") from exc

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
                db.execute("PRAGMA busy_timeout=10000")
                migrate(db)
            except BaseException:
                db.close()
                raise
        except BaseException:
            self._lock.release()
            raise
        self._db = db

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._open)

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self._lock.release()

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=True)


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


def insert_many(db: sqlite3.Connection, into: str, rows: Sequence[tuple[Any, ...]], *, then: str = "") -> None:
    """INSERT rows with multi-row VALUES: one statement step per 64 rows. `executemany` takes
    a step, and gives up and takes back the GIL, per row; the event loop's thread holds the GIL
    most of the time under load, so each row would wait for it, and a large batch would hold the
    store's thread for a long time. `then` follows the VALUES (an ON CONFLICT clause).

    The rows go in pieces of 64, 32, 16, ..., 1: seven statements per table, which stay prepared in
    sqlite3's statement cache. With pieces of any size, almost every batch would end in a statement
    of its own, compiled again, and the cache (128 statements) would fill with them."""
    if not rows:
        return
    width = len(rows[0])
    start, left = 0, len(rows)
    while left:
        size = min(_ROWS_PER_INSERT, 1 << (left.bit_length() - 1))
        db.execute(_insert_sql(into, width, size, then), list(_flat(rows[start : start + size])))
        start += size
        left -= size


_flat = itertools.chain.from_iterable


@functools.cache
def _insert_sql(into: str, width: int, size: int, then: str) -> str:
    values = ", ".join(["(" + ", ".join("?" * width) + ")"] * size)
    return f"INSERT INTO {into} VALUES {values}{then}"
