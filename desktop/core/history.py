"""The local history: every notification received, per hub + user, in SQLite.

`HistoryStore` is synchronous and owns its connection; `AsyncHistory` runs one on a single worker
thread so the event loop never waits on the disk. The schema is versioned with
`PRAGMA user_version` and upgraded by the ordered `MIGRATIONS`.

Notifications are keyed by their hub id, so a replay never duplicates anything. Gap markers sit
in the newest-first list at the place where notifications were lost.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import sqlite3
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, TypeVar

from desktop.core.models import Gap, Notification, parse_timestamp
from desktop.errors import HistoryError, SchemaTooNewError
from hub.filemodes import private_sqlite
from hub.protocol import Kind, NotificationType

#: Each entry upgrades the schema by one version; never edit a released one, append a new one.
MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (
        """CREATE TABLE notifications (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            type TEXT NOT NULL,
            title TEXT NOT NULL,
            message TEXT NOT NULL,
            sender TEXT NOT NULL,
            room TEXT,
            timestamp TEXT NOT NULL,
            received_at TEXT NOT NULL,
            read INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX notifications_by_type ON notifications (type, id)",
        "CREATE INDEX notifications_unread ON notifications (read) WHERE read = 0",
    ),
    (
        """CREATE TABLE gaps (
            since INTEGER NOT NULL,
            upto INTEGER NOT NULL,
            message TEXT NOT NULL,
            received_at TEXT NOT NULL,
            PRIMARY KEY (since, upto)
        )""",
    ),
)
SCHEMA_VERSION: Final = len(MIGRATIONS)


@dataclass(frozen=True, slots=True)
class StoredNotification:
    notification: Notification
    read: bool


@dataclass(frozen=True, slots=True)
class GapMarker:
    gap: Gap
    received_at: datetime


HistoryEntry = StoredNotification | GapMarker

_SAFE = re.compile(r"[^A-Za-z0-9_.@-]")


def history_path(data_dir: Path, hub_url: str, username: str) -> Path:
    """The database file of one hub + user under the app's data directory."""
    hub_key = hashlib.sha256(hub_url.strip().rstrip("/").lower().encode("utf-8")).hexdigest()[:16]
    return data_dir / "history" / f"{_SAFE.sub('_', username)}-{hub_key}.sqlite3"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class HistoryStore:
    """One history database. Not thread-safe: use it from one thread (see `AsyncHistory`)."""

    def __init__(self, path: Path | str) -> None:
        on_disk = str(path) != ":memory:"
        if on_disk:  # every notification received: readable by this user only, whatever the umask
            private_sqlite(Path(path))
        try:
            self._db = sqlite3.connect(str(path), isolation_level=None)
            self._db.execute("PRAGMA journal_mode = WAL")
            if on_disk:
                private_sqlite(Path(path))
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"cannot open the history at {path}: {exc}") from exc

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise SchemaTooNewError(
                f"the history was written by a newer lan-notify (schema {version}, this version knows {SCHEMA_VERSION})"
            )
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for statement in statements:
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number}")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------------ writing

    def add(self, notification: Notification) -> bool:
        """Store a notification; False when it was already there (a replay)."""
        return bool(self.add_many([notification]))

    def add_many(self, notifications: Iterable[Notification]) -> list[Notification]:
        """Store several at once; returns the ones that were new, in the order given."""
        new: list[Notification] = []
        received = _now()
        self._db.execute("BEGIN")
        try:
            for n in notifications:
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO notifications"
                    " (id, kind, type, title, message, sender, room, timestamp, received_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (n.id, n.kind.value, n.type.value, n.title, n.message, n.sender, n.room,
                     n.timestamp.isoformat(), received),
                )  # fmt: skip
                if cursor.rowcount:
                    new.append(n)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return new

    def add_gap(self, gap: Gap) -> bool:
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO gaps (since, upto, message, received_at) VALUES (?, ?, ?, ?)",
            (gap.since, gap.upto, gap.message, _now()),
        )
        return bool(cursor.rowcount)

    def mark_all_read(self) -> int:
        """Mark everything read; returns how many were unread."""
        return self._db.execute("UPDATE notifications SET read = 1 WHERE read = 0").rowcount

    def mark_read(self, notification_id: int) -> bool:
        cursor = self._db.execute("UPDATE notifications SET read = 1 WHERE id = ? AND read = 0", (notification_id,))
        return bool(cursor.rowcount)

    # ------------------------------------------------------------------ reading

    def last_id(self) -> int | None:
        """The newest notification id held: where to resume from."""
        value = self._db.execute("SELECT max(id) FROM notifications").fetchone()[0]
        return None if value is None else int(value)

    def unread_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM notifications WHERE read = 0").fetchone()[0])

    def get(self, notification_id: int) -> StoredNotification | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM notifications WHERE id = ?", (notification_id,)).fetchone()
        return None if row is None else _row_to_stored(row)

    def entries(
        self,
        *,
        types: Collection[NotificationType] | None = None,
        search: str = "",
        limit: int = 500,
    ) -> list[HistoryEntry]:
        """Newest first. `types` keeps only those types; `search` matches title, text, sender or room.

        Gap markers are included (at their place) unless a search is active.
        """
        where: list[str] = []
        params: list[object] = []
        if types is not None:
            if not types:
                return []
            where.append(f"type IN ({', '.join('?' for _ in types)})")
            params.extend(t.value for t in types)
        needle = search.strip()
        if needle:
            pattern = f"%{_escape_like(needle)}%"
            where.append(
                "(title LIKE ? ESCAPE '\\' OR message LIKE ? ESCAPE '\\'"
                " OR sender LIKE ? ESCAPE '\\' OR coalesce(room, '') LIKE ? ESCAPE '\\')"
            )
            params.extend([pattern] * 4)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM notifications {clause} ORDER BY id DESC LIMIT ?", (*params, limit)
        ).fetchall()
        items = [_row_to_stored(row) for row in rows]
        if needle:
            return list(items)
        gaps = self._db.execute(
            "SELECT since, upto, message, received_at FROM gaps ORDER BY since DESC, upto DESC"
        ).fetchall()
        markers = [GapMarker(Gap(int(s), int(u), str(m)), parse_timestamp(r)) for s, u, m, r in gaps]
        return _interleave(items, markers, limit)


