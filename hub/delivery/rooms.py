"""Rooms: joining and leaving them (`Rooms`), and rooms as the send path sees them, from memory
(`RoomCache`, for `Sender.accept_room`).

A sender's events are handled in order, and the store has one thread that also commits every batch:
a lookup per room message (one for the room, another for the sender's membership) would hold the
sender's next message behind the store's commits, and room messages would go far slower than
direct notifications.

What the cache may get wrong, and for how long:
- a room removed by the admin CLI, or a restricted room left on another hub of a cluster, is still
  sent to for at most ROOM_CACHE_SECONDS (a removed room's messages reach nobody);
- nothing else: a room joined or left on this hub is looked up again at its next send, and a send
  that would be refused (no such room, not a member) is always checked with the store first, so a
  room made or joined elsewhere counts at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hub.config import HubConfig
from hub.delivery.limits import MembershipLimits
from hub.delivery.sessions import Session
from hub.errors import Forbidden, NotFound
from hub.protocol import Kind, NotificationType, RoomRef
from hub.store import Room, Store

if TYPE_CHECKING:
    from hub.delivery.sending import Sender

#: How long a room, and who is in it, is trusted before the next send looks it up again.
ROOM_CACHE_SECONDS = 5.0
#: Rooms kept before the first sweep of stale entries (any user can make rooms by joining them).
_FIRST_SWEEP = 256


@dataclass(frozen=True, slots=True)
class _Known:
    room: Room
    members: frozenset[str]
    at: float

    def refuses(self, sender: str) -> bool:
        return self.room.restricted and sender not in self.members


class RoomCache:
    """The rooms that senders send to, each with its members, looked up again when stale."""

    def __init__(self, look_up: Callable[[str], Awaitable[Room | None]], clock: Callable[[], float]) -> None:
        self._look_up = look_up
        self._clock = clock
        self._known: dict[str, _Known] = {}
        #: Bumped by `forget`: a lookup that was under way meanwhile may have read what was before,
        #: and is used for its send but not kept. (Joins and leaves are rare next to sends.)
        self._forgotten = 0
        self._sweep_at = _FIRST_SWEEP

    async def sendable(self, name: str, sender: str) -> Room:
        """The room called `name`, if the user called `sender` may send to it; otherwise raises
        NotFound or Forbidden (with the messages the hub has always given)."""
        known = self._known.get(name)
        if known is None or self._clock() - known.at >= ROOM_CACHE_SECONDS or known.refuses(sender):
            known = await self._fetch(name)
        if known.refuses(sender):
            raise Forbidden(f"room {name!r} is restricted to its members")
        return known.room

    def forget(self, name: str) -> None:
        """Someone joined or left `name` here: its next send looks it up."""
        self._known.pop(name, None)
        self._forgotten += 1

    async def _fetch(self, name: str) -> _Known:
        forgotten = self._forgotten
        room = await self._look_up(name)
        if room is None:
            self._known.pop(name, None)
            raise NotFound(f"there is no room named {name!r}")
        known = _Known(room, frozenset(room.members), self._clock())
        if self._forgotten == forgotten:
            self._known[name] = known
            if len(self._known) >= self._sweep_at:
                self._sweep()
        return known

    def _sweep(self) -> None:
        now = self._clock()
        self._known = {name: k for name, k in self._known.items() if now - k.at < ROOM_CACHE_SECONDS}
        self._sweep_at = max(_FIRST_SWEEP, 2 * len(self._known))


class Rooms:
    """Joining and leaving rooms: the store, the send path's cache, and the notice to the members."""

    def __init__(
        self, config: HubConfig, store: Store, cache: RoomCache, limits: MembershipLimits, sender: Sender
    ) -> None:
        self.config = config
        self._store = store
        self._cache = cache
        self._limits = limits
        self._sender = sender

    async def join(self, session: Session, payload: RoomRef) -> dict[str, Any]:
        await self._limits.check(session)
        if not session.admin and await self._store.get_room(payload.room) is None:
            await self._check_room_quota(session, payload.room)
        if not await self._store.may_join(payload.room, session.user.id):
            raise Forbidden(f"room {payload.room!r} is restricted to its members")
        joined = await self._store.join_room(payload.room, session.user.id)
        self._cache.forget(payload.room)
        if joined:
            notice = self._sender.new(
                session,
                Kind.NOTICE,
                NotificationType.INFO,
                "",
                f"{session.user.name} joined {payload.room}",
                room=payload.room,
            )
            await self._sender.submit(notice)
        return {"ok": True, "room": payload.room, "joined": joined}

    async def _check_room_quota(self, session: Session, name: str) -> None:
        """Joining a name no room has makes a room: at most `rooms_per_user` of them per user (admins
        are not counted; 0: only admins make rooms)."""
        limit = self.config.rooms_per_user
        if limit == 0:
            raise Forbidden(f"there is no room named {name!r}, and on this hub only admins make rooms")
        if await self._store.rooms_made_by(session.user.id) >= limit:
            raise Forbidden(
                f"you have made {limit} rooms by joining, the most this hub allows (rooms_per_user): "
                f"leave one of them, or ask an admin to make {name!r}"
            )

    async def leave(self, session: Session, payload: RoomRef) -> dict[str, Any]:
        await self._limits.check(session)
        left = await self._store.leave_room(payload.room, session.user.id)
        self._cache.forget(payload.room)
        return {"ok": True, "room": payload.room, "left": left}
