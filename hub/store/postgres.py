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

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg

from hub.errors import Conflict, NotFound, Unavailable
from hub.protocol import Kind, Notification, NotificationType
from hub.store.base import Draft, PruneResult, Room, Stored, TokenInfo, TokenKind, User
from hub.store.pg_migrations import migrate
from hub.timeutil import utc_now_iso

log = logging.getLogger(__name__)

#: Advisory lock taken by writers of the revocation log, so its sequence follows commit order.
REVOCATION_LOCK = 0x6C6E_7276  # "lnrv"

_NOTIFICATION_COLUMNS = "n.id, n.kind, n.type, n.title, n.message, n.sender, n.room, n.created_at"

#: Errors that mean "the database cannot be reached or used right now".
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
)


@dataclass(frozen=True, slots=True)
class Batch:
    """One committed group of notifications: ids `(prev, head]`, in order."""

    prev: int
    head: int
    stored: list[Stored]


def redact(dsn: str) -> str:
    """The URL without its password, for logs."""
    if "@" not in dsn or "://" not in dsn:
        return dsn
    scheme, rest = dsn.split("://", 1)
    userinfo, host = rest.rsplit("@", 1)
    return f"{scheme}://{userinfo.split(':', 1)[0]}@{host}"


def _notification(row: Any) -> Notification:
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


def _user(row: Any) -> User:
    return User(id=row["id"], name=row["name"], admin=row["admin"], has_password=row["password_hash"] is not None)


def _token(row: Any) -> TokenInfo:
    return TokenInfo(
        id=row["id"],
        user_id=row["user_id"],
        label=row["label"],
        kind=TokenKind(row["kind"]),
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked=row["revoked_at"] is not None,
    )


