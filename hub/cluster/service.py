"""`ClusterService`: the hub service when several hubs share PostgreSQL and Redis.

What changes from one hub:
- delivery: a stored batch is published to the other hubs and fed, like theirs, into this hub's
  `Chain`, which delivers to local sessions in id order exactly once and reads from the store what
  Redis lost. The sender's `ok` still means "stored in PostgreSQL".
- presence: `user_online`/`user_offline` are decided cluster-wide in Redis and told to every hub;
  `list_online` and the welcome's list cover every hub. A change that Redis did not carry (it was
  down) is told at a heartbeat.
- rate limits: one token bucket per user in Redis, shared by all hubs; so are the sign-in limits
  (per user name and per address).
Without Redis for a moment, each of these falls back to what one hub knows, and heals afterwards.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from redis import asyncio as aioredis
from redis.exceptions import RedisError

from hub.cluster.chain import Chain, Link
from hub.cluster.manager import ClusterManager
from hub.cluster.redis_state import RedisState, member, parse_member
from hub.config import HubConfig
from hub.delivery.sessions import Actor, Presence
from hub.errors import HubError, MembershipRateLimited, RateLimited, SignInThrottled, Unavailable
from hub.protocol import Event, Notification
from hub.service import LOGIN_BURST, LOGIN_REFILL_PER_SECOND, HubService, Transport, _fail, _presence
from hub.store.base import Draft, Stored, User
from hub.store.postgres import PostgresStore

log = logging.getLogger(__name__)

_REDIS_DOWN = (RedisError, OSError, TimeoutError)


class ClusterPresence(Presence):
    """Local sessions, plus the users online on the other hubs as last heard from Redis."""

    def __init__(self) -> None:
        super().__init__()
        self.elsewhere: dict[int, str] = {}

    def online_names(self) -> list[str]:
        return sorted({*super().online_names(), *self.elsewhere.values()})

    def is_online(self, user_id: int) -> bool:
        return super().is_online(user_id) or user_id in self.elsewhere


class ClusterService(HubService):
    def __init__(
        self,
        config: HubConfig,
        store: PostgresStore,
        transport: Transport,
        manager: ClusterManager,
        client: aioredis.Redis,
    ) -> None:
        super().__init__(config, store, transport)
        self.pg = store
        self.manager = manager
        self.state = RedisState(client, manager.host_id)
        self.presence: ClusterPresence = ClusterPresence()
        self.chain = Chain(0, store, self._deliver)
        self.ttl = config.cluster_ttl_seconds
        self._presence_lock = asyncio.Lock()
        self._presence_changes: asyncio.Queue[tuple[User, bool]] = asyncio.Queue()
        #: Users known online elsewhere whom the last heartbeat did not find in Redis (`heartbeat`).
        self._missing: set[int] = set()
        self._redis_ok = True

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self.chain.applied = await self.pg.head()
        self.manager.handler = self._on_message
        await super().start()
        self._spawn(self.chain.run(), "chain")
        self._spawn(self._presence_loop(), "presence")
        self._spawn(self._every(self.ttl / 5, self.heartbeat, first_now=True), "heartbeat")

    async def stop(self) -> None:
        try:  # the users who were only here go offline for the others
            await asyncio.wait_for(self._presence_changes.join(), 5.0)
        except TimeoutError:
            log.warning("stopping before every presence change reached Redis")
        await super().stop()
        self.manager.handler = None
        try:
            await self.state.quit()
        except _REDIS_DOWN as exc:
            log.warning("could not take this hub out of Redis (%s); the others drop it after %s s", exc, self.ttl)

    def _redis_failed(self, what: str, exc: BaseException) -> None:
        if self._redis_ok:
            log.warning("Redis unreachable (%s: %s): this hub falls back to local state until it returns", what, exc)
        self._redis_ok = False

    def _redis_back(self) -> None:
        if not self._redis_ok:
            log.info("Redis is back")
        self._redis_ok = True

    # ------------------------------------------------------------------ delivery

    async def _dispatch(self, batch: list[tuple[Draft, asyncio.Future[Stored]]]) -> None:
        # Every hub delivers from the chain (`Chain.run`), this one too: HubService's deliverer idles.
        try:
            stored = await self.pg.add_batch([d for d, _ in batch])
        except Unavailable as exc:
            _fail(batch, exc)
            return
        except Exception as exc:  # as on one hub: one bad draft (its recipient just deleted) fails alone
            if len(batch) > 1:
                for one in batch:
                    await self._dispatch([one])
                return
            log.error("could not store a notification from %s", batch[0][0].sender, exc_info=exc)
            _fail(batch, exc if isinstance(exc, HubError) else HubError("the notification could not be stored"))
            return
        link = Link(stored.prev, stored.head, tuple(stored.stored))
        self.chain.offer(link)
        await self.manager.publish(
            {
                "type": "batch",
                "prev": link.prev,
                "head": link.head,
                "items": [[s.notification.model_dump(mode="json"), list(s.recipients)] for s in link.items],
            }
        )
        for (_, future), item in zip(batch, stored.stored, strict=True):
            self.metrics.dispatched(item, self.presence)  # counted by the hub that stored it
            if not future.done():
                future.set_result(item)

    async def _on_message(self, data: dict[str, Any]) -> None:
        kind = data.get("type")
        if kind == "batch":
            items = tuple(Stored(Notification.model_validate(n), tuple(r)) for n, r in data["items"])
            self.chain.offer(Link(int(data["prev"]), int(data["head"]), items))
        elif kind == "presence":
            user_id, name = parse_member(data["member"])
            online = bool(data["online"])
            if self._learn(user_id, name, online=online):
                await self._tell(user_id, name, online=online)

    # ------------------------------------------------------------------ presence

    # Socket.IO handlers only queue presence changes: one task applies them in order, so a slow or
    # absent Redis never holds up a connect or a disconnect.

    async def _user_online(self, user: User) -> None:
        self._presence_changes.put_nowait((user, True))

    async def _user_offline(self, user: User) -> None:
        self._presence_changes.put_nowait((user, False))

    async def _presence_loop(self) -> None:
        while True:
            user, online = await self._presence_changes.get()
            try:
                await self._apply_presence(user, online)
            except Exception:
                log.exception("presence change for %s failed", user.name)
            finally:
                self._presence_changes.task_done()

    async def _apply_presence(self, user: User, online: bool) -> None:
        async with self._presence_lock:
            try:
                if online:
                    changed = await self.state.join(user.id, user.name)
                else:
                    changed = await self.state.leave(user.id, user.name)
                self._redis_back()
            except _REDIS_DOWN as exc:
                self._redis_failed("presence", exc)
                changed = (user.id not in self.presence.elsewhere) if online else True
        if online:
            self.presence.elsewhere[user.id] = user.name
        elif changed:
            self.presence.elsewhere.pop(user.id, None)
        if changed:
            await self._announce(user, online=online)

    async def _announce(self, user: User, *, online: bool) -> None:
        await self._tell(user.id, user.name, online=online)
        await self.manager.publish({"type": "presence", "member": member(user.id, user.name), "online": online})

    def _learn(self, user_id: int, name: str, *, online: bool) -> bool:
        """Note another hub's user as online or offline; True if that is news to this hub."""
        known = user_id in self.presence.elsewhere
        if online:
            self.presence.elsewhere[user_id] = name
        else:
            self.presence.elsewhere.pop(user_id, None)
        return known != online

    async def _tell(self, user_id: int, name: str, *, online: bool) -> None:
        await self._emit_others(user_id, Event.USER_ONLINE if online else Event.USER_OFFLINE, _presence(name))

    async def heartbeat(self) -> None:
        """Tell Redis this hub lives and who is on it; learn who is online; take dead hubs' users offline.

        What Redis says is compared with what this hub knew, and the difference is told to its
        clients: a change published while Redis was down (or before this hub subscribed again) is
        lost, and they would never hear of it. A user who is missing is told offline only when still
        missing at the next heartbeat (unless their hub died): a Redis that restarted empty holds only
        the hubs that have beaten since, and the others' users would go offline and online again."""
        async with self._presence_lock:
            mine = sorted({member(s.user.id, s.user.name) for s in self.presence.sessions.values()})
            before = dict(self.presence.elsewhere)
            try:
                beat = await self.state.beat(self.ttl, mine)
                self._redis_back()
            except _REDIS_DOWN as exc:
                self._redis_failed("heartbeat", exc)
                return
        online = dict(parse_member(m) for m in beat.online)
        gone = dict(parse_member(m) for m in beat.gone)
        news: list[tuple[int, str, bool]] = []
        missing: set[int] = set()
        for user_id in before.keys() | online.keys():
            if self.presence.elsewhere.get(user_id) != before.get(user_id):
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
            await self.manager.publish({"type": "presence", "member": member(user_id, name), "online": False})

    # ------------------------------------------------------------------ rate limits

    async def _check_rate(self, actor: Actor) -> None:
        try:
            wait = await self.state.take(actor.user.name, self.config.rate_burst, self.config.rate_refill_per_second)
            self._redis_back()
        except _REDIS_DOWN as exc:
            self._redis_failed("rate limit", exc)
            wait = self.send_limits.take(actor.user.name)
        if wait > 0:
            raise RateLimited(wait)

    async def check_membership(self, actor: Actor) -> None:
        try:
            burst, refill = self.config.membership_burst, self.config.membership_refill_per_second
            wait = await self.state.take("membership:" + actor.user.name, burst, refill)
            self._redis_back()
        except _REDIS_DOWN as exc:
            self._redis_failed("membership limit", exc)
            await super().check_membership(actor)
            return
        if wait > 0:
            raise MembershipRateLimited(wait)

    async def check_login(self, username: str, address: str) -> None:
        try:  # the address first, as on one hub
            wait = await self.state.take("login:addr:" + address, LOGIN_BURST, LOGIN_REFILL_PER_SECOND)
            if wait <= 0:
                wait = await self.state.take("login:user:" + username, LOGIN_BURST, LOGIN_REFILL_PER_SECOND)
            self._redis_back()
        except _REDIS_DOWN as exc:
            self._redis_failed("sign-in limit", exc)
            await super().check_login(username, address)
            return
        if wait > 0:
            raise SignInThrottled(wait)
