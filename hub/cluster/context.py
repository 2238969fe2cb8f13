"""A hub's Redis resources for a cluster, as an aiohttp cleanup context: the bus, and a client for
presence and limits."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web
from redis import asyncio as aioredis

from hub.app_keys import CLUSTER_BUS, CLUSTER_REDIS
from hub.cluster.bus import ClusterBus
from hub.config import HubConfig
from hub.redaction import redact_url

log = logging.getLogger(__name__)


def cluster_ctx(config: HubConfig) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        assert config.redis is not None
        bus = ClusterBus(config.redis)
        client = aioredis.Redis.from_url(
            config.redis, socket_connect_timeout=2, socket_timeout=2, health_check_interval=5
        )
        app[CLUSTER_BUS] = bus
        app[CLUSTER_REDIS] = client
        bus.start()
        log.info("cluster: Redis at %s, hub %s", redact_url(config.redis), bus.hub_id)
        yield
        await bus.close()
        await client.aclose()

    return ctx
