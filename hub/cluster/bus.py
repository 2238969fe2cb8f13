"""The hubs' channel in Redis: stored batches and presence changes, published and heard through
redis-py's own pub/sub.

Redis pub/sub is fire-and-forget, and a message published while Redis is unreachable is dropped: the
hubs never rely on one arriving (see `hub.cluster.chain`). After Redis went away the bus subscribes
again within RESUBSCRIBE_MAX_WAIT, so a hub does not go on missing the others' messages long after
Redis returned. Client connections are not on the bus: every emit of a hub is to its own clients.

A connection can also die without a word: Redis restarted behind a NAT or a firewall that forgot the
connection, a stalled proxy. Nothing then arrives and nothing fails, so the listener reads with a
timeout, pings Redis when the channel has been quiet for `idle_ping` seconds, and takes a connection
that answers nothing within `pong_wait` more as dead: it drops it, connects again and subscribes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from redis import asyncio as aioredis
from redis.asyncio.client import PubSub

from hub.cluster.health import REDIS_DOWN

log = logging.getLogger(__name__)

CHANNEL = "lan-notify"
#: Marks the hubs' messages (and tells them from anything else published on the channel).
METHOD = "lan-notify"
#: The longest a hub waits for one publish before dropping it; what it carried is in the store anyway.
PUBLISH_WAIT = 2.0
#: The longest pause between two attempts to subscribe again after Redis went away.
RESUBSCRIBE_MAX_WAIT = 2.0
_FIRST_WAIT = 0.25
#: Seconds of a quiet channel after which the listener pings Redis.
IDLE_PING = 5.0
#: Seconds a ping may go unanswered (and the channel quiet) before the connection counts as dead.
PONG_WAIT = 3.0
#: The longest one read waits: how often the listener checks the time.
_READ_WAIT = 1.0
_PING_WORD = "lan-notify-bus"


class SilentConnection(ConnectionError):
    """The subscription's connection answered nothing, not even a ping."""


MessageHandler = Callable[[dict[str, Any]], Awaitable[None]]


class ClusterBus:
    """One hub's end of the channel. Messages are JSON objects `{"method": METHOD, "host_id": ...,
    ...}`; a hub does not hear its own. `handler` gets the others' messages (None: they are dropped)."""

    def __init__(
        self, url: str, *, channel: str = CHANNEL, idle_ping: float = IDLE_PING, pong_wait: float = PONG_WAIT
    ) -> None:
        self.channel = channel
        self.idle_ping = idle_ping
        self.pong_wait = pong_wait
        #: How many times the bus found its subscription dead or lost and subscribed again.
        self.resubscribed = 0
        self.hub_id = uuid.uuid4().hex
        self.handler: MessageHandler | None = None
        # No socket read timeout: the listener reads with its own and pings a quiet channel (`_receive`);
        # an unreachable server fails to connect within seconds.
        self._redis = aioredis.Redis.from_url(url, socket_connect_timeout=2, health_check_interval=5)
        self._listener: asyncio.Task[None] | None = None
        self._publishing = True

    def start(self) -> None:
        """Listen from now on (a hub must hear the others from the start)."""
        if self._listener is None:
            self._listener = asyncio.ensure_future(self._listen())
            self._listener.set_name("hub-cluster-bus")

    async def publish(self, payload: dict[str, Any]) -> None:
        """Send one message to the other hubs (best effort: dropped while Redis is down or slow)."""
        message = json.dumps({**payload, "method": METHOD, "host_id": self.hub_id})
        try:
            await asyncio.wait_for(self._redis.publish(self.channel, message), PUBLISH_WAIT)
        except TimeoutError:
            log.warning(
                "publishing to Redis took longer than %s s: dropped (the other hubs read it from the store)",
                PUBLISH_WAIT,
            )
        except REDIS_DOWN as exc:
            if self._publishing:
                log.warning("cannot publish to Redis (%s): dropped (the other hubs read it from the store)", exc)
            self._publishing = False
        else:
            self._publishing = True

    async def _listen(self) -> None:
        wait = _FIRST_WAIT
        lost = False
        while True:
            pubsub = self._redis.pubsub()
            try:
                await asyncio.wait_for(pubsub.subscribe(self.channel), self.pong_wait)
                if lost:
                    self.resubscribed += 1
                    log.info("subscribed to Redis again")
                lost = False
                wait = _FIRST_WAIT
                await self._receive(pubsub)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not lost:  # once per outage
                    log.warning("cannot receive from Redis (%s); subscribing again", exc or type(exc).__name__)
                lost = True
                await asyncio.sleep(wait)
                wait = min(wait * 2, RESUBSCRIBE_MAX_WAIT)
            finally:
                with contextlib.suppress(Exception):  # the subscription's connection (a dead one may hang)
                    await asyncio.wait_for(pubsub.aclose(), self.pong_wait)

    async def _receive(self, pubsub: PubSub) -> None:
        """Hand on what arrives; raise `SilentConnection` once a ping to a quiet channel goes unanswered."""
        loop = asyncio.get_running_loop()
        heard = loop.time()
        pinged = False
        while True:
            message = await pubsub.get_message(timeout=min(_READ_WAIT, self.pong_wait / 2))
            if message is not None:
                heard = loop.time()
                pinged = False
                if message.get("type") == "message":
                    await self._hear(message.get("data"))
                continue
            quiet = loop.time() - heard
            if pinged and quiet >= self.idle_ping + self.pong_wait:
                raise SilentConnection(f"no answer from Redis to a ping within {self.pong_wait:g} s")
            if not pinged and quiet >= self.idle_ping:
                await asyncio.wait_for(pubsub.ping(_PING_WORD), self.pong_wait)
                pinged = True

    async def _hear(self, raw: Any) -> None:
        try:
            data = json.loads(raw)
        except (TypeError, ValueError):
            return
        if not isinstance(data, dict) or data.get("method") != METHOD:
            return
        if data.get("host_id") == self.hub_id or self.handler is None:
            return
        try:
            await self.handler(data)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("handling a cluster message failed")

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
        with contextlib.suppress(Exception):
            await self._redis.aclose()
