"""Backups and restores of the SQLite store, with the hub running (backup) or stopped (restore).

- `backup(database, target)` copies the store with SQLite's online backup API in one step: it
  reads one consistent snapshot (WAL mode lets the hub go on writing meanwhile), so the copy holds
  every notification committed, and so acknowledged, before it started. The copy is a single
  self-contained file (journal mode DELETE), checked with `PRAGMA integrity_check`, written beside
  the target and renamed into place, readable by its owner only (it holds password and token
  hashes).
- `restore(source, database)` first checks the file (integrity, a lan-notify store, a schema this
  hub knows), then takes the store's exclusive lock (`hub.store.sqlite.inuse`): while any hub or admin
  command has the store open, it refuses; while it runs, none can open it. The current store is
  kept aside as `hub.sqlite3.before-restore-<time>`, never deleted. A hub started afterwards
  migrates a restored store from an older release as usual.

PostgreSQL stores are backed up with pg_dump and restored with pg_restore (docs/deployment.md).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hub.errors import BackupError
from hub.store.sqlite.inuse import StoreLock
from hub.store.sqlite.migrations import SCHEMA_VERSION

#: Tables every lan-notify store has, whatever its schema version.
_TABLES = frozenset({"users", "tokens", "rooms", "notifications", "inbox", "cursors"})


@dataclass(frozen=True, slots=True)
class StoreSummary:
    schema: int
    users: int
    notifications: int
    newest_id: int

    def __str__(self) -> str:
        return (
            f"schema {self.schema}, {self.users} users, {self.notifications} notifications"
            f"{f' (newest id {self.newest_id})' if self.notifications else ''}"
        )


def _connect_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)


def summarize(db: sqlite3.Connection) -> StoreSummary:
    users, notifications, newest = db.execute(
        "SELECT (SELECT count(*) FROM users), count(*), coalesce(max(id), 0) FROM notifications"
    ).fetchone()
    schema = int(db.execute("PRAGMA user_version").fetchone()[0])
    return StoreSummary(schema, int(users), int(notifications), int(newest))


def check_store_file(path: Path) -> StoreSummary:
    """A lan-notify store this hub can open: intact, with the tables, at a schema version it knows."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        db = _connect_read_only(path)
        try:
            integrity = [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            summary = summarize(db) if _TABLES <= tables else None
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database ({exc})") from None
    if integrity != ["ok"]:
        raise BackupError(f"{path} is damaged (integrity check: {'; '.join(integrity[:3])})")
    if summary is None:
        raise BackupError(f"{path} is not a lan-notify store (missing tables: {', '.join(sorted(_TABLES - tables))})")
    if summary.schema > SCHEMA_VERSION:
        raise BackupError(
            f"{path} has schema version {summary.schema}, newer than this hub knows ({SCHEMA_VERSION}): "
            "it was made by a newer lan-notify; restore it with that version"
        )
    if summary.schema < 1:
        raise BackupError(f"{path} has no schema version: not a lan-notify store")
    return summary


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be synced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _copy(source: sqlite3.Connection, target: Path) -> None:
    """The whole of `source` into a new file `target` (mode 600) in one backup step, synced to disk."""
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    copy = sqlite3.connect(target, isolation_level=None)
    try:
        # pages=-1: one step, so one read transaction and one snapshot, however busy the hub is;
        # in steps, every write by the hub would start the copy over.
        source.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"the copy failed its integrity check ({result})")
    finally:
        copy.close()
    with open(target, "rb+") as written:
        os.fsync(written.fileno())


@contextlib.contextmanager
def _partial(path: Path) -> Iterator[Path]:
    """A new file beside `path` to write first and rename into place; removed if the block fails."""
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        yield partial
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def backup(database: Path, target: Path, *, force: bool = False) -> StoreSummary:
    """Copy the store at `database` (the hub may be running) to `target`; returns what the copy holds."""
    if not database.is_file():
        raise BackupError(f"there is no store at {database} (wrong --data-dir?)")
    if target.exists() and not force:
        raise BackupError(f"{target} exists; pass --force to replace it")
    if target.resolve() == database.resolve():
        raise BackupError("the backup cannot replace the store itself")
    with _partial(target) as partial:
        # Not read-only: a read-only connection to a stopped hub's store would leave empty -wal and -shm
        # files behind. It writes nothing but SQLite's own housekeeping (a checkpoint when it closes last).
        source = sqlite3.connect(database, isolation_level=None, timeout=30)
        try:
            _copy(source, partial)
        except sqlite3.Error as exc:
            raise BackupError(f"cannot back up {database}: {exc}") from None
        finally:
            source.close()
        partial.replace(target)
    _fsync_dir(target.parent)
    copy = _connect_read_only(target)
    try:
        return summarize(copy)
    finally:
        copy.close()


@dataclass(frozen=True, slots=True)
class Restored:
    summary: StoreSummary
    kept: Path | None  # where the store that was replaced now is


def restore(source: Path, database: Path) -> Restored:
    """Replace the store at `database` with the backup `source`; refused while anything has the store open."""
    summary = check_store_file(source)
    database.parent.mkdir(parents=True, exist_ok=True)
    with StoreLock(database, exclusive=True), _partial(database) as partial:
        backup_db = _connect_read_only(source)
        try:
            _copy(backup_db, partial)
        finally:
            backup_db.close()
        _same_owner(partial, database)
        kept = _set_aside(database)
        partial.replace(database)
    _fsync_dir(database.parent)
    return Restored(summary, kept)


def _same_owner(restored: Path, database: Path) -> None:
    """Run as root (sudo notify-hub restore), give the restored file to the store's owner, the hub's user:
    a store owned by root would keep the hub from writing to it."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    owner = (database if database.exists() else database.parent).stat()
    os.chown(restored, owner.st_uid, owner.st_gid)


def _set_aside(database: Path) -> Path | None:
    """Move the current store (with what its WAL holds) out of the way; None when there was none."""
    if not database.exists():
        for stale in (database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
            stale.unlink(missing_ok=True)
        return None
    db = sqlite3.connect(database, isolation_level=None)
    try:
        # A hub killed with SIGKILL leaves committed notifications in the -wal file: fold them in, so
        # the file kept aside is whole. Closing the last connection removes -wal and -shm.
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
    finally:
        db.close()
    kept = database.with_name(f"{database.name}.before-restore-{time.strftime('%Y%m%d-%H%M%S')}")
    database.replace(kept)
    return kept
