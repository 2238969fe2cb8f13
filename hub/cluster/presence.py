"""Presence across hubs: `user_online`/`user_offline` decided cluster-wide in Redis and told to every hub
(each hub tells its batched clients in its own `presence` batches).

Socket.IO handlers only queue presence changes: one task applies them in order, so a slow or absent
Redis never holds up a connect or a disconnect. `list_online` and the welcome's list cover every hub
(the `Presence`'s remote view is `remote`). A change that Redis did not carry (it was down) is told
at a heartbeat.
"""

from __future__ import annotations

import asyncio
import logging

from hub.cluster.bus import ClusterBus
from hub.cluster.health import REDIS_DOWN, RedisHealth
from hub.cluster.redis_state import RedisState, member, parse_member
from hub.delivery import Fanout, Presence
from hub.store.base import User

log = logging.getLogger(__name__)


class ClusterPresenceNews:
    def __init__(
        self,
        state: RedisState,
        bus: ClusterBus,
        presence: Presence,
        fanout: Fanout,
        remote: dict[int, str],
        health: RedisHealth,
        ttl: float,
    ) -> None:
        self._state = state
        self._bus = bus
        self._presence = presence
        self._fanout = fanout
        #: Users online on the other hubs as last heard from Redis (the presence's remote view).
        self._remote = remote
        self._health = health
        self._ttl = ttl
        self._lock = asyncio.Lock()
        self._changes: asyncio.Queue[tuple[User, bool]] = asyncio.Queue()
        #: Users known online elsewhere whom the last heartbeat did not find in Redis (`heartbeat`).
        self._missing: set[int] = set()

    async def came_online(self, user: User) -> None:
        self._changes.put_nowait((user, True))

    async def went_offline(self, user: User) -> None:
        self._changes.put_nowait((user, False))

    async def run(self) -> None:
        """Apply the queued changes in order."""
        while True:
            user, online = await self._changes.get()
            try:
                await self._apply(user, online)
            except Exception:
                log.exception("presence change for %s failed", user.name)
            finally:
                self._changes.task_done()

    async def settle(self, wait: float) -> None:
        """Wait, at most `wait` seconds, until every queued change reached Redis."""
        try:
            await asyncio.wait_for(self._changes.join(), wait)
        except TimeoutError:
            log.warning("stopping before every presence change reached Redis")

    async def _apply(self, user: User, online: bool) -> None:
        async with self._lock:
            try:
                if online:
                    changed = await self._state.join(user.id, user.name)
                else:
                    changed = await self._state.leave(user.id, user.name)
                self._health.back()
            except REDIS_DOWN as exc:
                self._health.failed("presence", exc)
                changed = (user.id not in self._remote) if online else True
        if online:
            self._remote[user.id] = user.name
        elif changed:
            self._remote.pop(user.id, None)
        if changed:
            await self._tell(user.id, user.name, online=online)
            await self._bus.publish({"type": "presence", "member": member(user.id, user.name), "online": online})

    async def heard(self, raw_member: str, online: bool) -> None:
        """Another hub published a presence change."""
        user_id, name = parse_member(raw_member)
        if self._learn(user_id, name, online=online):
            await self._tell(user_id, name, online=online)

    def _learn(self, user_id: int, name: str, *, online: bool) -> bool:
        """Note another hub's user as online or offline; True if that is news to this hub."""
        known = user_id in self._remote
        if online:
            self._remote[user_id] = name
        else:
            self._remote.pop(user_id, None)
        return known != online

    async def _tell(self, user_id: int, name: str, *, online: bool) -> None:
        await self._fanout.tell_presence(user_id, name, online=online)

    async def heartbeat(self) -> None:
        """Tell Redis this hub lives and who is on it; learn who is online; take dead hubs' users offline.

        What Redis says is compared with what this hub knew, and the difference is told to its
        clients: a change published while Redis was down (or before this hub subscribed again) is
        lost, and they would never hear of it. A user who is missing is told offline only when still
        missing at the next heartbeat (unless their hub died): a Redis that restarted empty holds only
        the hubs that have beaten since, and the others' users would go offline and online again."""
        async with self._lock:
            mine = sorted({member(s.user.id, s.user.name) for s in self._presence.sessions.values()})
            before = dict(self._remote)
            try:
                beat = await self._state.beat(self._ttl, mine)
                self._health.back()
            except REDIS_DOWN as exc:
                self._health.failed("heartbeat", exc)
                return
        online = dict(parse_member(m) for m in beat.online)
        gone = dict(parse_member(m) for m in beat.gone)
        news: list[tuple[int, str, bool]] = []
        missing: set[int] = set()
        for user_id in before.keys() | online.keys():
            if self._remote.get(user_id) != before.get(user_id):
                continue  # a published change came in while Redis answered: it is the newer news
            is_online = user_id in online
            if not is_online and user_id not in gone and user_id not in self._missing:
                missing.add(user_id)
                continue
            name = online.get(user_id) or before[user_id]
            if self._learn(user_id, name, online=is_online):
                news.append((user_id, name, is_online))
        self._missing = missing
        for user_id, name, is_online in news:
            await self._tell(user_id, name, online=is_online)
        for user_id, name in gone.items():  # the other hubs hear of it now, not at their next heartbeat
            log.info("%s went offline with a hub that stopped answering", name)
            await self._bus.publish({"type": "presence", "member": member(user_id, name), "online": False})
