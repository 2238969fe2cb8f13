"""Stores as earlier releases made them, for the upgrade and restore tests.

`sqlite_store_at(path, N)` and `postgres_store_at(url, N)` build a store at schema version N the way
the hub at that version did: its own migrations, 1 to N, applied in order, then rows written with
the columns that version had (`rows_at(N)`). Released migrations never change (`RELEASED_SQL`
holds their digests and a test compares), so the migrations up to N are the SQL that version
shipped. When a release adds a schema version, add it to `RELEASES` and its digest to `RELEASED_SQL`.

Every store holds the same people and notifications (`SEEDED`), so a test can open one with
today's hub and check that nothing was lost on the way up.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

from hub.auth import hash_password, hash_token
from hub.protocol import Kind, NotificationType
from hub.store import NewNotification, SqliteStore, Store
from hub.store.postgres import migrations as pg_migrations
from hub.store.sqlite import migrations
from hub.timeutil import utc_now_iso

#: Release -> the store schema version it shipped (SQLite and PostgreSQL carry the same numbers).
RELEASES: dict[str, int] = {"0.1.0": 2}
#: SHA-256 of each shipped migration's SQL, by version: (SQLite, PostgreSQL).
RELEASED_SQL: dict[int, tuple[str, str]] = {
    1: (
        "63adabf92dc79d65ea5752acaa4302487c03d860c4fa2a5ea99582a089f856e6",
        "5ac04367f8b5a64fc077c650dd328ff6f5e92f6ed6dfa3fc48160ee8ec709695",
    ),
    2: (
        "470c89c543692fb2048d9af2fff459f1e13a5d6b97030cfa00b593ed3861ee78",
        "27f6c87eae062c34dce39d88999451cb37ac7ae75de9b74dbcf8216b3149e39f",
    ),
}

#: The schema version that added the sender's account id to notifications (keys).
KEYS_VERSION = next(n for n, step in enumerate(migrations.MIGRATIONS, 1) if "sending account's id" in step.summary)

PASSWORD = "correct horse battery"
BOB_TOKEN = "lnt_upgrade-test-token-for-bob"
TS = utc_now_iso()  # recent: a hub started on the store keeps them (retention_days)


class SEEDED:
    """What every built store holds (ids as stored)."""

    users = ("alice", "bob")
    bob_messages_v1 = ("one for bob", "to the ops room", "to everyone, one row per user")
    bob_messages_v2 = (*bob_messages_v1, "to everyone, stored once")
    device = "bob-laptop"
    device_cursor = 1


def digest(sql: str) -> str:
    return hashlib.sha256(sql.encode()).hexdigest()


def rows_at(version: int) -> list[str]:
    """INSERTs a hub at schema `version` would have made: two users (alice an admin with a password, bob with
    a device token), a restricted room, a direct, a room message, a broadcast, and a device cursor."""
    alice_hash = hash_password(PASSWORD)
    statements = [
        "INSERT INTO users(id, name, password_hash, admin, created_at) "
        f"VALUES (1, 'alice', '{alice_hash}', true, '{TS}'), (2, 'bob', NULL, false, '{TS}')",
        "INSERT INTO tokens(id, user_id, token_hash, label, kind, created_at) "
        f"VALUES (1, 2, '{hash_token(BOB_TOKEN)}', 'laptop', 'device', '{TS}')",
        f"INSERT INTO rooms(name, restricted, created_at) VALUES ('ops', true, '{TS}')",
        "INSERT INTO room_access(room, user_id) VALUES ('ops', 1), ('ops', 2)",
        f"INSERT INTO room_members(room, user_id, joined_at) VALUES ('ops', 2, '{TS}')",
        "INSERT INTO notifications(id, kind, type, title, message, sender, room, created_at) VALUES "
        f"(1, 'direct', 'info', 'Build', 'one for bob', 'alice', NULL, '{TS}'), "
        f"(2, 'room', 'warning', '', 'to the ops room', 'alice', 'ops', '{TS}'), "
        f"(3, 'everyone', 'info', '', 'to everyone, one row per user', 'alice', NULL, '{TS}')",
        # Schema 1 stored a broadcast once per user.
        "INSERT INTO inbox(user_id, notification_id) VALUES (2, 1), (2, 2), (1, 3), (2, 3)",
        "INSERT INTO cursors(device, user_id, last_id) VALUES ('bob-laptop', 2, 1)",
    ]
    if version >= 2:
        statements.append(
            "INSERT INTO notifications(id, kind, type, title, message, sender, room, created_at, everyone) "
            f"VALUES (4, 'everyone', 'info', '', 'to everyone, stored once', 'alice', NULL, '{TS}', true)"
        )
    if version >= KEYS_VERSION:  # the hub wrote each sender's account id
        statements.append("UPDATE notifications SET sender_id = 1")
    return statements


def sqlite_store_at(path: Path, version: int) -> Path:
    """A SQLite store file at schema `version`, with `rows_at(version)`; closed cleanly (no -wal left)."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        for number, step in enumerate(migrations.MIGRATIONS[:version], start=1):
            db.executescript(f"BEGIN; {step.sql}; PRAGMA user_version = {number}; COMMIT;")
        for statement in rows_at(version):
            db.execute(statement)
    finally:
        db.close()
    return path


async def postgres_store_at(url: str, version: int) -> None:
    """The database at `url` (empty) at schema `version`, with `rows_at(version)`."""
    import asyncpg

    conn: Any = await asyncpg.connect(url)
    try:
        await conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for number, step in enumerate(pg_migrations.MIGRATIONS[:version], start=1):
            async with conn.transaction():
                await conn.execute(step.sql)
                await conn.execute("INSERT INTO schema_version(version) VALUES ($1)", number)
        for statement in rows_at(version):
            await conn.execute(statement)
        # What the hub's own inserts keep up to date: the id sequences and the notification head.
        await conn.execute("SELECT setval('users_id_seq', 2), setval('tokens_id_seq', 1)")
        await conn.execute("UPDATE notification_head SET last_id = (SELECT max(id) FROM notifications)")
    finally:
        await conn.close()


#: A fixed time for notifications the store suite stores.
NOW = "2026-01-10T12:00:00.000Z"


def same_place(store: Store) -> Store:
    """Another store object on the same file or database."""
    if isinstance(store, SqliteStore):
        return SqliteStore(store.path)
    from hub.store.postgres import PostgresStore

    assert isinstance(store, PostgresStore)
    return PostgresStore(store.dsn)


def draft(kind: Kind, message: str = "hi", *, timestamp: str = NOW, **where: object) -> NewNotification:
    """A notification to store, from alice; `where` addresses it (and gives any other field)."""
    return NewNotification(
        kind=kind,
        type=NotificationType.INFO,
        title="t",
        message=message,
        sender="alice",
        timestamp=timestamp,
        **where,  # type: ignore[arg-type]
    )


def direct_batch(users: list[int], n: int, first: int) -> list[NewNotification]:
    """`n` direct notifications from alice, "note {first}" onwards, to `users` in turn."""
    return [
        NewNotification(
            Kind.DIRECT, NotificationType.INFO, "", f"note {first + i}", "alice", NOW, to_user_id=users[i % len(users)]
        )
        for i in range(n)
    ]


async def numbered_users(store: Store, count: int) -> list[int]:
    """The ids of `count` new users, u0 onwards."""
    return [(await store.create_user(f"u{i}", None, admin=False)).id for i in range(count)]
