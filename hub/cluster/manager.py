"""The Redis side of a cluster: python-socketio's `AsyncRedisManager`, plus our own messages on its channel.

Hubs talk through the manager's pub/sub channel. Besides python-socketio's own messages (`emit`,
`disconnect`, ...) it carries ours, `{"method": "lan-notify", ...}`: stored batches and presence
changes, handed to `ClusterNode`. An emit to a sid connected to this hub stays local (it never needs
the other hubs); the manager would otherwise publish every single delivery to every hub.

The manager drops what it publishes while Redis is unreachable (python-socketio issue #1411): the
hub never relies on a publish arriving (see `hub.cluster.chain`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import socketio
from aiohttp import web
from redis import asyncio as aioredis

from hub.store.factory import redact

log = logging.getLogger(__name__)

CHANNEL = "lan-notify"
METHOD = "lan-notify"
#: The longest a hub waits for one publish before dropping it; what it carried is in the store anyway.
PUBLISH_WAIT = 2.0
#: The longest pause between two attempts to subscribe again after Redis went away.
RESUBSCRIBE_MAX_WAIT = 2.0

Handler = Callable[[dict[str, Any]], Awaitable[None]]


class ClusterManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    def __init__(self, url: str, *, channel: str = CHANNEL) -> None:
        super().__init__(
            url,
            channel=channel,
            logger=logging.getLogger("hub.cluster.redis"),
            # No read timeout: the listener waits on an idle channel. A dead connection shows up
            # in a health check instead; an unreachable server fails to connect within seconds.
            redis_options={"socket_connect_timeout": 2, "health_check_interval": 5},
        )
        self.handler: Handler | None = None

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str | None = None,
        room: str | None = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: str | None = None,
        **kwargs: Any,
    ) -> Any:
        target = to or room
        if callback is None and target is not None and self.is_connected(target, namespace or "/"):
            kwargs["ignore_queue"] = True  # a client of this hub: no other hub needs to hear of it
        return await super().emit(
            event, data, namespace=namespace, room=target, skip_sid=skip_sid, callback=callback, **kwargs
        )

    async def publish(self, payload: dict[str, Any]) -> None:
        """Send one of our messages to the other hubs (best effort: dropped while Redis is down or slow)."""
        try:
            await asyncio.wait_for(self._publish({**payload, "method": METHOD, "host_id": self.host_id}), PUBLISH_WAIT)
        except TimeoutError:
            log.warning(
                "publishing to Redis took longer than %s s: dropped (the other hubs read it from the store)",
                PUBLISH_WAIT,
            )

    async def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        """python-socketio's own loop, with the pause between attempts capped at RESUBSCRIBE_MAX_WAIT
        (its own doubles up to 60 s, so after a long Redis outage a hub could go on missing the
        others' messages for a minute after Redis returned: slower delivery, lost presence events)."""
        wait = 0.25
        while True:
            try:
                self._redis_connect()
                await self.pubsub.subscribe(self.channel)
                if wait > 0.25:
                    log.info("subscribed to Redis again")
                wait = 0.25
                async for message in self.pubsub.listen():
                    yield message
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                level = logging.WARNING if wait == 0.25 else logging.DEBUG
                log.log(level, "cannot receive from Redis (%s); trying again in %.2g s", exc, wait)
                with contextlib.suppress(Exception):
                    await self.pubsub.aclose()  # the dead subscription's connection
                await asyncio.sleep(wait)
                wait = min(wait * 2, RESUBSCRIBE_MAX_WAIT)

    async def _listen(self) -> AsyncIterator[Any]:
        async for message in super()._listen():
            data = _decode(message)
            if data is None or data.get("method") != METHOD:
                yield message
                continue
            if data.get("host_id") == self.host_id or self.handler is None:
                continue
            try:
                await self.handler(data)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("handling a cluster message failed")

    async def close(self) -> None:
        thread = getattr(self, "thread", None)
        if thread is not None:
            thread.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await thread
        for conn in (self.pubsub, self.redis):
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.aclose()


def _decode(message: Any) -> dict[str, Any] | None:
    if isinstance(message, dict):
        return message
    try:
        data = json.loads(message)
    except (TypeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


CLUSTER_REDIS: web.AppKey[aioredis.Redis] = web.AppKey("cluster_redis", aioredis.Redis)


def cluster_ctx(sio: socketio.AsyncServer) -> Callable[[web.Application], AsyncIterator[None]]:
    """The Redis resources of one hub: the manager's listener and a client for presence and limits."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        from hub.app import CONFIG

        manager: ClusterManager = sio.manager
        client = aioredis.Redis.from_url(
            app[CONFIG].redis, socket_connect_timeout=2, socket_timeout=2, health_check_interval=5
        )
        app[CLUSTER_REDIS] = client
        # The manager would start listening at the first client connection; a hub must hear the
        # others from the start.
        if not sio.manager_initialized:
            sio.manager_initialized = True
            manager.initialize()
        log.info("cluster: Redis at %s, hub %s", redact(app[CONFIG].redis), manager.host_id)
        yield
        await manager.close()
        await client.aclose()

    return ctx
