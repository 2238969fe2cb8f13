"""Rows into the store's values, for both backends: `sqlite3.Row` and `asyncpg.Record` index by
column name and by position alike."""

from __future__ import annotations

import json
from typing import Any

from hub.protocol import Kind, Notification, NotificationType
from hub.pydantic_internals import unvalidated
from hub.store.base import TokenInfo, TokenKind, User

#: A row of either backend (`sqlite3.Row`, `asyncpg.Record`).
Row = Any


def user_from_row(row: Row) -> User:
    """A `users` row (`SELECT *`)."""
    return User(id=row["id"], name=row["name"], admin=bool(row["admin"]), has_password=row["password_hash"] is not None)


def token_from_row(row: Row) -> TokenInfo:
    """A `tokens` row (`SELECT *`)."""
    return TokenInfo(
        id=row["id"],
        user_id=row["user_id"],
        label=row["label"],
        kind=TokenKind(row["kind"]),
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked=row["revoked_at"] is not None,
    )


#: A plain notification's fields that are not given (every rich and key field), as the model has them.
_PLAIN_DEFAULTS: dict[str, Any] = {
    name: field.default for name, field in Notification.model_fields.items() if not field.is_required()
}


def plain_notification(
    nid: int,
    kind: Kind,
    type_: NotificationType,
    title: str,
    message: str,
    sender: str,
    room: str | None,
    timestamp: str,
    sender_id: int | None,
) -> Notification:
    """A notification with no rich or key field, from values the hub validated when they came in
    (a draft being stored): what `Notification(...)` makes, in half its time, without validating
    them again (hub/pydantic_internals.py); tests/store/test_batch_plan.py checks it equals
    the validated model."""
    fields = _PLAIN_DEFAULTS.copy()
    fields.update(
        id=nid,
        kind=kind,
        type=type_,
        title=title,
        message=message,
        sender=sender,
        room=room,
        timestamp=timestamp,
        sender_id=sender_id,
    )
    return unvalidated(Notification, fields, _GIVEN)


_GIVEN = frozenset(("id", "kind", "type", "title", "message", "sender", "room", "timestamp", "sender_id"))


def notification_from_row(row: Row) -> Notification:
    """A row that starts with `schema.NOTIFICATION_COLUMNS`."""
    return Notification(
        id=row[0],
        kind=Kind(row[1]),
        type=NotificationType(row[2]),
        title=row[3],
        message=row[4],
        sender=row[5],
        room=row[6],
        timestamp=row[7],
        sender_id=row[9],
        **(json.loads(row[8]) if row[8] else {}),
    )
