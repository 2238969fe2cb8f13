"""The hubs' channel in a real redis-server: a hub hears the others' messages and not its own, and
hears them again once Redis is back after it was killed, or once a subscription that went silent (a
stalled TCP connection) is noticed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from hub.cluster import ClusterBus
from tests.support.servers import PostgresServer, RedisServer, create_database
from tests.support.tcp_proxy import StallingProxy
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


@pytest.fixture
async def proxy(redis_server: RedisServer) -> AsyncIterator[StallingProxy]:
    made = StallingProxy("127.0.0.1", redis_server.port)
    await made.start()
    yield made
    await made.close()


async def test_a_subscription_that_goes_silent_is_noticed_and_made_again(
    redis_server: RedisServer, proxy: StallingProxy
) -> None:
    a = ClusterBus(redis_server.url)
    b = ClusterBus(proxy.url, idle_ping=0.5, pong_wait=0.5)  # b reaches Redis through the proxy
    heard = Heard()
    b.handler = heard
    b.start()
    try:
        await publish_until_heard(a, heard)
        proxy.stall()  # b's connection stays open and carries nothing: no error, no end of file
        heard.messages.clear()

        await publish_until_heard(a, heard)  # heard again: b noticed, connected again and subscribed

        assert b.resubscribed == 1
    finally:
        await a.close()
        await b.close()


async def test_a_notification_sent_after_the_outage_crosses_hubs_on_the_bus_again(
    redis_server: RedisServer, proxy: StallingProxy, postgres_server: PostgresServer, hub_factory: Any
) -> None:
    database = await create_database(postgres_server)
    a = await hub_factory(database=database, redis=redis_server.url)
    b = await hub_factory(database=database, redis=proxy.url)
    alice = await a.client(await a.user("alice"))
    await a.user("bob")
    bob = await b.client(await b.token("bob"))
    chain = b.delivery.extension.chain
    # b notices the stalled subscription after half a second of quiet and half a second without an
    # answer, rather than the 5 + 3 s of its defaults (the bus's own timers, as in the test above).
    b.delivery.extension.bus.idle_ping = b.delivery.extension.bus.pong_wait = 0.5
    assert (await alice.call("send_notification", {"to": "bob", "message": "before"}))["ok"]
    await bob.next("notification")

    proxy.stall()
    crossed_on_the_bus = False
    for n in range(ATTEMPTS // 4):  # until one arrives through Redis rather than from the store
        recovered = chain.recovered
        assert (await alice.call("send_notification", {"to": "bob", "message": f"after {n}"}))["ok"]
        assert (await bob.next("notification"))["message"] == f"after {n}"
        if chain.recovered == recovered:
            crossed_on_the_bus = True
            break

    assert crossed_on_the_bus, "every notification after the outage was read from the store"
    assert b.delivery.extension.bus.resubscribed == 1
