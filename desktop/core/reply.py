"""Replying: who a Reply writes to, and what a reply is (a `message` with no title of its own)."""

from __future__ import annotations

from typing import Final

from desktop.core.models import ReceivedNotification
from hub.protocol import Kind, NotificationType

#: A reply is a message, whatever type the compose dialog was last used with.
REPLY_TYPE: Final = NotificationType.MESSAGE


def reply_recipient(n: ReceivedNotification, me: str = "", *, any_type: bool = False) -> str | None:
    """Who a Reply to `n` writes to: the sender of a `message` from a user, or its #room for a room
    message; None when there is no one to answer (other types, notices, what `me` sent myself).
    `any_type`: whatever its type (a sender's own `reply` button asks for answers to any notification)."""
    if n.type is not NotificationType.MESSAGE and not any_type:
        return None
    if me and n.sender == me:
        return None  # a note to self, or my own message to a room: nobody to answer
    if n.kind is Kind.ROOM and n.room:
        return f"#{n.room}"
    if n.kind in {Kind.DIRECT, Kind.EVERYONE} and n.sender:
        return n.sender
    return None
