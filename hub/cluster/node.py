"""`ClusterNode`: what a hub adds to its delivery when several hubs share PostgreSQL and Redis.

It plugs into `hub.delivery.Delivery` as its `Extension`:
- delivery: a stored batch is published to the other hubs and fed, like theirs, into this hub's
  `Chain`, which delivers to local sessions in id order exactly once and reads from the store what
  Redis lost (`ClusterOutlet`). The sender's `ok` still means "stored in PostgreSQL".
- presence: `user_online`/`user_offline` are decided cluster-wide in Redis and told to every hub
  (`ClusterPresenceNews`); `list_online` and the welcome's list cover every hub.
- rate limits: one token bucket per user in Redis, shared by all hubs; so are the sign-in limits
  (per user name and per address) and the room join and leave limits (`RedisBuckets`).
Without Redis for a moment, each of these falls back to what one hub knows, and heals afterwards.
"""

from __future__ import annotations

import logging
from typing import Any

from redis import asyncio as aioredis

from hub.cluster.bus import ClusterBus
from hub.cluster.chain import Chain, Link
from hub.cluster.health import REDIS_DOWN, RedisHealth
from hub.cluster.limits import RedisBuckets
from hub.cluster.outlet import ClusterOutlet
from hub.cluster.presence import ClusterPresenceNews
from hub.cluster.redis_state import RedisState
from hub.config import HubConfig
from hub.delivery import BackgroundJobs, Fanout, Presence
from hub.metrics import NoMetrics
from hub.protocol import Notification
from hub.ratelimit import Buckets
from hub.store.base import Stored
from hub.store.postgres import PostgresStore

log = logging.getLogger(__name__)

#: The longest a stopping hub waits for its presence changes to reach Redis.
SETTLE_WAIT = 5.0


class ClusterNode:
    def __init__(self, config: HubConfig, store: PostgresStore, bus: ClusterBus, client: aioredis.Redis) -> None:
        self.store = store
        self.bus = bus
        self.state = RedisState(client, bus.hub_id)
        self.ttl = config.cluster_ttl_seconds
        self.health = RedisHealth()
        self.remote_online: dict[int, str] = {}
        self.chain: Chain | None = None
        self.news: ClusterPresenceNews | None = None

    # ------------------------------------------------------------------ the Extension seam

    def outlet(self, fanout: Fanout, metrics: NoMetrics) -> ClusterOutlet:
        self.chain = Chain(0, self.store, fanout.deliver)
        return ClusterOutlet(self.store, self.chain, self.bus, metrics, fanout.presence)

    def presence_news(self, presence: Presence, fanout: Fanout) -> ClusterPresenceNews:
        self.news = ClusterPresenceNews(
            self.state, self.bus, presence, fanout, self.remote_online, self.health, self.ttl
        )
        return self.news

    def buckets(self, prefix: str, burst: int, refill: float, fallback: Buckets, *, what: str) -> Buckets:
        return RedisBuckets(self.state, prefix, burst, refill, fallback, self.health, what=what)

    async def start(self, jobs: BackgroundJobs) -> None:
        chain, news = self._parts()
        chain.applied = await self.store.head()
        self.bus.handler = self._on_message
        jobs.spawn(chain.run(), "chain")
        jobs.spawn(news.run(), "presence")
        jobs.every(self.ttl / 5, news.heartbeat, "heartbeat", first_now=True)

    async def settle(self) -> None:
        """The users who were only here go offline for the others."""
        await self._parts()[1].settle(SETTLE_WAIT)

    async def close(self) -> None:
        self.bus.handler = None
        try:
            await self.state.quit()
        except REDIS_DOWN as exc:
            log.warning("could not take this hub out of Redis (%s); the others drop it after %s s", exc, self.ttl)

    # ------------------------------------------------------------------ messages from the other hubs

    async def _on_message(self, data: dict[str, Any]) -> None:
        chain, news = self._parts()
        kind = data.get("type")
        if kind == "batch":
            items = tuple(Stored(Notification.model_validate(n), tuple(r)) for n, r in data["items"])
            chain.offer(Link(int(data["prev"]), int(data["head"]), items))
        elif kind == "presence":
            await news.heard(data["member"], bool(data["online"]))

    def _parts(self) -> tuple[Chain, ClusterPresenceNews]:
        if self.chain is None or self.news is None:
            raise RuntimeError("the cluster node is not part of a hub's delivery yet")
        return self.chain, self.news
