"""The embedded store: SQLite (WAL, synchronous=FULL) on one dedicated thread.

Every call runs on the store's own thread, so the event loop never blocks on disk. Writes of
notifications are batched by the caller into one transaction (group commit): one fsync for many
notifications, each durable before its sender is told `ok`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from hub.errors import Conflict, NotFound, Unavailable
from hub.filemodes import private_dir, private_sqlite
from hub.protocol import Kind, Notification, NotificationType
from hub.store.base import (
    LIVE_ONLY,
    TO_EVERYONE,
    NewNotification,
    PruneResult,
    Room,
    Stored,
    TokenInfo,
    TokenKind,
    User,
    last_use_is_stale,
)
from hub.store.sqlite.inuse import StoreLock
from hub.store.sqlite.migrations import migrate, refuse_newer, use_wal
from hub.timeutil import utc_now_iso

log = logging.getLogger(__name__)
T = TypeVar("T")

_NOTIFICATION_COLUMNS = "n.id, n.kind, n.type, n.title, n.message, n.sender, n.room, n.created_at"
#: The newest notification id ever given: a new user receives notifications to everyone after it.
_NEWEST_ID = "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'notifications'), 0)"
#: Notifications to everyone (one row each, no inbox rows) a user still has: after the later of
#: when the user was created and what retention removed for them. `?1` is the user's id.
_EVERYONE_AFTER_FLOOR = "n.everyone = 1 AND n.id > (SELECT MAX(first_id, pruned_upto) FROM users WHERE id = ?1)"
#: A notification nobody receives any more (to everyone: see `prune`).
_ORPHANS = "DELETE FROM notifications WHERE everyone = 0 AND id NOT IN (SELECT notification_id FROM inbox)"


def _notification(row: sqlite3.Row) -> Notification:
    return Notification(
        id=row[0],
        kind=Kind(row[1]),
        type=NotificationType(row[2]),
        title=row[3],
        message=row[4],
        sender=row[5],
        room=row[6],
        timestamp=row[7],
    )


def _user(row: sqlite3.Row) -> User:
    return User(id=row["id"], name=row["name"], admin=bool(row["admin"]), has_password=row["password_hash"] is not None)


def _token(row: sqlite3.Row) -> TokenInfo:
    return TokenInfo(
        id=row["id"],
        user_id=row["user_id"],
        label=row["label"],
        kind=TokenKind(row["kind"]),
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked=row["revoked_at"] is not None,
    )


class SqliteStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-store")
        self._db: sqlite3.Connection | None = None
        self._lock = StoreLock(path, exclusive=False)  # held while open: `notify-hub restore` waits for none

    # ------------------------------------------------------------------ plumbing

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
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

    def where(self) -> str:
        """The SQLite file, for logs."""
        return str(self.path)

    async def check(self) -> None:
        await self._run(lambda db: db.execute("SELECT 1").fetchone())

    async def integrity_check(self) -> str:
        return await self._run(lambda db: str(db.execute("PRAGMA integrity_check").fetchone()[0]))

    # ------------------------------------------------------------------ accounts

    async def create_user(self, name: str, password_hash: str | None, *, admin: bool) -> User:
        def run(db: sqlite3.Connection) -> User:
            try:
                cur = db.execute(
                    "INSERT INTO users(name, password_hash, admin, created_at, first_id)"
                    f" VALUES (?, ?, ?, ?, {_NEWEST_ID})",
                    (name, password_hash, int(admin), utc_now_iso()),
                )
            except sqlite3.IntegrityError:
                raise Conflict(f"a user named {name!r} already exists") from None
            assert cur.lastrowid is not None
            return User(id=cur.lastrowid, name=name, admin=admin, has_password=password_hash is not None)

        return await self._run(run)

    async def get_user(self, name: str) -> User | None:
        def run(db: sqlite3.Connection) -> User | None:
            row = db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
            return _user(row) if row else None

        return await self._run(run)

    async def get_users(self, names: Sequence[str]) -> list[User]:
        # The names as one JSON array: one statement, prepared once, for any number of names (an
        # `IN (?, ?, ...)` is a statement per length, compiled again each time).
        asked = json.dumps(list(names))
        return await self._run(
            lambda db: [
                _user(r)
                for r in db.execute("SELECT * FROM users WHERE name IN (SELECT value FROM json_each(?))", (asked,))
            ]
        )

    async def get_user_by_id(self, user_id: int) -> User | None:
        def run(db: sqlite3.Connection) -> User | None:
            row = db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
            return _user(row) if row else None

        return await self._run(run)

    async def password_hash(self, name: str) -> str | None:
        def run(db: sqlite3.Connection) -> str | None:
            row = db.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
            return row[0] if row else None

        return await self._run(run)

    async def list_users(self) -> list[User]:
        return await self._run(lambda db: [_user(r) for r in db.execute("SELECT * FROM users ORDER BY name")])

    async def remove_user(self, name: str) -> bool:
        def run(db: sqlite3.Connection) -> bool:
            row = db.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                return False
            with _transaction(db):
                now = time.time()
                for (token_id,) in db.execute("SELECT id FROM tokens WHERE user_id = ?", (row[0],)).fetchall():
                    db.execute("INSERT INTO revocations(token_id, at) VALUES (?, ?)", (token_id, now))
                db.execute("DELETE FROM users WHERE id = ?", (row[0],))
                db.execute(_ORPHANS)
            return True

        return await self._run(run)

    async def set_password(self, name: str, password_hash: str) -> bool:
        def run(db: sqlite3.Connection) -> bool:
            cur = db.execute("UPDATE users SET password_hash = ? WHERE name = ?", (password_hash, name))
            return cur.rowcount > 0

        return await self._run(run)

    async def ensure_user(self, name: str) -> User:
        def run(db: sqlite3.Connection) -> User:
            db.execute(
                "INSERT OR IGNORE INTO users(name, password_hash, admin, created_at, first_id)"
                f" VALUES (?, NULL, 0, ?, {_NEWEST_ID})",
                (name, utc_now_iso()),
            )
            return _user(db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone())

        return await self._run(run)

    # ------------------------------------------------------------------ tokens

    async def create_token(self, user_id: int, token_hash: str, label: str, kind: TokenKind) -> TokenInfo:
        def run(db: sqlite3.Connection) -> TokenInfo:
            cur = db.execute(
                "INSERT INTO tokens(user_id, token_hash, label, kind, created_at) VALUES (?, ?, ?, ?, ?)",
                (user_id, token_hash, label, kind.value, utc_now_iso()),
            )
            return _token(db.execute("SELECT * FROM tokens WHERE id = ?", (cur.lastrowid,)).fetchone())

        return await self._run(run)

    async def token_by_hash(self, token_hash: str) -> tuple[TokenInfo, User] | None:
        def run(db: sqlite3.Connection) -> tuple[TokenInfo, User] | None:
            row = db.execute(
                "SELECT * FROM tokens WHERE token_hash = ? AND revoked_at IS NULL", (token_hash,)
            ).fetchone()
            if row is None:
                return None
            now = utc_now_iso()
            if last_use_is_stale(row["last_used_at"], now):
                db.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?", (now, row["id"]))
            user = db.execute("SELECT * FROM users WHERE id = ?", (row["user_id"],)).fetchone()
            return (_token(row), _user(user)) if user else None

        return await self._run(run)

    async def list_tokens(self, user_id: int) -> list[TokenInfo]:
        return await self._run(
            lambda db: [_token(r) for r in db.execute("SELECT * FROM tokens WHERE user_id = ? ORDER BY id", (user_id,))]
        )

    async def revoke_token(self, token_id: int) -> TokenInfo | None:
        def run(db: sqlite3.Connection) -> TokenInfo | None:
            row = db.execute("SELECT * FROM tokens WHERE id = ?", (token_id,)).fetchone()
            if row is None:
                return None
            if row["revoked_at"] is None:
                with _transaction(db):
                    db.execute("UPDATE tokens SET revoked_at = ? WHERE id = ?", (utc_now_iso(), token_id))
                    db.execute("INSERT INTO revocations(token_id, at) VALUES (?, ?)", (token_id, time.time()))
            return _token(db.execute("SELECT * FROM tokens WHERE id = ?", (token_id,)).fetchone())

        return await self._run(run)

    async def revocations_after(self, seq: int) -> tuple[int, list[int]]:
        def run(db: sqlite3.Connection) -> tuple[int, list[int]]:
            rows = db.execute("SELECT seq, token_id FROM revocations WHERE seq > ? ORDER BY seq", (seq,)).fetchall()
            newest = rows[-1][0] if rows else max(seq, 0)
            if seq < 0:  # first look: only learn where the log is
                return newest, []
            return newest, [r[1] for r in rows]

        return await self._run(run)

    # ------------------------------------------------------------------ rooms

    async def create_room(self, name: str, *, restricted: bool, members: Sequence[int]) -> Room:
        def run(db: sqlite3.Connection) -> Room:
            with _transaction(db):
                found = db.execute("SELECT made_by FROM rooms WHERE name = ?", (name,)).fetchone()
                if found is not None and found[0] is None:
                    raise Conflict(f"a room named {name!r} already exists")
                if found is not None:  # made by a user by joining: the admin takes it over
                    db.execute(
                        "UPDATE rooms SET restricted = ?, made_by = NULL WHERE name = ?", (int(restricted), name)
                    )
                    if restricted:
                        db.execute("DELETE FROM room_members WHERE room = ?", (name,))
                else:
                    db.execute(
                        "INSERT INTO rooms(name, restricted, created_at) VALUES (?, ?, ?)",
                        (name, int(restricted), utc_now_iso()),
                    )
                for user_id in members:
                    db.execute("INSERT OR IGNORE INTO room_access(room, user_id) VALUES (?, ?)", (name, user_id))
                    db.execute(
                        "INSERT OR IGNORE INTO room_members(room, user_id, joined_at) VALUES (?, ?, ?)",
                        (name, user_id, utc_now_iso()),
                    )
            room = _room(db, name)
            assert room is not None
            return room

        return await self._run(run)

    async def get_room(self, name: str) -> Room | None:
        return await self._run(lambda db: _room(db, name))

    async def list_rooms(self, after: str = "", limit: int | None = None) -> list[Room]:
        def run(db: sqlite3.Connection) -> list[Room]:
            rows = db.execute(
                "SELECT name FROM rooms WHERE name > ? ORDER BY name LIMIT ?", (after, -1 if limit is None else limit)
            )
            names = [r[0] for r in rows]
            return [room for name in names if (room := _room(db, name)) is not None]

        return await self._run(run)

    async def remove_room(self, name: str) -> bool:
        return await self._run(lambda db: db.execute("DELETE FROM rooms WHERE name = ?", (name,)).rowcount > 0)

    async def may_join(self, room: str, user_id: int) -> bool:
        def run(db: sqlite3.Connection) -> bool:
            row = db.execute("SELECT restricted FROM rooms WHERE name = ?", (room,)).fetchone()
            if row is None or not row[0]:
                return True
            return (
                db.execute("SELECT 1 FROM room_access WHERE room = ? AND user_id = ?", (room, user_id)).fetchone()
                is not None
            )

        return await self._run(run)

    async def join_room(self, room: str, user_id: int) -> bool:
        def run(db: sqlite3.Connection) -> bool:
            with _transaction(db):
                db.execute(
                    "INSERT OR IGNORE INTO rooms(name, restricted, created_at, made_by) VALUES (?, 0, ?, ?)",
                    (room, utc_now_iso(), user_id),
                )
                cur = db.execute(
                    "INSERT OR IGNORE INTO room_members(room, user_id, joined_at) VALUES (?, ?, ?)",
                    (room, user_id, utc_now_iso()),
                )
            return cur.rowcount > 0

        return await self._run(run)

    async def leave_room(self, room: str, user_id: int) -> bool:
        def run(db: sqlite3.Connection) -> bool:
            with _transaction(db):
                left = db.execute("DELETE FROM room_members WHERE room = ? AND user_id = ?", (room, user_id)).rowcount
                db.execute(
                    "DELETE FROM rooms WHERE name = ? AND made_by IS NOT NULL"
                    " AND NOT EXISTS (SELECT 1 FROM room_members WHERE room = ?)",
                    (room, room),
                )
            return left > 0

        return await self._run(run)

    async def rooms_made_by(self, user_id: int) -> int:
        return await self._run(
            lambda db: int(db.execute("SELECT COUNT(*) FROM rooms WHERE made_by = ?", (user_id,)).fetchone()[0])
        )

    async def rooms_of(self, user_id: int) -> list[str]:
        return await self._run(
            lambda db: [
                r[0] for r in db.execute("SELECT room FROM room_members WHERE user_id = ? ORDER BY room", (user_id,))
            ]
        )

    # ------------------------------------------------------------------ notifications

    async def add(self, drafts: Sequence[NewNotification]) -> list[Stored]:
        def run(db: sqlite3.Connection) -> list[Stored]:
            out: list[Stored] = []
            rows: list[tuple[Any, ...]] = []
            inbox: list[tuple[int, int]] = []
            everyone: tuple[int, ...] | None = None
            with _transaction(db):
                # The writer holds the file (BEGIN IMMEDIATE): the next ids are the newest one's followers.
                nid = int(db.execute(f"SELECT {_NEWEST_ID}").fetchone()[0])
                for d in drafts:
                    nid += 1
                    to_everyone = d.kind in TO_EVERYONE
                    if to_everyone:  # one row, whoever the users are: no inbox rows
                        if everyone is None:
                            everyone = tuple(r[0] for r in db.execute("SELECT id FROM users"))
                        recipients: tuple[int, ...] = everyone
                    elif d.kind is Kind.DIRECT:
                        recipients = (d.to_user_id,) if d.to_user_id is not None else ()
                    else:
                        recipients = tuple(
                            r[0]
                            for r in db.execute("SELECT user_id FROM room_members WHERE room = ?", (d.room,))
                            if r[0] != d.about_user_id
                        )
                    rows.append(
                        (
                            nid,
                            d.kind.value,
                            d.type.value,
                            d.title,
                            d.message,
                            d.sender,
                            d.room,
                            d.timestamp,
                            to_everyone,
                        )
                    )
                    if not to_everyone and d.kind not in LIVE_ONLY:
                        inbox.extend((u, nid) for u in recipients)
                    note = Notification(
                        id=nid,
                        kind=d.kind,
                        type=d.type,
                        title=d.title,
                        message=d.message,
                        sender=d.sender,
                        room=d.room,
                        timestamp=d.timestamp,
                    )
                    out.append(Stored(note, recipients))
                _insert_many(
                    db, "notifications(id, kind, type, title, message, sender, room, created_at, everyone)", rows
                )
                _insert_many(db, "inbox(user_id, notification_id)", inbox)
            return out

        return await self._run(run)

    async def replay(self, user_id: int, after_id: int, limit: int) -> list[Notification]:
        def run(db: sqlite3.Connection) -> list[Notification]:
            rows = db.execute(
                f"SELECT {_NOTIFICATION_COLUMNS} FROM inbox i JOIN notifications n ON n.id = i.notification_id"
                " WHERE i.user_id = ?1 AND i.notification_id > ?2"
                f" UNION ALL SELECT {_NOTIFICATION_COLUMNS} FROM notifications n"
                f" WHERE {_EVERYONE_AFTER_FLOOR} AND n.id > ?2"
                " ORDER BY 1 LIMIT ?3",
                (user_id, after_id, limit),
            ).fetchall()
            return [_notification(r) for r in rows]

        return await self._run(run)

    async def history(self, user_id: int, after_id: int, limit: int) -> list[Notification]:
        return await self.replay(user_id, after_id, limit)

    async def pruned_upto(self, user_id: int) -> int:
        def run(db: sqlite3.Connection) -> int:
            row = db.execute("SELECT pruned_upto FROM users WHERE id = ?", (user_id,)).fetchone()
            if row is None:
                raise NotFound("no such user")
            return int(row[0])

        return await self._run(run)

    async def prune(self, *, keep_days: int, keep_count: int, now: str) -> PruneResult:
        cutoff = _days_before(now, keep_days)

        def run(db: sqlite3.Connection) -> PruneResult:
            removed = 0
            with _transaction(db):
                for (user_id,) in db.execute("SELECT id FROM users").fetchall():
                    # The user's notifications: inbox rows, and those to everyone after their floor.
                    mine = (
                        "SELECT i.notification_id AS id, n.created_at AS at FROM inbox i"
                        " JOIN notifications n ON n.id = i.notification_id WHERE i.user_id = ?1"
                        f" UNION ALL SELECT n.id, n.created_at FROM notifications n WHERE {_EVERYONE_AFTER_FLOOR}"
                    )
                    by_count = db.execute(
                        f"SELECT id FROM ({mine}) ORDER BY id DESC LIMIT 1 OFFSET ?2", (user_id, keep_count)
                    ).fetchone()
                    by_age = db.execute(f"SELECT MAX(id) FROM ({mine}) WHERE at < ?2", (user_id, cutoff)).fetchone()
                    boundary = max(by_count[0] if by_count else 0, by_age[0] or 0)
                    if boundary <= 0:
                        continue
                    removed += db.execute(
                        f"SELECT COUNT(*) FROM notifications n WHERE {_EVERYONE_AFTER_FLOOR} AND n.id <= ?2",
                        (user_id, boundary),
                    ).fetchone()[0]
                    cur = db.execute(
                        "DELETE FROM inbox WHERE user_id = ? AND notification_id <= ?", (user_id, boundary)
                    )
                    removed += cur.rowcount
                    db.execute("UPDATE users SET pruned_upto = MAX(pruned_upto, ?) WHERE id = ?", (boundary, user_id))
                # A notification to everyone goes once no user has it any more (all of them, with no users).
                gone = db.execute(
                    "DELETE FROM notifications WHERE everyone = 1 AND id <= COALESCE("
                    "(SELECT MIN(MAX(first_id, pruned_upto)) FROM users), (SELECT MAX(id) FROM notifications))"
                ).rowcount
                gone += db.execute(_ORPHANS).rowcount
            return PruneResult(removed_deliveries=removed, removed_notifications=gone)

        return await self._run(run)

    # ------------------------------------------------------------------ cursors

    async def cursor(self, device: str, user_id: int) -> int:
        def run(db: sqlite3.Connection) -> int:
            row = db.execute("SELECT last_id FROM cursors WHERE device = ?", (device,)).fetchone()
            if row is not None:
                return int(row[0])
            start = db.execute("SELECT pruned_upto FROM users WHERE id = ?", (user_id,)).fetchone()
            last_id = int(start[0]) if start else 0
            db.execute("INSERT INTO cursors(device, user_id, last_id) VALUES (?, ?, ?)", (device, user_id, last_id))
            return last_id

        return await self._run(run)

    async def save_cursors(self, cursors: dict[str, tuple[int, int]]) -> None:
        if not cursors:
            return
        rows = [(device, user_id, last_id) for device, (user_id, last_id) in cursors.items()]

        def run(db: sqlite3.Connection) -> None:
            # Every device that was sent something moves its cursor: a thousand rows each second
            # under load, one statement per 64 (see `_insert_many`).
            with _transaction(db):
                _insert_many(
                    db,
                    "cursors(device, user_id, last_id)",
                    rows,
                    then=" ON CONFLICT(device) DO UPDATE SET last_id = MAX(last_id, excluded.last_id)",
                )

        await self._run(run)


#: Rows per INSERT statement, at most (SQLite builds before 3.32 take at most 999 parameters).
_ROWS_PER_INSERT = 64


def _insert_many(db: sqlite3.Connection, into: str, rows: Sequence[tuple[Any, ...]], *, then: str = "") -> None:
    """INSERT rows with multi-row VALUES: one statement step per 64 rows. `executemany` takes
    a step, and gives up and takes back the GIL, per row; the event loop's thread holds the GIL
    most of the time under load, so each row waited for it (a batch of 1,000 notifications took
    ~150 ms on the store's thread). `then` follows the VALUES (an ON CONFLICT clause).

    The rows go in pieces of 64, 32, 16, ..., 1: seven statements per table, which stay prepared in
    sqlite3's statement cache. With pieces of any size, almost every batch ended in a statement of
    its own, compiled again (~70 µs for fifty rows), and the cache (128 statements) filled with a few
    MB of them."""
    if not rows:
        return
    width = len(rows[0])
    start, left = 0, len(rows)
    while left:
        size = min(_ROWS_PER_INSERT, 1 << (left.bit_length() - 1))
        db.execute(_insert_sql(into, width, size, then), [v for row in rows[start : start + size] for v in row])
        start += size
        left -= size


@functools.cache
def _insert_sql(into: str, width: int, size: int, then: str) -> str:
    values = ", ".join(["(" + ", ".join("?" * width) + ")"] * size)
    return f"INSERT INTO {into} VALUES {values}{then}"


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT (or ROLLBACK) on an autocommit connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _room(db: sqlite3.Connection, name: str) -> Room | None:
    row = db.execute(
        "SELECT r.name, r.restricted, u.name FROM rooms r LEFT JOIN users u ON u.id = r.made_by WHERE r.name = ?",
        (name,),
    ).fetchone()
    if row is None:
        return None
    members = tuple(
        r[0]
        for r in db.execute(
            "SELECT u.name FROM room_members m JOIN users u ON u.id = m.user_id WHERE m.room = ? ORDER BY u.name",
            (name,),
        )
    )
    return Room(name=row[0], restricted=bool(row[1]), members=members, made_by=row[2])


def _days_before(now_iso: str, days: int) -> str:
    from datetime import datetime, timedelta

    now = datetime.fromisoformat(now_iso.replace("Z", "+00:00"))
    return (now - timedelta(days=days)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
