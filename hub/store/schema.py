"""What both stores' tables hold, and the SQL they share, written once for each dialect.

The DDL stays in each backend's migrations (a shipped migration is history and never changes);
`TABLES` is what the queries rely on, and `tests/store/test_schema_alike.py` checks that both
databases have exactly those columns. The statements below differ between SQLite and PostgreSQL
only in how they write parameters, the larger of two values and a true boolean column, so each is
built once per `Dialect`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, NamedTuple


class Migration(NamedTuple):
    """One step of a backend's schema (its DDL lives in that backend's migrations.py)."""

    summary: str  # what the step does, for the log line of an upgrade
    sql: str


#: Every table both stores have, with its columns in order.
TABLES: dict[str, tuple[str, ...]] = {
    "users": ("id", "name", "password_hash", "admin", "created_at", "pruned_upto", "first_id"),
    "tokens": ("id", "user_id", "token_hash", "label", "kind", "created_at", "last_used_at", "revoked_at"),
    "revocations": ("seq", "token_id", "at"),
    "rooms": ("name", "restricted", "created_at", "made_by"),
    "room_access": ("room", "user_id"),
    "room_members": ("room", "user_id", "joined_at"),
    "notifications": (
        "id",
        "kind",
        "type",
        "title",
        "message",
        "sender",
        "room",
        "created_at",
        "everyone",
        "rich",
        "sender_id",
        "key",
        "addressee",
    ),
    "inbox": ("user_id", "notification_id"),
    "cursors": ("device", "user_id", "last_id"),
    "responses": ("notification_id", "user_id", "label", "response_id", "created_at"),
    "read_floors": ("user_id", "upto"),
    "read_marks": ("user_id", "notification_id"),
    "receipt_devices": ("notification_id", "user_id", "device", "at"),
    "receipt_seen": ("notification_id", "user_id", "at"),
    "scheduled": (
        "id",
        "user_id",
        "key",
        "kind",
        "type",
        "title",
        "message",
        "sender",
        "to_user_id",
        "room",
        "rich",
        "deliver_at",
        "created_at",
        "claimed_by",
        "claimed_until",
    ),
}
#: Each backend's own bookkeeping tables, besides `TABLES`.
OWN_TABLES: dict[str, frozenset[str]] = {
    "sqlite": frozenset({"sqlite_sequence"}),  # AUTOINCREMENT's counters (the newest notification id)
    "postgres": frozenset({"notification_head", "schema_version"}),
}

#: A stored notification's columns as `rows.notification_from_row` reads them (`n` is notifications).
NOTIFICATION_COLUMNS = "n.id, n.kind, n.type, n.title, n.message, n.sender, n.room, n.created_at, n.rich, n.sender_id"
#: The position of the first column a query selects after `NOTIFICATION_COLUMNS`.
AFTER_NOTIFICATION = NOTIFICATION_COLUMNS.count(",") + 1
#: The order of a notification row as `batch_plan.plan_batch` writes it.
NOTIFICATION_ROW = TABLES["notifications"]
#: A plain direct notification's row as `plan_batch` writes it apart (`BatchPlan.direct`): the
#: columns that differ from one to the next, the others holding `DIRECT_FIXED` in every such row.
#: The most common row binds 8 values instead of 13.
DIRECT_ROW = ("id", "type", "title", "message", "sender", "created_at", "rich", "sender_id")
DIRECT_FIXED: Final[Mapping[str, str | bool | None]] = MappingProxyType(
    {
        "kind": "direct",
        "room": None,
        "everyone": False,
        "key": None,
        "addressee": None,
    }
)


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one database spells the few things the shared SQL needs."""

    name: str
    #: Parameter N (1-based), e.g. `?1` or `$1`.
    param_prefix: str
    #: The larger of two values in one row.
    greatest: str
    #: The boolean column `everyone` is true: SQLite's partial index is on `everyone = 1`, so the
    #: condition must be written that way for SQLite to use it.
    everyone: str
    not_everyone: str

    def param(self, n: int) -> str:
        return f"{self.param_prefix}{n}"


SQLITE = Dialect("sqlite", "?", "MAX", "n.everyone = 1", "n.everyone = 0")
POSTGRES = Dialect("postgres", "$", "GREATEST", "n.everyone", "NOT n.everyone")


@functools.cache
def everyone_after_floor(d: Dialect) -> str:
    """Notifications to everyone (one row each, no inbox rows) a user still has: after the later of
    when the user was created and what retention removed for them. Parameter 1 is the user's id."""
    return f"{d.everyone} AND n.id > (SELECT {d.greatest}(first_id, pruned_upto) FROM users WHERE id = {d.param(1)})"


@functools.cache
def orphans(d: Dialect) -> str:
    """Delete the notifications nobody receives any more (those to everyone go in `prune`)."""
    return (
        f"DELETE FROM notifications AS n WHERE {d.not_everyone}"
        " AND NOT EXISTS (SELECT 1 FROM inbox i WHERE i.notification_id = n.id)"
    )


@functools.cache
def user_notifications(d: Dialect) -> str:
    """A user's notifications as `(id, at)`: inbox rows, and those to everyone after their floor.
    Parameter 1 is the user's id."""
    return (
        "SELECT i.notification_id AS id, n.created_at AS at FROM inbox i"
        f" JOIN notifications n ON n.id = i.notification_id WHERE i.user_id = {d.param(1)}"
        f" UNION ALL SELECT n.id, n.created_at FROM notifications n WHERE {everyone_after_floor(d)}"
    )


#: Control rows' kinds (`hub.store.base.CONTROL`: read marks, receipts, retractions), as SQL.
CONTROL_KINDS = "('read', 'receipt', 'retract')"


@functools.cache
def user_readable(d: Dialect) -> str:
    """A user's notifications as `(id, at)`, as `user_notifications`, without control rows: what
    `retention_count` counts. Parameter 1 is the user's id."""
    return (
        "SELECT i.notification_id AS id, n.created_at AS at FROM inbox i"
        f" JOIN notifications n ON n.id = i.notification_id WHERE i.user_id = {d.param(1)}"
        f" AND n.kind NOT IN {CONTROL_KINDS}"
        f" UNION ALL SELECT n.id, n.created_at FROM notifications n WHERE {everyone_after_floor(d)}"
        f" AND n.kind NOT IN {CONTROL_KINDS}"
    )


@functools.cache
def replay_sql(d: Dialect) -> str:
    """A user's notifications after an id, oldest first: parameters user id, after id, limit."""
    return (
        f"SELECT {NOTIFICATION_COLUMNS} FROM inbox i JOIN notifications n ON n.id = i.notification_id"
        f" WHERE i.user_id = {d.param(1)} AND i.notification_id > {d.param(2)}"
        f" UNION ALL SELECT {NOTIFICATION_COLUMNS} FROM notifications n"
        f" WHERE {everyone_after_floor(d)} AND n.id > {d.param(2)}"
        f" ORDER BY 1 LIMIT {d.param(3)}"
    )
