"""PostgreSQL schema versions, kept in a `schema_version` table, applied in order, each in one transaction.

Several hubs may start at once against one database: the migration runs under a session advisory
lock, so exactly one of them migrates and the others find the schema current. As for SQLite
(hub/store/sqlite/migrations.py), a released migration never changes, and each step is logged.
"""

from __future__ import annotations

import logging
from typing import Any

from hub.errors import SchemaTooNew
from hub.store.schema import Migration

__all__ = ["SCHEMA_VERSION", "migrate"]

log = logging.getLogger(__name__)

#: Key of the advisory lock held while migrating (any constant shared by every hub).
MIGRATION_LOCK = 0x6C6E_6D69  # "lnmi"

MIGRATIONS: tuple[Migration, ...] = (
    # The notification head: the newest committed id, locked by every writer so ids follow commit order.
    Migration(
        "accounts, tokens, rooms, notifications, a per-user inbox, per-device cursors, the notification head",
        """
    CREATE TABLE users (
        id BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        password_hash TEXT,
        admin BOOLEAN NOT NULL DEFAULT false,
        created_at TEXT NOT NULL,
        pruned_upto BIGINT NOT NULL DEFAULT 0
    );
    CREATE TABLE tokens (
        id BIGSERIAL PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL DEFAULT 'device',
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT
    );
    CREATE INDEX tokens_user ON tokens(user_id);
    CREATE TABLE revocations (
        seq BIGSERIAL PRIMARY KEY,
        token_id BIGINT NOT NULL,
        at DOUBLE PRECISION NOT NULL
    );
    CREATE TABLE rooms (
        name TEXT PRIMARY KEY,
        restricted BOOLEAN NOT NULL DEFAULT false,
        created_at TEXT NOT NULL
    );
    CREATE TABLE room_access (
        room TEXT NOT NULL REFERENCES rooms(name) ON DELETE CASCADE,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (room, user_id)
    );
    CREATE TABLE room_members (
        room TEXT NOT NULL REFERENCES rooms(name) ON DELETE CASCADE,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        joined_at TEXT NOT NULL,
        PRIMARY KEY (room, user_id)
    );
    CREATE INDEX room_members_user ON room_members(user_id);
    CREATE TABLE notifications (
        id BIGINT PRIMARY KEY,
        kind TEXT NOT NULL,
        type TEXT NOT NULL,
        title TEXT NOT NULL,
        message TEXT NOT NULL,
        sender TEXT NOT NULL,
        room TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE inbox (
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        notification_id BIGINT NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
        PRIMARY KEY (user_id, notification_id)
    );
    CREATE INDEX inbox_notification ON inbox(notification_id);
    CREATE TABLE cursors (
        device TEXT PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        last_id BIGINT NOT NULL
    );
    CREATE TABLE notification_head (
        one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
        last_id BIGINT NOT NULL
    );
    INSERT INTO notification_head(one, last_id) VALUES (true, 0);
    """,
    ),
    # A broadcast cost O(users) writes. Each user receives those after `first_id`, the head when
    # the user was created. Broadcasts stored before keep their inbox rows.
    Migration(
        "a notification to everyone is stored once (one row, `everyone`), not once per user",
        """
    ALTER TABLE notifications ADD COLUMN everyone BOOLEAN NOT NULL DEFAULT false;
    CREATE INDEX notifications_everyone ON notifications(id) WHERE everyone;
    ALTER TABLE users ADD COLUMN first_id BIGINT NOT NULL DEFAULT 0;
    """,
    ),
    # Who made a room by joining it (NULL: an admin made it): for the rooms a user may make, for
    # removing such a room with its last member, and for an admin's `room create` to take it over.
    Migration(
        "rooms remember which user made them by joining (`made_by`)",
        """
    ALTER TABLE rooms ADD COLUMN made_by BIGINT REFERENCES users(id) ON DELETE SET NULL;
    CREATE INDEX rooms_made_by ON rooms(made_by) WHERE made_by IS NOT NULL;
    """,
    ),
    # Rich notifications: what differs from a plain one (priority, click, actions, format) as one
    # JSON object, NULL for a plain notification; and the answers to `respond` buttons, one per
    # recipient (the primary key is the compare-and-set that refuses a second answer).
    Migration(
        "notifications keep their priority, click target, buttons and format; answers to buttons are stored",
        """
    ALTER TABLE notifications ADD COLUMN rich TEXT;
    CREATE TABLE responses (
        notification_id BIGINT NOT NULL,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        response_id BIGINT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (notification_id, user_id)
    );
    """,
    ),
    # Keys: the sending account's id (a deleted account's notifications belong to nobody, and one made
    # again with the same name owns none of them), the sender's key and its addressee, found by one
    # index. Earlier notifications take the id of the account of their sender's name that existed then.
    Migration(
        "notifications remember the sending account's id, and their key and addressee for updates and retractions",
        """
    ALTER TABLE notifications ADD COLUMN sender_id BIGINT REFERENCES users(id) ON DELETE SET NULL;
    ALTER TABLE notifications ADD COLUMN key TEXT;
    ALTER TABLE notifications ADD COLUMN addressee TEXT;
    UPDATE notifications SET sender_id = (
        SELECT u.id FROM users u WHERE u.name = notifications.sender AND u.created_at <= notifications.created_at
    ) WHERE kind <> 'notice';
    CREATE INDEX notifications_key ON notifications(sender_id, key, addressee);
    """,
    ),
    Migration(
        "read marks per user (ids, and everything up to an id); receipts (devices that have it, users who saw it)",
        """
    CREATE TABLE read_floors (
        user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        upto BIGINT NOT NULL
    );
    CREATE TABLE read_marks (
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        notification_id BIGINT NOT NULL,
        PRIMARY KEY (user_id, notification_id)
    );
    CREATE TABLE receipt_devices (
        notification_id BIGINT NOT NULL,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        device TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (notification_id, user_id, device)
    );
    CREATE TABLE receipt_seen (
        notification_id BIGINT NOT NULL,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        PRIMARY KEY (notification_id, user_id)
    );
    -- What was stored before read state existed counts as read: an upgrade does not turn every
    -- user's whole retained history unread. The floor is the newest id, as a "mark all read" makes.
    INSERT INTO read_floors(user_id, upto)
        SELECT u.id, m.newest FROM users u, (SELECT MAX(id) AS newest FROM notifications) m
        WHERE m.newest IS NOT NULL;
    """,
    ),
    # Scheduled sends: one row each until it fires (`hub.store.schedule`); a hub claims a due row
    # for a while (`claimed_by`, `claimed_until`, ms since the epoch) before it fires it.
    Migration(
        "scheduled sends are stored until they are delivered",
        """
    CREATE TABLE scheduled (
        id BIGSERIAL PRIMARY KEY,
        user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        key TEXT,
        kind TEXT NOT NULL,
        type TEXT NOT NULL,
        title TEXT NOT NULL,
        message TEXT NOT NULL,
        sender TEXT NOT NULL,
        to_user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
        room TEXT,
        rich TEXT,
        deliver_at BIGINT NOT NULL,
        created_at TEXT NOT NULL,
        claimed_by TEXT,
        claimed_until BIGINT NOT NULL DEFAULT 0
    );
    CREATE INDEX scheduled_due ON scheduled(deliver_at);
    CREATE INDEX scheduled_user_key ON scheduled(user_id, key);
    CREATE INDEX scheduled_to_user ON scheduled(to_user_id) WHERE to_user_id IS NOT NULL;
    """,
    ),
    # Every notification had an entry in the index of keys, in its sender's place, key or not: a
    # batch from many senders changed a page of that index per sender before its commit could end.
    # Keys are looked up with `key = ...`, which rows without a key never match. (A deleted account's
    # notifications, whose sender_id is cleared, are now found by reading the table: that is rare.)
    Migration(
        "the index of keys holds only the notifications that have a key",
        """
    DROP INDEX notifications_key;
    CREATE INDEX notifications_key ON notifications(sender_id, key, addressee) WHERE key IS NOT NULL;
    """,
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)


async def schema_version(conn: Any) -> int:
    """The database's schema version (0: no lan-notify tables yet), read without writing."""
    exists = await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    if not exists:
        return 0
    return int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))


async def migrate(conn: Any) -> int:
    """Bring the schema to SCHEMA_VERSION; returns the version found before. `conn` is an asyncpg connection.

    A database from a newer release is refused before anything is written to it.
    """
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        current = await schema_version(conn)
        if current > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"this database has schema version {current}, newer than this hub knows ({SCHEMA_VERSION}): it "
                "was made by a newer lan-notify and is left as it is; upgrade lan-notify"
            )
        if current == 0:
            await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        for version in range(current + 1, SCHEMA_VERSION + 1):
            step = MIGRATIONS[version - 1]
            log.info("store: PostgreSQL schema %d -> %d: %s", version - 1, version, step.summary)
            async with conn.transaction():
                await conn.execute(step.sql)
                await conn.execute("INSERT INTO schema_version(version) VALUES ($1)", version)
        if 0 < current < SCHEMA_VERSION:
            log.info("store: PostgreSQL schema upgraded from %d to %d", current, SCHEMA_VERSION)
        return current
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