class PostgresStore:
    def __init__(self, dsn: str, *, min_size: int = 1, max_size: int = 10, timeout: float = 5.0) -> None:
        self.dsn = dsn
        self.timeout = timeout
        self._min_size = min_size
        self._max_size = max_size
        self._pool: asyncpg.Pool | None = None

    def __repr__(self) -> str:
        return f"PostgresStore({redact(self.dsn)!r})"

    # ------------------------------------------------------------------ plumbing

    async def open(self) -> None:
        try:
            self._pool = await asyncpg.create_pool(
                self.dsn,
                min_size=self._min_size,
                max_size=self._max_size,
                timeout=self.timeout,
                command_timeout=max(self.timeout, 10.0),
            )
            async with self._pool.acquire() as conn:
                await migrate(conn)
        except _UNAVAILABLE as exc:
            raise Unavailable(f"cannot reach PostgreSQL at {redact(self.dsn)} ({exc})") from exc

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            try:
                await asyncio.wait_for(pool.close(), self.timeout)
            except _UNAVAILABLE:  # includes TimeoutError
                pool.terminate()

    @asynccontextmanager
    async def _conn(self) -> AsyncIterator[Any]:
        if self._pool is None:
            raise Unavailable("the store is not open")
        try:
            async with self._pool.acquire(timeout=self.timeout) as conn:
                yield conn
        except _UNAVAILABLE as exc:
            log.error("store error: %s", exc)
            raise Unavailable(f"the store cannot be used right now ({type(exc).__name__})") from exc

    @asynccontextmanager
    async def _tx(self) -> AsyncIterator[Any]:
        async with self._conn() as conn, conn.transaction():
            yield conn

    async def check(self) -> None:
        async with self._conn() as conn:
            await conn.fetchval("SELECT 1")

    # ------------------------------------------------------------------ accounts

    async def create_user(self, name: str, password_hash: str | None, *, admin: bool) -> User:
        async with self._conn() as conn:
            try:
                row = await conn.fetchrow(
                    "INSERT INTO users(name, password_hash, admin, created_at) VALUES ($1, $2, $3, $4) RETURNING *",
                    name,
                    password_hash,
                    admin,
                    utc_now_iso(),
                )
            except asyncpg.UniqueViolationError:
                raise Conflict(f"a user named {name!r} already exists") from None
        return _user(row)

    async def get_user(self, name: str) -> User | None:
        async with self._conn() as conn:
            row = await conn.fetchrow("SELECT * FROM users WHERE name = $1", name)
        return _user(row) if row else None

    async def get_user_by_id(self, user_id: int) -> User | None:
        async with self._conn() as conn:
            row = await conn.fetchrow("SELECT * FROM users WHERE id = $1", user_id)
        return _user(row) if row else None

    async def password_hash(self, name: str) -> str | None:
        async with self._conn() as conn:
            value: str | None = await conn.fetchval("SELECT password_hash FROM users WHERE name = $1", name)
        return value

    async def list_users(self) -> list[User]:
        async with self._conn() as conn:
            return [_user(r) for r in await conn.fetch("SELECT * FROM users ORDER BY name")]

    async def remove_user(self, name: str) -> bool:
        async with self._tx() as conn:
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
            await conn.execute(
                "DELETE FROM notifications n WHERE NOT EXISTS (SELECT 1 FROM inbox i WHERE i.notification_id = n.id)"
            )
        return True

    async def set_password(self, name: str, password_hash: str) -> bool:
        async with self._conn() as conn:
            status = await conn.execute("UPDATE users SET password_hash = $1 WHERE name = $2", password_hash, name)
        return _count(status) > 0

    async def ensure_user(self, name: str) -> User:
        async with self._conn() as conn:
            await conn.execute(
                "INSERT INTO users(name, password_hash, admin, created_at) VALUES ($1, NULL, false, $2)"
                " ON CONFLICT (name) DO NOTHING",
                name,
                utc_now_iso(),
            )
            row = await conn.fetchrow("SELECT * FROM users WHERE name = $1", name)
        return _user(row)

    # ------------------------------------------------------------------ tokens

    async def create_token(self, user_id: int, token_hash: str, label: str, kind: TokenKind) -> TokenInfo:
        async with self._conn() as conn:
            row = await conn.fetchrow(
                "INSERT INTO tokens(user_id, token_hash, label, kind, created_at) VALUES ($1, $2, $3, $4, $5)"
                " RETURNING *",
                user_id,
                token_hash,
                label,
                kind.value,
                utc_now_iso(),
            )
        return _token(row)

    async def token_by_hash(self, token_hash: str) -> tuple[TokenInfo, User] | None:
        async with self._conn() as conn:
            row = await conn.fetchrow(
                "UPDATE tokens SET last_used_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL RETURNING *",
                token_hash,
                utc_now_iso(),
            )
            if row is None:
                return None
            user = await conn.fetchrow("SELECT * FROM users WHERE id = $1", row["user_id"])
        return (_token(row), _user(user)) if user else None

    async def list_tokens(self, user_id: int) -> list[TokenInfo]:
        async with self._conn() as conn:
            return [_token(r) for r in await conn.fetch("SELECT * FROM tokens WHERE user_id = $1 ORDER BY id", user_id)]

    async def revoke_token(self, token_id: int) -> TokenInfo | None:
        async with self._tx() as conn:
            row = await conn.fetchrow("SELECT * FROM tokens WHERE id = $1 FOR UPDATE", token_id)
            if row is None:
                return None
            if row["revoked_at"] is None:
                await conn.execute("SELECT pg_advisory_xact_lock($1)", REVOCATION_LOCK)
                row = await conn.fetchrow(
                    "UPDATE tokens SET revoked_at = $2 WHERE id = $1 RETURNING *", token_id, utc_now_iso()
                )
                await conn.execute("INSERT INTO revocations(token_id, at) VALUES ($1, $2)", token_id, time.time())
        return _token(row)

    async def revocations_after(self, seq: int) -> tuple[int, list[int]]:
        async with self._conn() as conn:
            rows = await conn.fetch("SELECT seq, token_id FROM revocations WHERE seq > $1 ORDER BY seq", seq)
        newest = rows[-1][0] if rows else max(seq, 0)
        if seq < 0:
            return newest, []
        return newest, [r[1] for r in rows]

    # ------------------------------------------------------------------ rooms

    async def create_room(self, name: str, *, restricted: bool, members: Sequence[int]) -> Room:
        async with self._tx() as conn:
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
        async with self._conn() as conn:
            return await _room(conn, name)

    async def list_rooms(self) -> list[Room]:
        async with self._conn() as conn:
            names = [r[0] for r in await conn.fetch("SELECT name FROM rooms ORDER BY name")]
            return [room for name in names if (room := await _room(conn, name)) is not None]

    async def remove_room(self, name: str) -> bool:
        async with self._conn() as conn:
            return _count(await conn.execute("DELETE FROM rooms WHERE name = $1", name)) > 0

    async def may_join(self, room: str, user_id: int) -> bool:
        async with self._conn() as conn:
            restricted = await conn.fetchval("SELECT restricted FROM rooms WHERE name = $1", room)
            if not restricted:
                return True
            found = await conn.fetchval("SELECT 1 FROM room_access WHERE room = $1 AND user_id = $2", room, user_id)
        return found is not None

    async def join_room(self, room: str, user_id: int) -> bool:
        async with self._tx() as conn:
            now = utc_now_iso()
            await conn.execute(
                "INSERT INTO rooms(name, restricted, created_at) VALUES ($1, false, $2) ON CONFLICT DO NOTHING",
                room,
                now,
            )
            status = await conn.execute(
                "INSERT INTO room_members(room, user_id, joined_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                room,
                user_id,
                now,
            )
        return _count(status) > 0

    async def leave_room(self, room: str, user_id: int) -> bool:
        async with self._conn() as conn:
            status = await conn.execute("DELETE FROM room_members WHERE room = $1 AND user_id = $2", room, user_id)
        return _count(status) > 0

    async def rooms_of(self, user_id: int) -> list[str]:
        async with self._conn() as conn:
            return [
                r[0]
                for r in await conn.fetch("SELECT room FROM room_members WHERE user_id = $1 ORDER BY room", user_id)
            ]

    async def is_member(self, room: str, user_id: int) -> bool:
        async with self._conn() as conn:
            found = await conn.fetchval("SELECT 1 FROM room_members WHERE room = $1 AND user_id = $2", room, user_id)
        return found is not None

    # ------------------------------------------------------------------ notifications

    async def add(self, drafts: Sequence[Draft]) -> list[Stored]:
        return (await self.add_batch(drafts)).stored

    async def add_batch(self, drafts: Sequence[Draft]) -> Batch:
        """Store drafts in one transaction with the next ids after the head; durable when this returns."""
        async with self._tx() as conn:
            prev = int(await conn.fetchval("SELECT last_id FROM notification_head FOR UPDATE"))
            everyone: list[int] | None = None
            members: dict[str, list[int]] = {}
            rows: list[tuple[Any, ...]] = []
            inbox: list[tuple[int, int]] = []
            out: list[Stored] = []
            for offset, d in enumerate(drafts, start=1):
                nid = prev + offset
                if d.kind is Kind.DIRECT:
                    recipients = [d.to_user_id] if d.to_user_id is not None else []
                elif d.kind in (Kind.ROOM, Kind.NOTICE):
                    assert d.room is not None
                    if d.room not in members:
                        members[d.room] = [
                            r[0]
                            for r in await conn.fetch(
                                "SELECT user_id FROM room_members WHERE room = $1 ORDER BY user_id", d.room
                            )
                        ]
                    recipients = [u for u in members[d.room] if u != d.about_user_id]
                else:
                    if everyone is None:
                        everyone = [r[0] for r in await conn.fetch("SELECT id FROM users ORDER BY id")]
                    recipients = list(everyone)
                rows.append((nid, d.kind.value, d.type.value, d.title, d.message, d.sender, d.room, d.timestamp))
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
                out.append(Stored(note, tuple(recipients)))
            if rows:
                await conn.copy_records_to_table(
                    "notifications",
                    records=rows,
                    columns=["id", "kind", "type", "title", "message", "sender", "room", "created_at"],
                )
            if inbox:
                await conn.copy_records_to_table("inbox", records=inbox, columns=["user_id", "notification_id"])
            head = prev + len(rows)
            await conn.execute("UPDATE notification_head SET last_id = $1", head)
        return Batch(prev=prev, head=head, stored=out)

    async def head(self) -> int:
        """The newest committed notification id."""
        async with self._conn() as conn:
            return int(await conn.fetchval("SELECT last_id FROM notification_head"))

    async def stored_between(self, after_id: int, upto_id: int, limit: int) -> list[Stored]:
        """Notifications with ids in `(after_id, upto_id]`, oldest first, each with its recipients."""
        async with self._conn() as conn:
            rows = await conn.fetch(
                f"SELECT {_NOTIFICATION_COLUMNS},"
                " ARRAY(SELECT i.user_id FROM inbox i WHERE i.notification_id = n.id ORDER BY i.user_id)"
                " FROM notifications n WHERE n.id > $1 AND n.id <= $2 ORDER BY n.id LIMIT $3",
                after_id,
                upto_id,
                limit,
            )
        return [Stored(_notification(r), tuple(r[8])) for r in rows]

    async def replay(self, user_id: int, after_id: int, limit: int) -> list[Notification]:
        async with self._conn() as conn:
            rows = await conn.fetch(
                f"SELECT {_NOTIFICATION_COLUMNS} FROM inbox i JOIN notifications n ON n.id = i.notification_id"
                " WHERE i.user_id = $1 AND i.notification_id > $2 ORDER BY i.notification_id LIMIT $3",
                user_id,
                after_id,
                limit,
            )
        return [_notification(r) for r in rows]

    async def history(self, user_id: int, after_id: int, limit: int) -> list[Notification]:
        return await self.replay(user_id, after_id, limit)

    async def pruned_upto(self, user_id: int) -> int:
        async with self._conn() as conn:
            value = await conn.fetchval("SELECT pruned_upto FROM users WHERE id = $1", user_id)
        if value is None:
            raise NotFound("no such user")
        return int(value)

    async def prune(self, *, keep_days: int, keep_count: int, now: str) -> PruneResult:
        from hub.store.sqlite import _days_before

        cutoff = _days_before(now, keep_days)
        removed = 0
        async with self._tx() as conn:
            for (user_id,) in await conn.fetch("SELECT id FROM users ORDER BY id"):
                by_count = await conn.fetchval(
                    "SELECT notification_id FROM inbox WHERE user_id = $1"
                    " ORDER BY notification_id DESC LIMIT 1 OFFSET $2",
                    user_id,
                    keep_count,
                )
                by_age = await conn.fetchval(
                    "SELECT max(i.notification_id) FROM inbox i JOIN notifications n ON n.id = i.notification_id"
                    " WHERE i.user_id = $1 AND n.created_at < $2",
                    user_id,
                    cutoff,
                )
                boundary = max(by_count or 0, by_age or 0)
                if boundary <= 0:
                    continue
                status = await conn.execute(
                    "DELETE FROM inbox WHERE user_id = $1 AND notification_id <= $2", user_id, boundary
                )
                removed += _count(status)
                await conn.execute(
                    "UPDATE users SET pruned_upto = GREATEST(pruned_upto, $1) WHERE id = $2", boundary, user_id
                )
            gone = _count(
                await conn.execute(
                    "DELETE FROM notifications n"
                    " WHERE NOT EXISTS (SELECT 1 FROM inbox i WHERE i.notification_id = n.id)"
                )
            )
        return PruneResult(removed_deliveries=removed, removed_notifications=gone)

    # ------------------------------------------------------------------ cursors

    async def cursor(self, device: str, user_id: int) -> int:
        async with self._conn() as conn:
            value = await conn.fetchval("SELECT last_id FROM cursors WHERE device = $1", device)
            if value is not None:
                return int(value)
            start = await conn.fetchval("SELECT pruned_upto FROM users WHERE id = $1", user_id)
            last_id = int(start or 0)
            await conn.execute(
                "INSERT INTO cursors(device, user_id, last_id) VALUES ($1, $2, $3) ON CONFLICT (device) DO NOTHING",
                device,
                user_id,
                last_id,
            )
        return last_id

    async def save_cursors(self, cursors: dict[str, tuple[int, int]]) -> None:
        if not cursors:
            return
        rows = [(device, user_id, last_id) for device, (user_id, last_id) in sorted(cursors.items())]
        async with self._tx() as conn:
            await conn.executemany(
                "INSERT INTO cursors(device, user_id, last_id) VALUES ($1, $2, $3)"
                " ON CONFLICT (device) DO UPDATE SET last_id = GREATEST(cursors.last_id, excluded.last_id)",
                rows,
            )


def _count(status: str) -> int:
    """Rows touched, from a command status such as 'DELETE 3' or 'INSERT 0 1'."""
    try:
        return int(status.rsplit(" ", 1)[-1])
    except ValueError:
        return 0


async def _room(conn: Any, name: str) -> Room | None:
    row = await conn.fetchrow("SELECT name, restricted FROM rooms WHERE name = $1", name)
    if row is None:
        return None
    members = tuple(
        r[0]
        for r in await conn.fetch(
            "SELECT u.name FROM room_members m JOIN users u ON u.id = m.user_id WHERE m.room = $1 ORDER BY u.name",
            name,
        )
    )
    return Room(name=row[0], restricted=row[1], members=members)
