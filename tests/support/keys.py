"""Drafts for the store tests of keys and answers: a keyed send, a retraction, an answer."""

from __future__ import annotations

from typing import Any

from hub.protocol import Kind, NotificationType
from hub.rich import Answer
from hub.store import NewNotification, Store, Stored

AT = "2026-01-10T12:00:00.000Z"


def keyed(
    kind: Kind, message: str, *, sender: tuple[int, str], key: str | None, at: str = AT, **where: Any
) -> NewNotification:
    """A send from account `sender` (id, name) with `key`, addressed by `where` (to_user_id or room)."""
    return NewNotification(
        kind=kind,
        type=NotificationType.INFO,
        title="Build",
        message=message,
        sender=sender[1],
        timestamp=at,
        sender_id=sender[0],
        key=key,
        **where,
    )


def retraction(*, sender: tuple[int, str], key: str, at: str = AT, **where: Any) -> NewNotification:
    """A `retract` of `key` from `sender` to the addressee `where` names (nothing: everyone)."""
    return NewNotification(
        kind=Kind.RETRACT,
        type=NotificationType.INFO,
        title="",
        message="",
        sender=sender[1],
        timestamp=at,
        sender_id=sender[0],
        key=key,
        **where,
    )


async def answer(store: Store, nid: int, asked_by: str, by: tuple[int, str], label: str, *, at: str = AT) -> Stored:
    """Store `by`'s answer to notification `nid` (sent by `asked_by`) as the hub does: its `response`."""
    rich = {"answer": Answer(notification_id=nid, label=label, to=asked_by).model_dump()}
    draft = NewNotification(
        Kind.RESPONSE, NotificationType.INFO, "deploy?", label, by[1], at, rich=rich, audience=(by[0],), sender_id=by[0]
    )
    [stored] = await store.add([draft])
    return stored
