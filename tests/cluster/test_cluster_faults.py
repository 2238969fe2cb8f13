"""Faults: a hub killed mid-stream, Redis killed and restarted mid-stream, PostgreSQL stopped and restarted.

The promise under test: every acknowledged notification reaches every recipient exactly once, in
id order; a send the hub could not store is refused with `unavailable`, never acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.support.clients import Client, drain_until_marker, refused
from tests.support.cluster import Cluster, close_cluster, make_cluster
from tests.support.hubs import HubProcess
from tests.support.servers import PostgresServer, RedisServer
from tests.support.waiting import WAIT, Changes

FAST = ["--rate-burst", "100000"]


class Sender:
    """Sends `count` notifications one after another in the background, recording the acked ids.

    `until_error`: stop quietly at the first send that gets no answer (its hub died) instead of failing."""

    def __init__(self, client: Client, count: int, *, until_error: bool = False, **address: Any) -> None:
        self.client = client
        self.count = count
        self.until_error = until_error
        self.address = address or {"to": "bob"}
        self.acked: list[int] = []
        self.progress = Changes()
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        event = "room_message" if "room" in self.address else "send_notification"
        for i in range(self.count):
            ack = await self._call(event, {**self.address, "message": f"m{i}"})
            if ack is None:
                break
            assert ack["ok"], ack
            self.acked.append(ack["id"])
            self.progress.poke()
        self.progress.poke()

    async def _call(self, event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        """The ack; with `until_error`, None once the connection is gone (no waiting for a timeout)."""
        if not self.until_error:
            answer: dict[str, Any] = await self.client.call(event, data)
            return answer
        call = asyncio.ensure_future(self.client.call(event, data))
        gone = asyncio.ensure_future(self.client.disconnected.wait())
        await asyncio.wait({call, gone}, return_when=asyncio.FIRST_COMPLETED)
        gone.cancel()
        if not call.done():
            call.cancel()
        try:
            answer = await call
        except (asyncio.CancelledError, Exception):
            return None
        return answer  # a refusal is not a dead hub: `_run` fails on it

    async def reached(self, n: int) -> None:
        await self.progress.until(lambda: len(self.acked) >= n or self.task.done(), WAIT * 3)

    async def done(self) -> list[int]:
        await asyncio.wait_for(self.task, WAIT * 6)
        return self.acked


def ids_of(notes: list[dict[str, Any]]) -> list[int]:
    return [n["id"] for n in notes]


DELIVERIES = {"notification", "room_notification", "global_notification", "server_announcement"}


def shown(*clients: Client) -> list[int]:
    """The ids of every notification the clients received, in arrival order (one device's sessions),
    but the hub's own notices (`carol joined dev`) and the markers."""
    return [
        d["id"]
        for c in clients
        for event, d in c.received
        if event in DELIVERIES and d["message"] != "marker" and d["kind"] != "notice"
    ]


@pytest.mark.parametrize(("hubs", "count"), [(2, 40), pytest.param(3, 400, marks=pytest.mark.slow)])
async def test_a_killed_hubs_clients_move_to_another_without_loss_or_duplicates(
    cluster: Cluster, hubs: int, count: int
) -> None:
    """Hub a dies with two receivers and a sender on it; they reconnect to the other hubs and resume."""
    a, *others = await cluster.start(hubs, *FAST)
    alice = await cluster.client(others[0], await cluster.user("alice"), "alice")  # sends to room dev
    tokens = {name: await cluster.user(name) for name in ("bob", "carol", "dave")}
    bob = await cluster.client(a, tokens["bob"], "bob", last_id=0)
    carol = await cluster.client(a, tokens["carol"], "carol", last_id=0)
    dave = await cluster.client(a, tokens["dave"], "dave")  # sends to bob directly, through hub a
    for member in (bob, carol):
        assert (await member.call("join_room", {"room": "dev"}))["ok"]

    to_room = Sender(alice, count, room="dev")
    to_bob = Sender(dave, count, until_error=True)
    await to_room.reached(count // 4)
    await to_bob.reached(count // 4)
    await a.kill()
    for client in (bob, carol, dave):
        await asyncio.wait_for(client.disconnected.wait(), WAIT * 3)
    dave_acked = await to_bob.done()  # what hub a acknowledged before it died

    # Each client reconnects to a surviving hub with the last id it has; dave goes on sending there.
    moved = {}
    for i, (name, before) in enumerate((("bob", bob), ("carol", carol), ("dave", dave))):
        last_id = max(shown(before), default=0)
        moved[name] = await cluster.client(others[i % len(others)], tokens[name], name, last_id=last_id)
    dave_acked += await Sender(moved["dave"], count // 4).done()
    room_acked = await to_room.done()

    for name, before, wanted in (("bob", bob, room_acked + dave_acked), ("carol", carol, room_acked)):
        await drain_until_marker(moved[name])
        ids = shown(before, moved[name])
        assert ids == sorted(set(ids)), f"{name}: duplicated or out of order"
        assert set(wanted) <= set(ids), f"{name} lost {sorted(set(wanted) - set(ids))}"
        # the only extra may be dave's one send that was stored as hub a died, before its ack left
        assert len(set(ids) - set(wanted)) <= (1 if name == "bob" else 0), name


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
    await redis_server.kill()  # publishes are dropped now (Redis pub/sub is fire-and-forget)
    await sender.reached(2 * count // 3)  # sends go on: every one is stored in PostgreSQL first
    await redis_server.start()
    acked = await sender.done()

    for member in members:
        await drain_until_marker(member)  # the marker's id is above every acked one: all came before it
        assert ids_of(member.pending("room_notification")) == acked, member.name
    assert "read from the store" in b.logged()  # hub b did miss what was published meanwhile
    await presence_crosses(cluster, b, carol)  # and fan-out through Redis works again


async def presence_crosses(cluster: Cluster, hub: HubProcess, watcher: Client) -> None:
    """A user coming online on `hub` is announced to `watcher` on another hub: only Redis carries that.

    A hub subscribes again a moment after Redis returns, and what is published before that is gone
    (presence is not stored): so a new probe user each try, until one is announced."""
    for attempt in range(20):
        name = f"probe{attempt}"
        probe = await cluster.client(hub, await cluster.user(name))
        with contextlib.suppress(TimeoutError):
            while (await watcher.next("user_online", timeout=1.0))["userId"] != name:
                pass
            return
        await probe.close()
    raise AssertionError("no presence event crossed the hubs after Redis came back")


async def test_who_came_and_went_while_redis_was_down_is_told_when_it_returns(
    cluster: Cluster, redis_server: RedisServer
) -> None:
    a, b = await cluster.start(2)
    watcher = await cluster.client(a, await cluster.user("watcher"), "watcher")
    carol = await cluster.client(b, await cluster.user("carol"), "carol")
    assert (await watcher.next("user_online"))["userId"] == "carol"
    dave_token = await cluster.user("dave")

    await redis_server.kill()
    await carol.close()  # hub b publishes these two to nobody
    await cluster.client(b, dave_token, "dave")
    await redis_server.start()  # empty: each hub's heartbeat puts its users back

    assert (await watcher.next("user_online"))["userId"] == "dave"
    assert (await watcher.next("user_offline"))["userId"] == "carol"
    assert (await watcher.call("list_online"))["online"] == ["dave", "watcher"]
    assert watcher.pending("user_online") == [] and watcher.pending("user_offline") == []


@pytest.mark.parametrize("rounds", [1, pytest.param(3, marks=pytest.mark.slow)])
async def test_without_postgres_sends_are_refused_as_unavailable_then_work_again(
    tmp_path: Path, redis_server: RedisServer, own_postgres: PostgresServer, rounds: int
) -> None:
    cluster = await make_cluster(tmp_path, redis_server, own_postgres)
    try:
        (a,) = await cluster.start(1)
        alice_token = await cluster.user("alice")
        alice = await cluster.client(a, alice_token, "alice")
        # `welcome` comes before the replay: once alice's marker is back her replay is over, and losing
        # PostgreSQL cannot cut it short (which disconnects her so that she replays again later)
        await drain_until_marker(alice)
        bob_token = await cluster.user("bob")
        stored = []
        for _ in range(rounds):
            ack = await alice.call("send_notification", {"to": "bob", "message": "before"})
            assert ack["ok"]
            stored.append(ack["id"])

            await asyncio.to_thread(own_postgres.stop)
            answer = await alice.call("send_notification", {"to": "bob", "message": "lost"})
            assert answer["ok"] is False and answer["error"]["code"] == "unavailable"
            # the same over HTTP, a new connection is not told its token is bad, health says why
            assert await http(a.url, "POST", "/api/notifications", alice_token, {"to": "bob", "message": "lost"}) == (
                503,
                "unavailable",
            )
            assert (await refused(a.url, {"token": bob_token, "last_id": 0}))["data"]["code"] == "unavailable"
            assert await http(a.url, "GET", "/api/health") == (503, "unavailable")

            await asyncio.to_thread(own_postgres.start)
            stored.append(await send_when_back(alice))
            assert await http(a.url, "GET", "/api/health") == (200, "ok")

        bob = await cluster.client(a, bob_token, "bob", last_id=0)
        got = await drain_until_marker(bob)
        assert ids_of(got) == stored and "lost" not in [n["message"] for n in got]
    finally:
        await close_cluster(cluster)


async def http(url: str, method: str, path: str, token: str | None = None, body: Any = None) -> tuple[int, str]:
    """The status and the error code (or `status` of /api/health, or `ok`) of one request."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as session, session.request(method, url + path, json=body, headers=headers) as r:
        answer = await r.json(content_type=None)
    return r.status, answer["error"]["code"] if "error" in answer else answer.get("store", "ok")


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
