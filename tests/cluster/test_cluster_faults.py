"""Faults: a hub killed mid-stream, Redis killed and restarted mid-stream, PostgreSQL stopped and restarted.

The promise under test: every acknowledged notification reaches every recipient exactly once, in
id order; a send the hub could not store is refused with `unavailable`, never acknowledged.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.conftest import Cluster, close_cluster, make_cluster
from tests.conftest import WAIT, Client, drain_until_marker
from tests.servers import PostgresServer, RedisServer

FAST = ["--rate-burst", "100000"]


class Sender:
    """Sends `count` notifications one after another in the background, recording the acked ids."""

    def __init__(self, client: Client, count: int, **address: Any) -> None:
        self.client = client
        self.count = count
        self.address = address or {"to": "bob"}
        self.acked: list[int] = []
        self.progress = asyncio.Condition()
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        event = "room_message" if "room" in self.address else "send_notification"
        for i in range(self.count):
            ack = await self.client.call(event, {**self.address, "message": f"m{i}"})
            assert ack["ok"], ack
            async with self.progress:
                self.acked.append(ack["id"])
                self.progress.notify_all()

    async def reached(self, n: int) -> None:
        async def wait() -> None:
            async with self.progress:
                await self.progress.wait_for(lambda: len(self.acked) >= n or self.task.done())

        await asyncio.wait_for(wait(), WAIT * 3)

    async def done(self) -> list[int]:
        await asyncio.wait_for(self.task, WAIT * 6)
        return self.acked


def ids_of(notes: list[dict[str, Any]]) -> list[int]:
    return [n["id"] for n in notes]


@pytest.mark.parametrize("count", [40, pytest.param(400, marks=pytest.mark.slow)])
async def test_a_killed_hubs_clients_move_to_another_without_loss_or_duplicates(cluster: Cluster, count: int) -> None:
    a, b = await cluster.start(2, *FAST)
    alice = await cluster.client(b, await cluster.user("alice"), "alice")
    bob_token = await cluster.user("bob")
    bob = await cluster.client(a, bob_token, "bob", last_id=0)

    sender = Sender(alice, count)
    got = [await bob.next("notification") for _ in range(count // 4)]
    await a.kill()
    await asyncio.wait_for(bob.disconnected.wait(), WAIT * 3)
    got += bob.pending("notification")

    moved = await cluster.client(b, bob_token, "bob", last_id=got[-1]["id"])  # the client reconnects elsewhere
    acked = await sender.done()
    got += await drain_until_marker(moved)

    assert ids_of(got) == acked


@pytest.mark.parametrize(("hubs", "count"), [(2, 60), pytest.param(3, 600, marks=pytest.mark.slow)])
async def test_redis_killed_and_restarted_mid_stream_loses_nothing(
    cluster: Cluster, redis_server: RedisServer, hubs: int, count: int
) -> None:
    a, b, *more = await cluster.start(hubs, *FAST)
    alice = await cluster.client(a, await cluster.user("alice"), "alice")
    bob = await cluster.client(b, await cluster.user("bob"), "bob", last_id=0)
    carol = await cluster.client(a, await cluster.user("carol"), "carol", last_id=0)
    others = [await cluster.client(hub, await cluster.user(f"u{i}"), f"u{i}", last_id=0) for i, hub in enumerate(more)]
    members = [bob, carol, *others]
    for member in members:
        assert (await member.call("join_room", {"room": "dev"}))["ok"]

    sender = Sender(alice, count, room="dev")
    await sender.reached(count // 3)
    await redis_server.kill()  # publishes are dropped now (python-socketio #1411)
    await sender.reached(2 * count // 3)  # sends go on: every one is stored in PostgreSQL first
    await redis_server.start()
    acked = await sender.done()

    for member in members:
        await drain_until_marker(member)  # the marker's id is above every acked one: all came before it
        assert ids_of(member.pending("room_notification")) == acked, member.name
    assert "read from the store" in b.log.read_text()  # hub b did miss what was published meanwhile


@pytest.mark.parametrize("rounds", [1, pytest.param(3, marks=pytest.mark.slow)])
async def test_without_postgres_sends_are_refused_as_unavailable_then_work_again(
    tmp_path: Path, redis_server: RedisServer, own_postgres: PostgresServer, rounds: int
) -> None:
    cluster = await make_cluster(tmp_path, redis_server, own_postgres)
    try:
        (a,) = await cluster.start(1)
        alice = await cluster.client(a, await cluster.user("alice"), "alice")
        bob_token = await cluster.user("bob")
        stored = []
        for _ in range(rounds):
            ack = await alice.call("send_notification", {"to": "bob", "message": "before"})
            assert ack["ok"]
            stored.append(ack["id"])

            await asyncio.to_thread(own_postgres.stop)
            refused = await alice.call("send_notification", {"to": "bob", "message": "lost"})
            assert refused["ok"] is False and refused["error"]["code"] == "unavailable"

            await asyncio.to_thread(own_postgres.start)
            stored.append(await send_when_back(alice))

        bob = await cluster.client(a, bob_token, "bob", last_id=0)
        got = await drain_until_marker(bob)
        assert ids_of(got) == stored and "lost" not in [n["message"] for n in got]
    finally:
        await close_cluster(cluster)


async def send_when_back(client: Client) -> int:
    """Send until the hub's pool has reconnected; nothing tells a client when that happens."""

    async def attempt() -> int:
        while True:
            ack = await client.call("send_notification", {"to": "bob", "message": "after"})
            if ack["ok"]:
                return int(ack["id"])
            assert ack["error"]["code"] == "unavailable", ack
            await asyncio.sleep(0.1)

    return await asyncio.wait_for(attempt(), WAIT * 3)


async def test_hubs_started_without_redis_still_deliver_through_the_store(
    cluster: Cluster, redis_server: RedisServer
) -> None:
    await redis_server.kill()  # Redis is down from the start: no fan-out, no shared presence or limits
    a, b = await cluster.start(2, *FAST)
    alice = await cluster.client(a, await cluster.user("alice"), "alice")
    bob = await cluster.client(b, await cluster.user("bob"), "bob", last_id=0)

    acked = [(await alice.call("send_notification", {"to": "bob", "message": f"m{i}"}))["id"] for i in range(5)]

    assert ids_of(await drain_until_marker(bob)) == acked
