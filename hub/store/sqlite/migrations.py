"""SQLite schema versions, keyed on `PRAGMA user_version`, applied in order, each in one transaction.

A migration, once released, never changes: a store made by an older release is brought up to date
by the steps after its version, each logged. tests/support/stores.py builds a store at every
released version and checks that the steps from each lead to a store this hub uses.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

from hub.errors import SchemaTooNew
from hub.store.schema import Migration

__all__ = ["SCHEMA_VERSION", "migrate"]

log = logging.getLogger(__name__)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "accounts, tokens, rooms, notifications, a per-user inbox, per-device cursors",
        """
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        password_hash TEXT,
        admin INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        pruned_upto INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE tokens (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL DEFAULT 'device',
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT
    );
    CREATE INDEX tokens_user ON tokens(user_id);
    CREATE TABLE revocations (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        token_id INTEGER NOT NULL,
        at REAL NOT NULL
    );
    CREATE TABLE rooms (
        name TEXT PRIMARY KEY,
        restricted INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE room_access (
        room TEXT NOT NULL REFERENCES rooms(name) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (room, user_id)
    ) WITHOUT ROWID;
    CREATE TABLE room_members (
        room TEXT NOT NULL REFERENCES rooms(name) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        joined_at TEXT NOT NULL,
        PRIMARY KEY (room, user_id)
    ) WITHOUT ROWID;
    CREATE INDEX room_members_user ON room_members(user_id);
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        type TEXT NOT NULL,
        title TEXT NOT NULL,
        message TEXT NOT NULL,
        sender TEXT NOT NULL,
        room TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE inbox (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        notification_id INTEGER NOT NULL REFERENCES notifications(id) ON DELETE CASCADE,
        PRIMARY KEY (user_id, notification_id)
    ) WITHOUT ROWID;
    CREATE INDEX inbox_notification ON inbox(notification_id);
    CREATE TABLE cursors (
        device TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        last_id INTEGER NOT NULL
    );
    """,
    ),
    # A broadcast cost O(users) writes. Each user receives those after `first_id`, the newest
    # notification id when the user was created. Broadcasts stored before keep their inbox rows.
    Migration(
        "a notification to everyone is stored once (one row, `everyone = 1`), not once per user",
        """
    ALTER TABLE notifications ADD COLUMN everyone INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX notifications_everyone ON notifications(id) WHERE everyone = 1;
    ALTER TABLE users ADD COLUMN first_id INTEGER NOT NULL DEFAULT 0;
    """,
    ),
    # Who made a room by joining it (NULL: an admin made it): for the rooms a user may make, for
    # removing such a room with its last member, and for an admin's `room create` to take it over.
    Migration(
        "rooms remember which user made them by joining (`made_by`)",
        """
    ALTER TABLE rooms ADD COLUMN made_by INTEGER REFERENCES users(id) ON DELETE SET NULL;
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
        notification_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        response_id INTEGER,
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
    ALTER TABLE notifications ADD COLUMN sender_id INTEGER REFERENCES users(id) ON DELETE SET NULL;
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
        user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        upto INTEGER NOT NULL
    );
    CREATE TABLE read_marks (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        notification_id INTEGER NOT NULL,
        PRIMARY KEY (user_id, notification_id)
    ) WITHOUT ROWID;
    CREATE TABLE receipt_devices (
        notification_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        device TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (notification_id, user_id, device)
    ) WITHOUT ROWID;
    CREATE TABLE receipt_seen (
        notification_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        PRIMARY KEY (notification_id, user_id)
    ) WITHOUT ROWID;
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
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        key TEXT,
        kind TEXT NOT NULL,
        type TEXT NOT NULL,
        title TEXT NOT NULL,
        message TEXT NOT NULL,
        sender TEXT NOT NULL,
        to_user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
        room TEXT,
        rich TEXT,
        deliver_at INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        claimed_by TEXT,
        claimed_until INTEGER NOT NULL DEFAULT 0
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


def use_wal(db: sqlite3.Connection, timeout: float = 10.0) -> None:
    """Switch the file to WAL. Switching needs the file to itself, and SQLite answers "database is
    locked" at once, without waiting, while another process holds it (two opening a new store
    together): try again for a while. A file already in WAL mode answers at once."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def schema_version(path: Path) -> int:
    """The schema version of an existing store file, read without writing to it (not even its journal mode)."""
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        return _version(db)
    finally:
        db.close()


def refuse_newer(path: Path) -> None:
    """Refuse a store file made by a newer release before anything writes to it."""
    if path.exists():
        _refuse_newer(schema_version(path))


def migrate(db: sqlite3.Connection) -> None:
    """Bring the file to SCHEMA_VERSION, one version per transaction, a log line per step.

    The version is read again inside each write transaction: several processes may open a new
    store at once (`notify-hub serve &` then `notify-hub user add` at once), and only the first
    applies a migration; the others wait for its lock and find it done.
    """
    _refuse_newer(_version(db))
    found: int | None = None
    while True:
        db.execute("BEGIN IMMEDIATE")
        try:
            current = _version(db)
            _refuse_newer(current)
            if current >= SCHEMA_VERSION:
                db.execute("COMMIT")
                break
            found = current if found is None else found
            version = current + 1
            step = MIGRATIONS[version - 1]
            log.info("store: schema %d -> %d: %s", current, version, step.summary)
            for statement in step.sql.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    if found:  # a new store (version 0) is created, not upgraded
        log.info("store: upgraded from schema %d to %d", found, SCHEMA_VERSION)


def _version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _refuse_newer(current: int) -> None:
    if current > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"this store has schema version {current}, newer than this hub knows ({SCHEMA_VERSION}): it was "
            "made by a newer lan-notify and is left as it is; upgrade lan-notify (or restore a backup made "
            "by this version)"
        )
