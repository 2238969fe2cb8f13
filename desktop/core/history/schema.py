"""The history database's schema: ordered migrations keyed on `PRAGMA user_version`."""

from __future__ import annotations

import sqlite3
from typing import Final

from desktop.errors import SchemaTooNewError

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
    (
        # What was deleted stays known, so the hub's replay never brings it back: the resume point
        # (`cleared_upto`: everything at or below it was cleared) and each deleted id above it.
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
        "CREATE TABLE deleted (id INTEGER PRIMARY KEY)",
    ),
    (
        # A rich notification's priority, click, actions and format (JSON; NULL for a plain one), and the
        # answers to notifications (ids from the hub's notification sequence: they count for `last_id`).
        "ALTER TABLE notifications ADD COLUMN rich TEXT",
        """CREATE TABLE responses (
            id INTEGER PRIMARY KEY,
            notification_id INTEGER NOT NULL,
            label TEXT NOT NULL,
            responder TEXT NOT NULL,
            recipient TEXT NOT NULL,
            title TEXT NOT NULL,
            room TEXT,
            timestamp TEXT NOT NULL
        )""",
        "CREATE INDEX responses_by_notification ON responses (notification_id, id)",
    ),
    (
        # What the user's notifications sent with a receipt were told (desktop.core.history.receipts).
        """CREATE TABLE receipts (
            notification_id INTEGER PRIMARY KEY,
            addressees INTEGER NOT NULL,
            delivered INTEGER NOT NULL,
            delivered_devices INTEGER NOT NULL,
            seen INTEGER NOT NULL,
            event_id INTEGER NOT NULL,
            delivered_to TEXT NOT NULL,
            seen_by TEXT NOT NULL
        )""",
        # Notifications the user sent, kept to show their receipts: they do not move the resume point.
        "CREATE TABLE sent (id INTEGER PRIMARY KEY)",
    ),
    (
        # To whom the user sent it, as compose names them ("bob", "#ops", "Everyone"); NULL: not recorded.
        "ALTER TABLE sent ADD COLUMN addressee TEXT",
    ),
)
SCHEMA_VERSION: Final = len(MIGRATIONS)


def migrate(db: sqlite3.Connection) -> None:
    """Bring `db` to `SCHEMA_VERSION`, one migration per transaction; refuse a newer schema."""
    version = schema_version(db)
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"the history was written by a newer lan-notify (schema {version}, this version knows {SCHEMA_VERSION})"
        )
    for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def schema_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])
