"""Answers to `respond` buttons: who may answer what, once, and who is told.

A recipient answers a notification with the label of one of its `respond` buttons. The answer is
told as a `response` notification through the same pipeline as every send, so it takes its id in
the notifications' order and is replayed, acked and resumed as they are; the transaction that
stores it also claims the answer (a compare-and-set on the `responses` primary key: a second answer
from any of the user's devices, on any hub, finds the first and is refused). Only the sender reads
the answers (`answers_to`).
"""

from __future__ import annotations

import logging
from typing import Any, Final

from hub.delivery.limits import SendLimits
from hub.delivery.sending import Sender
from hub.delivery.sessions import Actor
from hub.delivery.users import UserCache
from hub.errors import Forbidden, InvalidPayload, NotFound
from hub.protocol import Kind, Notification, Respond
from hub.rich import Answer
from hub.store import NewNotification, Store
from hub.timeutil import utc_now_iso

log = logging.getLogger(__name__)

#: The kinds of notification a person sent, which may carry `respond` buttons.
ANSWERABLE: Final = frozenset({Kind.DIRECT, Kind.ROOM, Kind.EVERYONE, Kind.ANNOUNCEMENT})
#: The longest `title` of a `response` made from a notification without a title.
TITLE_CHARS: Final = 200


def answered_title(note: Notification) -> str:
    """What a `response` calls the notification: its title, else the start of its message (one line)."""
    if note.title:
        return note.title
    first = note.message.strip().splitlines()[0] if note.message.strip() else ""
    return first[:TITLE_CHARS]


class Answers:
    def __init__(self, store: Store, users: UserCache, limits: SendLimits, sender: Sender) -> None:
        self._store = store
        self._users = users
        self._limits = limits
        self._sender = sender

    async def respond(self, actor: Actor, payload: Respond) -> dict[str, Any]:
        """Store `actor`'s answer and tell the sender's and the recipients' devices; the ack's body."""
        me = actor.user
        target = await self._store.answers.target(payload.id, me.id)
        note = target.notification if target is not None else None
        if target is None or note is None or note.kind not in ANSWERABLE:
            raise NotFound(f"you have no notification {payload.id}")
        if note.sender_id == me.id:
            raise Forbidden("you sent this notification: only its recipients answer it")
        if not target.received:
            raise NotFound(f"you have no notification {payload.id}")
        labels = note.respond_labels()
        if payload.label not in labels:
            offered = ", ".join(labels) if labels else "none"
            raise InvalidPayload(f"label: {payload.label!r} is not one of this notification's answers ({offered})")
        await self._limits.check(actor)
        audience = {me.id, *target.recipients}
        if note.sender_id is not None:
            audience.add(note.sender_id)
        draft = NewNotification(
            kind=Kind.RESPONSE,
            type=note.type,
            title=answered_title(note),
            message=payload.label,
            sender=me.name,
            timestamp=utc_now_iso(),
            room=note.room,
            rich={"answer": Answer(notification_id=note.id, label=payload.label, to=note.sender).model_dump()},
            audience=tuple(sorted(audience)),
            sender_id=me.id,
        )
        # Storing the `response` claims the answer in the same transaction (a second answer is a
        # Conflict saying which was given): no answer is ever claimed and left untold.
        stored = await self._sender.submit(draft)
        return {"ok": True, "response": stored.notification.wire()}

    async def answers_to(self, actor: Actor, notification_id: int) -> list[dict[str, Any]]:
        """The answers to a notification `actor` sent, oldest first, as `response` objects."""
        target = await self._store.answers.target(notification_id, actor.user.id)
        if (
            target is None
            or target.notification.kind not in ANSWERABLE
            or target.notification.sender_id != actor.user.id
        ):
            raise NotFound(f"you sent no notification {notification_id}")
        note = target.notification
        title = answered_title(note)
        return [
            Answer(notification_id=note.id, label=a.label, to=note.sender)
            .response(a.response_id, a.responder, title, note.room, a.at)
            .wire()
            for a in await self._store.answers.answers(note.id)
            if a.response_id  # claimed but not told yet (or never): not an answer to act on
        ]
