"""The hubs' channel in a real redis-server: a hub hears the others' messages and not its own, and
hears them again once Redis is back after it was killed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from hub.cluster import ClusterBus
from tests.support.servers import RedisServer
from tests.support.waiting import Changes

#: Publishes tried before a subscription counts as missing (the bus subscribes in the background).
ATTEMPTS = 100


class Heard:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.changes = Changes()

    async def __call__(self, data: dict[str, Any]) -> None:
        self.messages.append(data)
        self.changes.poke()

    def numbers(self) -> list[int]:
        return [m["n"] for m in self.messages]


@pytest.fixture
async def buses(redis_server: RedisServer) -> AsyncIterator[tuple[ClusterBus, Heard, ClusterBus, Heard]]:
    a, b = ClusterBus(redis_server.url), ClusterBus(redis_server.url)
    heard_a, heard_b = Heard(), Heard()
    a.handler, b.handler = heard_a, heard_b
    a.start()
    b.start()
    yield a, heard_a, b, heard_b
    await a.close()
    await b.close()


async def publish_until_heard(sender: ClusterBus, heard: Heard) -> int:
    """Publish numbered messages until one is heard (Redis drops those sent before the subscription)."""
    for n in range(ATTEMPTS):
        await sender.publish({"type": "test", "n": n})
        if await heard.changes.reached(lambda: bool(heard.messages), 0.1):
            return n
    raise AssertionError(f"nothing heard after {ATTEMPTS} publishes")


async def test_a_hub_hears_the_others_messages_and_not_its_own(buses: Any) -> None:
    a, heard_a, b, heard_b = buses
    await publish_until_heard(a, heard_b)
    await publish_until_heard(b, heard_a)  # a is subscribed too, and has heard none of its own
    heard_a.messages.clear()
    heard_b.messages.clear()

    await a.publish({"type": "test", "n": 1000})
    await b.publish({"type": "test", "n": 2000})
    await heard_b.changes.until(lambda: heard_b.numbers() == [1000])
    await heard_a.changes.until(lambda: heard_a.numbers() == [2000])

    assert all(m["host_id"] == a.hub_id for m in heard_b.messages)


async def test_a_hub_hears_the_others_again_after_redis_comes_back(buses: Any, redis_server: RedisServer) -> None:
    a, _, _, heard_b = buses
    await publish_until_heard(a, heard_b)
    await redis_server.kill()
    await a.publish({"type": "test", "n": -1})  # dropped, and said so in the log: no error

    await redis_server.start()
    heard_b.messages.clear()

    await publish_until_heard(a, heard_b)
