"""The embedded store: SQLite (WAL, synchronous=FULL) on one dedicated thread, for one hub.

Accounts, device tokens and rooms here; notifications and delivery cursors in `SqliteNotifications`;
the thread, the connection and the shared statements in `StoreThread`.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from hub.errors import Conflict
from hub.store.base import (
    Room,
    TokenInfo,
    TokenKind,
    User,
    last_use_is_stale,
)
from hub.store.delegate import HandsOnNotifications
from hub.store.rows import token_from_row, user_from_row
from hub.store.schema import SQLITE, orphans
from hub.store.sqlite.answers import SqliteAnswers
from hub.store.sqlite.checkpoint import CheckpointPolicy
from hub.store.sqlite.edits import SqliteEdits
from hub.store.sqlite.notifications import SqliteNotifications
from hub.store.sqlite.reads import SqliteReads
from hub.store.sqlite.schedule import SqliteSchedule
from hub.store.sqlite.thread import NEWEST_ID, StoreThread, transaction
from hub.timeutil import utc_now_iso


class SqliteStore(HandsOnNotifications):
    """Accounts, tokens and rooms here; notifications and cursors in `SqliteNotifications`; the thread
    and its connection in `StoreThread`."""

    notifications: SqliteNotifications
    answers: SqliteAnswers
    edits: SqliteEdits
    reads: SqliteReads
    schedule: SqliteSchedule

    def __init__(self, path: Path, checkpoints: CheckpointPolicy | None = None) -> None:
        self.path = path
        self._thread = StoreThread(path, checkpoints)
        self._run = self._thread.run
        self.notifications = SqliteNotifications(self._thread)
        self.answers = SqliteAnswers(self._thread)
        self.edits = SqliteEdits(self._thread)
        self.reads = SqliteReads(self._thread)
        self.schedule = SqliteSchedule(self._thread)

    async def open(self) -> None:
        await self._thread.open()

    async def close(self) -> None:
        await self._thread.close()

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
                    f" VALUES (?, ?, ?, ?, {NEWEST_ID})",
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
            return user_from_row(row) if row else None

        return await self._run(run)

    async def get_users(self, names: Sequence[str]) -> list[User]:
        # The names as one JSON array: one statement, prepared once, for any number of names (an
        # `IN (?, ?, ...)` is a statement per length, compiled again each time).
        asked = json.dumps(list(names))
        return await self._run(
            lambda db: [
                user_from_row(r)
                for r in db.execute("SELECT * FROM users WHERE name IN (SELECT value FROM json_each(?))", (asked,))
            ]
        )

    async def get_user_by_id(self, user_id: int) -> User | None:
        def run(db: sqlite3.Connection) -> User | None:
            row = db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
            return user_from_row(row) if row else None

        return await self._run(run)

    async def password_hash(self, name: str) -> str | None:
        def run(db: sqlite3.Connection) -> str | None:
            row = db.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
            return row[0] if row else None

        return await self._run(run)

    async def list_users(self) -> list[User]:
        return await self._run(lambda db: [user_from_row(r) for r in db.execute("SELECT * FROM users ORDER BY name")])

    async def remove_user(self, name: str) -> bool:
        def run(db: sqlite3.Connection) -> bool:
            row = db.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                return False
            with transaction(db):
                now = time.time()
                for (token_id,) in db.execute("SELECT id FROM tokens WHERE user_id = ?", (row[0],)).fetchall():
                    db.execute("INSERT INTO revocations(token_id, at) VALUES (?, ?)", (token_id, now))
                db.execute("DELETE FROM users WHERE id = ?", (row[0],))
                db.execute(orphans(SQLITE))
            return True

        return await self._run(run)

    async def set_password(self, name: str, password_hash: str, *, expected: str | None = None) -> bool:
        def run(db: sqlite3.Connection) -> bool:
            if expected is None:
                cur = db.execute("UPDATE users SET password_hash = ? WHERE name = ?", (password_hash, name))
            else:
                cur = db.execute(
                    "UPDATE users SET password_hash = ? WHERE name = ? AND password_hash = ?",
                    (password_hash, name, expected),
                )
            return cur.rowcount > 0

        return await self._run(run)

    async def ensure_user(self, name: str) -> User:
        def run(db: sqlite3.Connection) -> User:
            db.execute(
                "INSERT OR IGNORE INTO users(name, password_hash, admin, created_at, first_id)"
                f" VALUES (?, NULL, 0, ?, {NEWEST_ID})",
                (name, utc_now_iso()),
            )
            return user_from_row(db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone())

        return await self._run(run)

    # ------------------------------------------------------------------ tokens

    async def create_token(self, user_id: int, token_hash: str, label: str, kind: TokenKind) -> TokenInfo:
        def run(db: sqlite3.Connection) -> TokenInfo:
            cur = db.execute(
                "INSERT INTO tokens(user_id, token_hash, label, kind, created_at) VALUES (?, ?, ?, ?, ?)",
                (user_id, token_hash, label, kind.value, utc_now_iso()),
            )
            return token_from_row(db.execute("SELECT * FROM tokens WHERE id = ?", (cur.lastrowid,)).fetchone())

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
            return (token_from_row(row), user_from_row(user)) if user else None

        return await self._run(run)

    async def list_tokens(self, user_id: int) -> list[TokenInfo]:
        return await self._run(
            lambda db: [
                token_from_row(r) for r in db.execute("SELECT * FROM tokens WHERE user_id = ? ORDER BY id", (user_id,))
            ]
        )

    async def revoke_token(self, token_id: int) -> TokenInfo | None:
        def run(db: sqlite3.Connection) -> TokenInfo | None:
            row = db.execute("SELECT * FROM tokens WHERE id = ?", (token_id,)).fetchone()
            if row is None:
                return None
            if row["revoked_at"] is None:
                with transaction(db):
                    db.execute("UPDATE tokens SET revoked_at = ? WHERE id = ?", (utc_now_iso(), token_id))
                    db.execute("INSERT INTO revocations(token_id, at) VALUES (?, ?)", (token_id, time.time()))
            return token_from_row(db.execute("SELECT * FROM tokens WHERE id = ?", (token_id,)).fetchone())

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
            with transaction(db):
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
                f"{_ROOMS} WHERE r.name > ? ORDER BY r.name LIMIT ?", (after, -1 if limit is None else limit)
            )
            return [_room_from_row(r) for r in rows]

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
            with transaction(db):
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
            with transaction(db):
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


#: Rooms with who made them and their members' names (a JSON array; sorted again after, as SQLite
#: does not promise an aggregate's order): one statement for any number of rooms.
_ROOMS = (
    "SELECT r.name, r.restricted, u.name, (SELECT json_group_array(name) FROM"
    " (SELECT mu.name FROM room_members m JOIN users mu ON mu.id = m.user_id WHERE m.room = r.name ORDER BY mu.name))"
    " FROM rooms r LEFT JOIN users u ON u.id = r.made_by"
)


def _room_from_row(row: sqlite3.Row) -> Room:
    return Room(name=row[0], restricted=bool(row[1]), members=tuple(sorted(json.loads(row[3]))), made_by=row[2])


def _room(db: sqlite3.Connection, name: str) -> Room | None:
    row = db.execute(f"{_ROOMS} WHERE r.name = ?", (name,)).fetchone()
    return _room_from_row(row) if row is not None else None
