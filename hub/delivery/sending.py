"""Sending: who may send what to whom, checked, rate-limited and queued for the pipeline in order.

Each send has two halves: `accept_*` checks, rate-limits and queues the notification for the
dispatcher (in the order of calls: a sender's notifications are stored in the order it sent them)
and returns a future that resolves once it is stored and handed to live sessions; `send` waits for
that. The Socket.IO layer answers from the future (a connection reads its next event while the
store commits); the HTTP API waits.
"""

from __future__ import annotations

import asyncio
from typing import Any

from hub.config import HubConfig
from hub.delivery.limits import SendLimits
from hub.delivery.pipeline import Pipeline
from hub.delivery.ports import Waiter
from hub.delivery.rooms import RoomCache
from hub.delivery.sessions import Actor
from hub.delivery.users import UserCache
from hub.errors import Forbidden, NotFound
from hub.protocol import Announce, Broadcast, Kind, NotificationType, RoomMessage, SendNotification
from hub.store import NewNotification, Store, Stored
from hub.store.base import TO_EVERYONE
from hub.timeutil import utc_now_iso

Payload = SendNotification | RoomMessage | Broadcast | Announce


class Sender:
    def __init__(
        self,
        config: HubConfig,
        store: Store,
        users: UserCache,
        rooms: RoomCache,
        limits: SendLimits,
        pipeline: Pipeline,
    ) -> None:
        self._config = config
        self._store = store
        self._users = users
        self._rooms = rooms
        self._limits = limits
        self._pipeline = pipeline

    async def accept_direct(self, actor: Actor, payload: SendNotification) -> asyncio.Future[Stored]:
        async with actor.send_lock:
            self._check_type(actor, payload.type)
            recipient = await self._users.named(payload.to)
            if recipient is None and self._config.open:
                recipient = await self._store.ensure_user(payload.to)  # the seed guide queues for any name
            if recipient is None:
                raise NotFound(f"there is no user named {payload.to!r}")
            await self._limits.check(actor)
            return self._pipeline.enqueue(self._direct(actor, payload, recipient.id))

    def offer_direct(self, actor: Actor, payload: SendNotification, waiter: Waiter) -> bool:
        """`accept_direct` at once, when nothing in it has to wait: the actor has no send under way,
        the recipient is known in memory and the rate limit is kept in this process. True: queued
        (`waiter` is settled as `accept_direct`'s future would be); False: nothing was done, call
        `accept_direct`. A refusal raises as there."""
        if actor.send_lock.locked():  # an earlier send of this actor is waiting: go after it
            return False
        self._check_type(actor, payload.type)
        recipient = self._users.cached(payload.to)
        if recipient is None or not self._limits.check_now(actor):
            return False
        self._pipeline.offer(self._direct(actor, payload, recipient.id), waiter)
        return True

    @staticmethod
    def _direct(actor: Actor, payload: SendNotification, to_user_id: int) -> NewNotification:
        """`new` for a direct notification, in one call fewer (every direct send makes one)."""
        user = actor.user
        return NewNotification(
            Kind.DIRECT,
            payload.type,
            payload.title,
            payload.message,
            user.name,
            utc_now_iso(),
            to_user_id,
            None,  # room
            None,  # about_user_id
            payload.rich_wire() or None,
            (),  # audience
            user.id,  # sender_id
            payload.key,
        )

    async def accept_room(self, actor: Actor, payload: RoomMessage) -> asyncio.Future[Stored]:
        async with actor.send_lock:
            self._check_type(actor, payload.type)
            room = await self._rooms.sendable(payload.room, actor.user.name)
            rich = payload.rich_wire()
            await self._limits.check(actor)
            return self._pipeline.enqueue(
                self.new(
                    actor,
                    Kind.ROOM,
                    payload.type,
                    payload.title,
                    payload.message,
                    room=room.name,
                    rich=rich,
                    key=payload.key,
                )
            )

    async def accept_broadcast(self, actor: Actor, payload: Broadcast) -> asyncio.Future[Stored]:
        if not actor.admin:
            raise Forbidden("only admins may send to everyone")
        async with actor.send_lock:
            await self._limits.check(actor)
            draft = self.new(
                actor,
                Kind.EVERYONE,
                payload.type,
                payload.title,
                payload.message,
                rich=payload.rich_wire(),
                key=payload.key,
            )
            return self._pipeline.enqueue(draft)

    async def accept_announce(self, actor: Actor, payload: Announce) -> asyncio.Future[Stored]:
        if not actor.admin:
            raise Forbidden("only admins may make announcements")
        async with actor.send_lock:
            await self._limits.check(actor)
            draft = self.new(
                actor,
                Kind.ANNOUNCEMENT,
                NotificationType.SYSTEM,
                payload.title,
                payload.message,
                rich=payload.rich_wire(),
                key=payload.key,
            )
            return self._pipeline.enqueue(draft)

    async def send(self, actor: Actor, payload: Payload) -> Stored:
        """Accept a send and wait until it is stored and handed out (the HTTP API)."""
        if isinstance(payload, SendNotification):
            accepted = await self.accept_direct(actor, payload)
        elif isinstance(payload, RoomMessage):
            accepted = await self.accept_room(actor, payload)
        elif isinstance(payload, Broadcast):
            accepted = await self.accept_broadcast(actor, payload)
        else:
            accepted = await self.accept_announce(actor, payload)
        return await accepted

    async def submit(self, draft: NewNotification) -> Stored:
        """Queue a draft the hub makes itself (a room notice); returns once it is stored and handed out."""
        return await self._pipeline.enqueue(draft)

    async def authorise(self, actor: Actor, kind: Kind, type_: NotificationType, room: str | None) -> str | None:
        """Raise Forbidden or NotFound unless `actor` may send a notification of `kind` and `type_`
        (to `room`, for a room) now: the rules of the `accept_*` above, for a send made earlier and
        delivered later (a scheduled one, checked again when it fires). Returns the room's name."""
        if kind in TO_EVERYONE and not actor.admin:
            raise Forbidden("only admins may send to everyone")
        self._check_type(actor, type_)
        if kind is Kind.ROOM:
            return (await self._rooms.sendable(room or "", actor.user.name)).name
        return None

    @staticmethod
    def _check_type(actor: Actor, type_: NotificationType) -> None:
        if type_ is NotificationType.SYSTEM and not actor.admin:
            raise Forbidden("only admins may send notifications of type system")

    @staticmethod
    def new(
        actor: Actor,
        kind: Kind,
        type_: NotificationType,
        title: str,
        message: str,
        *,
        to_user_id: int | None = None,
        room: str | None = None,
        rich: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> NewNotification:
        """The draft of a notification from `actor`, stamped now; `rich` is what differs from a plain
        notification (`RichFields.rich_wire()`: empty or None for a plain one); `key` the sender's key,
        which replaces the sender's earlier notification of that key to the same addressee."""
        notice = kind is Kind.NOTICE
        # In the order of NewNotification's fields (half the time of keywords: one per send).
        return NewNotification(
            kind,
            type_,
            title,
            message,
            actor.user.name,
            utc_now_iso(),
            to_user_id,
            room,
            actor.user.id if notice else None,  # about_user_id
            rich or None,
            (),  # audience
            None if notice else actor.user.id,  # sender_id
            key,
        )