_COLUMNS: Final = "id, kind, type, title, message, sender, room, timestamp, read"


def _row_to_stored(row: Sequence[object]) -> StoredNotification:
    nid, kind, ntype, title, message, sender, room, timestamp, read = row
    notification = Notification(
        id=int(str(nid)),
        kind=Kind(str(kind)),
        type=NotificationType(str(ntype)),
        title=str(title),
        message=str(message),
        sender=str(sender),
        room=None if room is None else str(room),
        timestamp=parse_timestamp(str(timestamp)),
    )
    return StoredNotification(notification, read=bool(read))


def _interleave(items: list[StoredNotification], markers: list[GapMarker], limit: int) -> list[HistoryEntry]:
    """Put each gap after the notifications newer than it (ids > since), newest first."""
    merged: list[HistoryEntry] = []
    pending = list(markers)  # newest gap first
    for item in items:
        while pending and item.notification.id <= pending[0].gap.since:
            merged.append(pending.pop(0))
        merged.append(item)
    if len(items) < limit:
        merged.extend(pending)  # the list reached the beginning: older gaps go at the end
    return merged


_T = TypeVar("_T")


class AsyncHistory:
    """A `HistoryStore` on its own worker thread: every call is awaited, none blocks the loop."""

    def __init__(self, executor: ThreadPoolExecutor, store: HistoryStore) -> None:
        self._executor = executor
        self._store = store
        self._closed = False

    @classmethod
    async def open(cls, path: Path | str) -> AsyncHistory:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history")
        try:
            store = await asyncio.get_running_loop().run_in_executor(executor, HistoryStore, path)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(executor, store)

    async def _run(self, fn: Callable[[], _T]) -> _T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    async def add(self, notification: Notification) -> bool:
        return await self._run(lambda: self._store.add(notification))

    async def add_many(self, notifications: Sequence[Notification]) -> list[Notification]:
        return await self._run(lambda: self._store.add_many(notifications))

    async def add_gap(self, gap: Gap) -> bool:
        return await self._run(lambda: self._store.add_gap(gap))

    async def mark_all_read(self) -> int:
        return await self._run(self._store.mark_all_read)

    async def mark_read(self, notification_id: int) -> bool:
        return await self._run(lambda: self._store.mark_read(notification_id))

    async def last_id(self) -> int | None:
        return await self._run(self._store.last_id)

    async def unread_count(self) -> int:
        return await self._run(self._store.unread_count)

    async def get(self, notification_id: int) -> StoredNotification | None:
        return await self._run(lambda: self._store.get(notification_id))

    async def entries(
        self, *, types: Collection[NotificationType] | None = None, search: str = "", limit: int = 500
    ) -> list[HistoryEntry]:
        return await self._run(lambda: self._store.entries(types=types, search=search, limit=limit))

    async def close(self) -> None:
        """Close the database and its thread; closing twice is fine."""
        if self._closed:
            return
        self._closed = True
        try:
            await self._run(self._store.close)
        finally:
            self._executor.shutdown(wait=False)
