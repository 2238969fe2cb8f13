"""Scheduled delivery: sends stored now and delivered later, once, by one hub.

A scheduled send is checked as a send is (who may send what to whom, the sender's rate limit) when
it is made, and stored as a `scheduled` row (`hub.store.schedule`); its ack says when it will be
delivered. `run`, owned by the hub's background jobs, sleeps until the soonest row is due (woken
early when a sooner one is added here), claims what is due, and queues each as a notification in the
one pipeline of sends, so it takes its id in order and reaches devices like any other. The
transaction that stores it removes its row: a hub killed at any point neither loses nor doubles one.

Several hubs on one PostgreSQL store: a row added on another hub does not wake this one, so this hub
also looks at the store every `CLUSTER_POLL` seconds (one indexed query); the hub that accepted a send
wakes at its time itself. Alone on its SQLite file, a hub sleeps until the next due time (at most
`MAX_SLEEP`, in case the wall clock is set) and, at start, forgets the claims of a process that died.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from hub.config import HubConfig
from hub.delivery.limits import SendLimits
from hub.delivery.rooms import RoomCache
from hub.delivery.sending import Payload, Sender
from hub.delivery.sessions import Actor
from hub.delivery.users import UserCache
from hub.errors import Conflict, Forbidden, NotFound, Unavailable
from hub.protocol import Announce, Broadcast, Kind, NotificationType, SendNotification
from hub.schedule import ScheduleFields, epoch_ms, from_epoch_ms, iso_ms, scheduled_ack
from hub.store import NewNotification, Store
from hub.store.edits import KeyRef, addressee
from hub.store.schedule import NewSchedule, PendingSchedule, ScheduleGone
from hub.timeutil import utc_now_iso

log = logging.getLogger(__name__)

#: How long a hub holds a due row it claimed before another may claim it (ms): far longer than
#: storing a notification takes, and the longest a hub's death can delay a due notification.
LEASE_MS: Final = 5000
#: Rows claimed and queued at once.
FIRE_BATCH: Final = 256
#: With several hubs: how often the store is asked for rows added on the others (seconds).
CLUSTER_POLL: Final = 1.0
#: Alone: the longest sleep, so that a wall clock set forward is noticed (seconds).
MAX_SLEEP: Final = 60.0
#: After the store failed, the wait before the next look (seconds).
RETRY: Final = 1.0


class Scheduler:
    def __init__(
        self,
        config: HubConfig,
        store: Store,
        users: UserCache,
        rooms: RoomCache,
        limits: SendLimits,
        sender: Sender,
        *,
        clustered: bool,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._store = store
        self._users = users
        self._rooms = rooms
        self._limits = limits
        self._sender = sender
        self._clustered = clustered
        #: Wall-clock seconds: what `deliver_at` is measured in (a seam for tests).
        self.clock = clock
        #: This hub's name on the claims it makes.
        self.hub_id = uuid.uuid4().hex
        self._wake = asyncio.Event()
        self._failing = False

    # ------------------------------------------------------------------ requests

    async def schedule(self, actor: Actor, send: Payload, fields: ScheduleFields) -> dict[str, Any]:
        """Check a send as if it were sent now, and store it to deliver at its time; the ack's body."""
        moment = fields.when(datetime.fromtimestamp(self.clock(), UTC), self._config.schedule_min_seconds)
        kind, to_user_id, room, type_ = await self._address(actor, send)
        await self._limits.check(actor)
        new = NewSchedule(
            user_id=actor.user.id,
            key=fields.key,
            kind=kind,
            type=type_,
            title=send.title,
            message=send.message,
            sender=actor.user.name,
            to_user_id=to_user_id,
            room=room,
            rich=send.rich_wire() or None,
            deliver_at=epoch_ms(moment),
            created_at=utc_now_iso(),
        )
        cap = self._config.schedule_max_pending
        schedule_id = await self._store.schedule.add(new, cap)
        if schedule_id is None:
            raise Conflict(f"you have {cap} scheduled notifications pending (schedule_max_pending): cancel one or wait")
        self.wake()
        log.info("%s scheduled notification %d for %s", actor.user.name, schedule_id, iso_ms(moment))
        return scheduled_ack(schedule_id, from_epoch_ms(new.deliver_at))

    async def _address(self, actor: Actor, send: Payload) -> tuple[Kind, int | None, str | None, NotificationType]:
        """Whom the send is for, refused as `Sender` refuses it: `(kind, to_user_id, room, type)`."""
        to_user_id: int | None = None
        room: str | None = None
        if isinstance(send, Announce):
            kind, type_ = Kind.ANNOUNCEMENT, NotificationType.SYSTEM
        elif isinstance(send, Broadcast):
            kind, type_ = Kind.EVERYONE, send.type
        elif isinstance(send, SendNotification):
            kind, type_ = Kind.DIRECT, send.type
        else:
            kind, type_, room = Kind.ROOM, send.type, send.room
        room = await self._sender.authorise(actor, kind, type_, room)
        if isinstance(send, SendNotification):
            recipient = await self._users.named(send.to)
            if recipient is None and self._config.open:
                recipient = await self._store.ensure_user(send.to)
            if recipient is None:
                raise NotFound(f"there is no user named {send.to!r}")
            to_user_id = recipient.id
        return kind, to_user_id, room, type_

    async def cancel(self, actor: Actor, key: str) -> dict[str, Any]:
        """`cancel_scheduled {key}`: the caller's pending schedules with that key; the ack's body."""
        cancelled = await self.cancel_key(actor.user.id, key)
        if not cancelled:
            raise NotFound(f"you have no scheduled notification with key {key!r} pending")
        log.info("%s cancelled %d scheduled notifications with key %r", actor.user.name, cancelled, key)
        return {"ok": True, "cancelled": cancelled}

    async def cancel_key(self, user_id: int, key: str) -> int:
        """Remove the user's pending schedules with that key; how many there were."""
        return await self._store.schedule.cancel(user_id, key)

    async def retracted(self, ref: KeyRef) -> int:
        """A retraction of (sender, key, addressee) cancels what is still waiting to go there under
        that key; how many it cancelled."""
        sender_id, key, where = ref
        dropped = 0
        for row in await self._store.schedule.pending(sender_id):
            new = row.new
            if new.key == key and addressee(new.kind, new.to_user_id, new.room) == where:
                dropped += await self._store.schedule.drop(sender_id, row.id)
        return dropped

    async def pending(self, actor: Actor) -> list[dict[str, Any]]:
        """The caller's pending schedules, soonest first, as `GET /api/scheduled` lists them."""
        rows = await self._store.schedule.pending(actor.user.id)
        names: dict[int, str] = {}
        for row in rows:
            to = row.new.to_user_id
            if to is not None and to not in names:
                user = await self._store.get_user_by_id(to)
                names[to] = user.name if user is not None else ""
        return [_listed(row, names) for row in rows]

    # ------------------------------------------------------------------ firing

    def wake(self) -> None:
        """Look at the store now (a schedule was added, or the clock was moved)."""
        self._wake.set()

    async def run(self) -> None:
        """Fire what is due, then sleep until the next is; until cancelled (at the hub's stop)."""
        released = self._clustered  # alone: first forget the claims of a process that died
        while True:
            self._wake.clear()
            timeout = await self._turn(release=not released)
            released = released or not self._failing
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass

    async def _turn(self, *, release: bool = False) -> float:
        """Fire what is due (after forgetting every claim, with `release`); the seconds until the
        next look."""
        longest = CLUSTER_POLL if self._clustered else MAX_SLEEP
        try:
            if release:
                await self._store.schedule.release_all()
            due = await self._store.schedule.next_due()  # a read: an idle hub writes nothing
            if due is not None and due <= self.clock() * 1000:
                await self.fire_due()
                due = await self._store.schedule.next_due()
        except Exception as exc:  # the store is down, or something unforeseen: look again soon
            if not self._failing:
                words = exc.message if isinstance(exc, Unavailable) else repr(exc)
                log.warning(
                    "cannot deliver scheduled notifications yet: %s", words, exc_info=not isinstance(exc, Unavailable)
                )
            self._failing = True
            return RETRY
        self._failing = False
        if due is None:
            return longest
        # A millisecond late rather than early: a row is due when its time is at or before now.
        return min(longest, max(0.0, due / 1000 - self.clock()) + 0.001)

    async def fire_due(self) -> int:
        """Claim what is due and queue it; how many were stored by this hub."""
        fired = 0
        while True:
            now = int(self.clock() * 1000)
            rows = await self._store.schedule.claim(self.hub_id, now, LEASE_MS, FIRE_BATCH)
            if not rows:
                return fired
            allowed = [row for row in rows if await self._still_allowed(row)]
            drafts = [self._sender.submit(_draft(row)) for row in allowed]
            results = await asyncio.gather(*drafts, return_exceptions=True)
            for row, result in zip(allowed, results, strict=True):
                if isinstance(result, ScheduleGone):
                    log.debug("scheduled notification %d was delivered by another hub or cancelled", row.id)
                elif isinstance(result, BaseException):
                    # The claim runs out and the row is claimed again (here or on another hub).
                    log.warning("could not deliver scheduled notification %d yet: %s", row.id, result)
                else:
                    fired += 1
                    log.info("delivered scheduled notification %d as notification %d", row.id, result.notification.id)
            if len(rows) < FIRE_BATCH:
                return fired

    async def _still_allowed(self, row: PendingSchedule) -> bool:
        """Whether the row's sender may still send it, by the rules of a send (`Sender.authorise`):
        one who lost access to a restricted room, or an admin no longer one, does not get it out. A
        row refused is dropped and logged once; the sender sees it gone from `GET /api/scheduled`.
        (A deleted sender or recipient takes its rows with it: the store's foreign keys.)"""
        new = row.new
        user = await self._store.get_user_by_id(new.user_id)
        try:
            if user is None:
                raise NotFound("the sender no longer exists")
            await self._sender.authorise(Actor(user), new.kind, new.type, new.room)
        except (Forbidden, NotFound) as exc:
            await self._store.schedule.drop(new.user_id, row.id)
            log.info("dropped scheduled notification %d of %s at its time: %s", row.id, new.sender, exc.message)
            return False
        return True


def _draft(row: PendingSchedule) -> NewNotification:
    new = row.new
    return NewNotification(
        kind=new.kind,
        type=new.type,
        title=new.title,
        message=new.message,
        sender=new.sender,
        timestamp=utc_now_iso(),
        to_user_id=new.to_user_id,
        room=new.room,
        rich=new.rich,
        schedule_id=row.id,
        sender_id=new.user_id,
        key=new.key,
    )


def _listed(row: PendingSchedule, names: dict[int, str]) -> dict[str, Any]:
    new = row.new
    return {
        "schedule_id": row.id,
        "key": new.key,
        "deliver_at": from_epoch_ms(new.deliver_at),
        "kind": new.kind.value,
        "to": names.get(new.to_user_id) if new.to_user_id is not None else None,
        "room": new.room,
        "type": new.type.value,
        "title": new.title,
        "message": new.message,
        "created_at": new.created_at,
        **(new.rich or {}),
    }
