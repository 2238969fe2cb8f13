"""The shared store: PostgreSQL through an asyncpg connection pool, for several hubs at once.

Same interface and semantics as the SQLite store. Two things matter for a cluster:

- Notification ids follow commit order. Every batch locks the one `notification_head` row, takes
  the next ids after it and moves it on, in one transaction (group commit). So when a reader sees
  id N, every id below N is committed too, and each batch is a link `(prev, head]` of one chain
  the hubs use to notice what they missed (see `hub.cluster`).
- A lost database is `Unavailable` (wire code `unavailable`), never a silent success; the pool
  reconnects by itself when the server comes back.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import asyncpg

from hub.errors import Conflict
from hub.store.base import (
    Room,
    Stored,
    TokenInfo,
    TokenKind,
    User,
    last_use_is_stale,
)
from hub.store.delegate import HandsOnNotifications
from hub.store.postgres.answers import PgAnswers
from hub.store.postgres.edits import PgEdits
from hub.store.postgres.notifications import PgNotifications
from hub.store.postgres.pool import PgPool, count_rows
from hub.store.postgres.reads import PgReads
from hub.store.postgres.schedule import PgSchedule
from hub.store.rows import token_from_row, user_from_row
from hub.store.schema import POSTGRES, orphans
from hub.timeutil import utc_now_iso

#: Advisory lock taken by writers of the revocation log, so its sequence follows commit order.
REVOCATION_LOCK = 0x6C6E_7276  # "lnrv"


class PostgresStore(HandsOnNotifications):
    """Accounts, tokens and rooms here; notifications and cursors in `PgNotifications`; the pool in `PgPool`."""

    notifications: PgNotifications
    answers: PgAnswers
    edits: PgEdits
    reads: PgReads
    schedule: PgSchedule

    def __init__(self, dsn: str, *, min_size: int = 1, max_size: int = 10, timeout: float = 5.0) -> None:
        self.dsn = dsn
        self.pool = PgPool(dsn, min_size=min_size, max_size=max_size, timeout=timeout)
        self.notifications = PgNotifications(self.pool)
        self.answers = PgAnswers(self.pool)
        self.edits = PgEdits(self.pool)
        self.reads = PgReads(self.pool)
        self.schedule = PgSchedule(self.pool)

    def __repr__(self) -> str:
        return f"PostgresStore({self.where()!r})"

    async def open(self) -> None:
        await self.pool.open()

    async def close(self) -> None:
        await self.pool.close()

    async def check(self) -> None:
        await self.pool.check()

    def where(self) -> str:
        """The database's URL without its password, for logs."""
        return self.pool.where()

    # ------------------------------------------------------------------ accounts

    async def create_user(self, name: str, password_hash: str | None, *, admin: bool) -> User:
        async with self.pool.conn() as conn:
            try:
                row = await conn.fetchrow(
                    "INSERT INTO users(name, password_hash, admin, created_at, first_id)"
                    " VALUES ($1, $2, $3, $4, (SELECT last_id FROM notification_head)) RETURNING *",
                    name,
                    password_hash,
                    admin,
                    utc_now_iso(),
                )
            except asyncpg.UniqueViolationError:
                raise Conflict(f"a user named {name!r} already exists") from None
        return user_from_row(row)

    async def get_user(self, name: str) -> User | None:
        async with self.pool.conn() as conn:
            row = await conn.fetchrow("SELECT * FROM users WHERE name = $1", name)
        return user_from_row(row) if row else None

    async def get_users(self, names: Sequence[str]) -> list[User]:
        async with self.pool.conn() as conn:
            return [
                user_from_row(r)
                for r in await conn.fetch("SELECT * FROM users WHERE name = ANY($1::text[])", list(names))
            ]

    async def get_user_by_id(self, user_id: int) -> User | None:
        async with self.pool.conn() as conn:
            row = await conn.fetchrow("SELECT * FROM users WHERE id = $1", user_id)
        return user_from_row(row) if row else None

    async def password_hash(self, name: str) -> str | None:
        async with self.pool.conn() as conn:
            value: str | None = await conn.fetchval("SELECT password_hash FROM users WHERE name = $1", name)
        return value

    async def list_users(self) -> list[User]:
        async with self.pool.conn() as conn:
            return [user_from_row(r) for r in await conn.fetch("SELECT * FROM users ORDER BY name")]

    async def remove_user(self, name: str) -> bool:
        async with self.pool.tx() as conn:
            user_id = await conn.fetchval("SELECT id FROM users WHERE name = $1 FOR UPDATE", name)
            if user_id is None:
                return False
            await conn.execute("SELECT pg_advisory_xact_lock($1)", REVOCATION_LOCK)
            await conn.execute(
                "INSERT INTO revocations(token_id, at) SELECT id, $2 FROM tokens WHERE user_id = $1 ORDER BY id",
                user_id,
                time.time(),
            )
            await conn.execute("DELETE FROM users WHERE id = $1", user_id)
            await conn.execute(orphans(POSTGRES))
        return True

    async def set_password(self, name: str, password_hash: str, *, expected: str | None = None) -> bool:
        async with self.pool.conn() as conn:
            if expected is None:
                status = await conn.execute("UPDATE users SET password_hash = $1 WHERE name = $2", password_hash, name)
            else:
                status = await conn.execute(
                    "UPDATE users SET password_hash = $1 WHERE name = $2 AND password_hash = $3",
                    password_hash,
                    name,
                    expected,
                )
        return count_rows(status) > 0

    async def ensure_user(self, name: str) -> User:
        async with self.pool.conn() as conn:
            await conn.execute(
                "INSERT INTO users(name, password_hash, admin, created_at, first_id)"
                " VALUES ($1, NULL, false, $2, (SELECT last_id FROM notification_head)) ON CONFLICT (name) DO NOTHING",
                name,
                utc_now_iso(),
            )
            row = await conn.fetchrow("SELECT * FROM users WHERE name = $1", name)
        return user_from_row(row)

    # ------------------------------------------------------------------ tokens

    async def create_token(self, user_id: int, token_hash: str, label: str, kind: TokenKind) -> TokenInfo:
        async with self.pool.conn() as conn:
            row = await conn.fetchrow(
                "INSERT INTO tokens(user_id, token_hash, label, kind, created_at) VALUES ($1, $2, $3, $4, $5)"
                " RETURNING *",
                user_id,
                token_hash,
                label,
                kind.value,
                utc_now_iso(),
            )
        return token_from_row(row)

    async def token_by_hash(self, token_hash: str) -> tuple[TokenInfo, User] | None:
        async with self.pool.conn() as conn:
            row = await conn.fetchrow("SELECT * FROM tokens WHERE token_hash = $1 AND revoked_at IS NULL", token_hash)
            if row is None:
                return None
            now = utc_now_iso()
            if last_use_is_stale(row["last_used_at"], now):
                await conn.execute("UPDATE tokens SET last_used_at = $2 WHERE id = $1", row["id"], now)
            user = await conn.fetchrow("SELECT * FROM users WHERE id = $1", row["user_id"])
        return (token_from_row(row), user_from_row(user)) if user else None

    async def list_tokens(self, user_id: int) -> list[TokenInfo]:
        async with self.pool.conn() as conn:
            return [
                token_from_row(r)
                for r in await conn.fetch("SELECT * FROM tokens WHERE user_id = $1 ORDER BY id", user_id)
            ]

    async def revoke_token(self, token_id: int) -> TokenInfo | None:
        async with self.pool.tx() as conn:
            row = await conn.fetchrow("SELECT * FROM tokens WHERE id = $1 FOR UPDATE", token_id)
            if row is None:
                return None
            if row["revoked_at"] is None:
                await conn.execute("SELECT pg_advisory_xact_lock($1)", REVOCATION_LOCK)
                row = await conn.fetchrow(
                    "UPDATE tokens SET revoked_at = $2 WHERE id = $1 RETURNING *", token_id, utc_now_iso()
                )
                await conn.execute("INSERT INTO revocations(token_id, at) VALUES ($1, $2)", token_id, time.time())
        return token_from_row(row)

    async def revocations_after(self, seq: int) -> tuple[int, list[int]]:
        async with self.pool.conn() as conn:
            rows = await conn.fetch("SELECT seq, token_id FROM revocations WHERE seq > $1 ORDER BY seq", seq)
        newest = rows[-1][0] if rows else max(seq, 0)
        if seq < 0:
            return newest, []
        return newest, [r[1] for r in rows]

    # ------------------------------------------------------------------ rooms

    async def create_room(self, name: str, *, restricted: bool, members: Sequence[int]) -> Room:
        async with self.pool.tx() as conn:
            found = await conn.fetchrow("SELECT made_by FROM rooms WHERE name = $1 FOR UPDATE", name)
            if found is not None and found[0] is None:
                raise Conflict(f"a room named {name!r} already exists")
            if found is not None:  # made by a user by joining: the admin takes it over
                await conn.execute("UPDATE rooms SET restricted = $1, made_by = NULL WHERE name = $2", restricted, name)
                if restricted:
                    await conn.execute("DELETE FROM room_members WHERE room = $1", name)
            else:
                try:
                    await conn.execute(
                        "INSERT INTO rooms(name, restricted, created_at) VALUES ($1, $2, $3)",
                        name,
                        restricted,
                        utc_now_iso(),
                    )
                except asyncpg.UniqueViolationError:
                    raise Conflict(f"a room named {name!r} already exists") from None
            now = utc_now_iso()
            for user_id in members:
                await conn.execute(
                    "INSERT INTO room_access(room, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", name, user_id
                )
                await conn.execute(
                    "INSERT INTO room_members(room, user_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    name,
                    user_id,
                    now,
                )
            room = await _room(conn, name)
        assert room is not None
        return room

    async def get_room(self, name: str) -> Room | None:
        async with self.pool.conn() as conn:
            return await _room(conn, name)

    async def list_rooms(self, after: str = "", limit: int | None = None) -> list[Room]:
        async with self.pool.conn() as conn:
            rows = await conn.fetch(f"{_ROOMS} WHERE r.name > $1 ORDER BY r.name LIMIT $2", after, limit)
        return [_room_from_row(r) for r in rows]

    async def remove_room(self, name: str) -> bool:
        async with self.pool.conn() as conn:
            return count_rows(await conn.execute("DELETE FROM rooms WHERE name = $1", name)) > 0

    async def may_join(self, room: str, user_id: int) -> bool:
        async with self.pool.conn() as conn:
            restricted = await conn.fetchval("SELECT restricted FROM rooms WHERE name = $1", room)
            if not restricted:
                return True
            found = await conn.fetchval("SELECT 1 FROM room_access WHERE room = $1 AND user_id = $2", room, user_id)
        return found is not None

    async def join_room(self, room: str, user_id: int) -> bool:
        async with self.pool.tx() as conn:
            now = utc_now_iso()
            await conn.execute(
                "INSERT INTO rooms(name, restricted, created_at, made_by) VALUES ($1, false, $2, $3)"
                " ON CONFLICT DO NOTHING",
                room,
                now,
                user_id,
            )
            status = await conn.execute(
                "INSERT INTO room_members(room, user_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                room,
                user_id,
                now,
            )
        return count_rows(status) > 0

    async def leave_room(self, room: str, user_id: int) -> bool:
        async with self.pool.tx() as conn:
            status = await conn.execute("DELETE FROM room_members WHERE room = $1 AND user_id = $2", room, user_id)
            await conn.execute(
                "DELETE FROM rooms WHERE name = $1 AND made_by IS NOT NULL"
                " AND NOT EXISTS (SELECT 1 FROM room_members WHERE room = $1)",
                room,
            )
        return count_rows(status) > 0

    async def rooms_made_by(self, user_id: int) -> int:
        async with self.pool.conn() as conn:
            return int(await conn.fetchval("SELECT count(*) FROM rooms WHERE made_by = $1", user_id))

    async def rooms_of(self, user_id: int) -> list[str]:
        async with self.pool.conn() as conn:
            return [
                r[0]
                for r in await conn.fetch("SELECT room FROM room_members WHERE user_id = $1 ORDER BY room", user_id)
            ]

    # ------------------------------------------------------------------ the chain of ids (the cluster reads it)

    async def head(self) -> int:
        return await self.notifications.head()

    async def integrity_check(self) -> str:
        return await self.notifications.integrity_check()

    async def stored_between(self, after_id: int, upto_id: int, limit: int) -> list[Stored]:
        return await self.notifications.stored_between(after_id, upto_id, limit)


#: Rooms with who made them and their members' names (by name): one statement for any number of rooms.
_ROOMS = (
    "SELECT r.name, r.restricted, u.name, ARRAY("
    "SELECT mu.name FROM room_members m JOIN users mu ON mu.id = m.user_id WHERE m.room = r.name ORDER BY mu.name)"
    " FROM rooms r LEFT JOIN users u ON u.id = r.made_by"
)


def _room_from_row(row: Any) -> Room:
    return Room(name=row[0], restricted=row[1], members=tuple(row[3]), made_by=row[2])


async def _room(conn: Any, name: str) -> Room | None:
    row = await conn.fetchrow(f"{_ROOMS} WHERE r.name = $1", name)
    return _room_from_row(row) if row is not None else None
