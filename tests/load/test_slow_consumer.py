"""A client that never reads its socket: everybody else keeps getting notifications, what the hub holds
for it stays under a cap (then the hub closes that connection), and the client, once it reconnects
with `last_id`, gets everything it missed exactly once, in order."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

from hub.app_keys import SOCKETS
from hub.transport.engine import HubSocket
from tests.load.stats import percentile
from tests.support.hubs import Hub
from tests.support.peers import Peer
from tests.support.stuck import StuckReader, hold_little_in_the_kernel

CAP = 256 * 1024  # unsent bytes; the hub's default is max_send_buffer = 8 MiB
TEXT = "z" * 3500  # big notifications fill the stuck client's TCP buffers sooner
MAX_LAG = 20  # notifications the other receiver may be behind the sender's acks, at most
MOST = 8000  # sends at most (the kernel's socket buffers take a few MB before the hub's queue grows)
ASKS = 3  # list_rooms requests from each of the connections capped in all


async def test_a_client_that_never_reads_is_capped_and_delays_nobody(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(rate_burst=1_000_000, rate_refill_per_second=1_000_000.0)
    layer = hub.running.app[SOCKETS].connections
    layer.max_send_buffer = CAP
    tokens = {name: await hub.user(name) for name in ("alice", "bob")}
    carl = await hub.store.create_user("carl", None, admin=False)
    tokens["carl"] = await hub.token("carl")
    bob_user = await hub.store.get_user("bob")
    assert bob_user is not None
    await hub.store.create_room("team", restricted=False, members=[bob_user.id, carl.id])

    alice = await hub.client(tokens["alice"], name="alice")
    bob = Peer(hub.url, "bob", tokens["bob"], rng=random.Random(1))
    bob.start()
    await asyncio.wait_for(bob.up.wait(), 10)
    stuck = await StuckReader.connect(hub.url, {"token": tokens["carl"], "last_id": 0})
    carl_sessions = hub.delivery.presence.of_user(carl.id)
    assert len(carl_sessions) == 1
    eio_sid = layer.sio.manager.eio_sid_from_sid(carl_sessions[0].sid, "/")
    carl_socket = layer.sio.eio.sockets[eio_sid]

    peak = 0
    worst_lag = 0  # the most notifications bob was behind when a send was acknowledged
    sent_at: dict[int, float] = {}
    loop = asyncio.get_running_loop()
    try:
        for _ in range(MOST):
            started = loop.time()
            answer = await alice.call("room_message", {"room": "team", "message": TEXT})
            assert answer["ok"], answer
            sent_at[answer["id"]] = started
            peak = max(peak, carl_socket.unsent())
            worst_lag = max(worst_lag, len(sent_at) - len(bob.seen))
            if layer.dropped_slow:
                break
        assert layer.dropped_slow == 1, f"carl was never capped after {len(sent_at)} sends"
        assert await bob.arrived.reached(lambda: len(bob.seen) >= len(sent_at), 30)
    finally:
        await stuck.close()

    # The cap held (it is checked after each frame), and what waited for carl was released.
    assert peak <= CAP + len(TEXT) + 256 and carl_socket.unsent() == 0 and carl_socket.closed
    assert not hub.delivery.presence.is_online(carl.id)
    # Bob got everything, in order, while carl was stuck, and was never more than a few behind: the
    # bound is a count, not a time (an ack means bob's copy is already queued; carl's queue is not
    # in its way).
    assert [s.id for s in bob.seen] == sorted(sent_at)
    assert worst_lag <= MAX_LAG, f"bob was {worst_lag} notifications behind"
    latencies = sorted((s.at - sent_at[s.id]) * 1000 for s in bob.seen)

    # Carl comes back as a well-behaved acking client and catches up from the store.
    carl_again = Peer(hub.url, "carl", tokens["carl"], rng=random.Random(2))
    carl_again.start()
    try:
        assert await carl_again.arrived.reached(lambda: len(carl_again.seen) >= len(sent_at), 60)
        assert [s.id for s in carl_again.seen] == sorted(sent_at)
    finally:
        await carl_again.stop()
        await bob.stop()
    print(
        f"slow consumer: capped at {peak} unsent bytes (cap {CAP}) after {len(sent_at)} sends of "
        f"{len(TEXT)} B; the other receiver got all {len(bob.seen)}, at most {worst_lag} behind the acks, "
        "delivery latency "
        f"p50 {percentile(latencies, 50):.1f} ms, p99 {percentile(latencies, 99):.1f} ms, "
        f"max {latencies[-1]:.1f} ms; the stuck client recovered all {len(carl_again.seen)} on reconnect",
        flush=True,
    )


async def test_a_big_replay_goes_at_the_clients_pace_and_is_not_capped(hub_factory: Any) -> None:
    """A reconnecting client with far more missed notifications than the cap gets them all without
    tripping the slow-consumer cap: a replay waits for the client to read as it goes."""
    hub: Hub = await hub_factory(rate_burst=1_000_000, rate_refill_per_second=1_000_000.0)
    layer = hub.running.app[SOCKETS].connections
    layer.max_send_buffer = CAP
    alice = await hub.client(await hub.user("alice"), name="alice")
    bob_token = await hub.user("bob")
    ids = []
    for i in range(4 * CAP // 1024):  # 4 x the cap in bytes
        answer = await alice.call("send_notification", {"to": "bob", "message": f"m{i} " + "z" * 1000})
        ids.append(answer["id"])

    bob = Peer(hub.url, "bob", bob_token, rng=random.Random(3))
    bob.start()
    try:
        assert await bob.arrived.reached(lambda: len(bob.seen) >= len(ids), 60)
    finally:
        await bob.stop()
    assert [s.id for s in bob.seen] == ids
    assert layer.dropped_slow == 0 and bob.connects == 1


async def test_a_compressed_client_that_never_reads_is_capped_too(hub_factory: Any) -> None:
    """A connection with permessage-deflate keeps python-engineio's queue (hub/transport/engine.py); it has the
    same cap, counted in packets, and the same end: closed, its user offline for everyone."""
    hub: Hub = await hub_factory(websocket_compression=True, rate_burst=1_000_000, rate_refill_per_second=1_000_000.0)
    layer = hub.running.app[SOCKETS].connections
    layer.max_send_buffer = CAP
    alice = await hub.client(await hub.user("alice"), name="alice")
    carl_token = await hub.user("carl")
    stuck = await StuckReader.connect(hub.url, {"token": carl_token, "last_id": 0}, deflate=True)
    (carl_socket,) = [s for s in layer.sio.eio.sockets.values() if s.sid != alice.sio.eio.sid]
    assert not carl_socket.direct
    assert (await alice.next("user_online"))["userId"] == "carl"
    noise = random.Random(4)
    try:
        for _ in range(MOST):
            text = "".join(noise.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=3000))  # does not compress
            assert (await alice.call("send_notification", {"to": "carl", "message": text}))["ok"]
            if layer.dropped_slow:
                break
        assert layer.dropped_slow == 1, "carl was never capped"
        assert (await alice.next("user_offline"))["userId"] == "carl"
    finally:
        await stuck.close()
    assert carl_socket.unsent() <= 512  # what waited for carl was released (the close packet at most)


async def test_connections_that_never_read_are_capped_in_all(hub_factory: Any) -> None:
    """One user's connections, each asking `list_rooms` and never reading (30 of them took a hub from
    65 to 249 MB): all of them together stay under `max_send_buffer_total`, past which the hub closes
    one of them (the one holding the most: tests/hub/test_backlog.py), though none reaches its own cap."""
    per_connection, total = 256 * 1024, 512 * 1024
    hub: Hub = await hub_factory(max_send_buffer=per_connection, max_send_buffer_total=total)
    eio = hub.running.app[SOCKETS].sio.eio
    await hub.store.create_user("carl", None, admin=False)
    carl = await hub.token("carl")
    for i in range(500):
        await hub.store.create_room(f"room-{i:04d}-{'x' * 40}", restricted=False, members=[])
    bob = await hub.client(await hub.user("bob"), name="bob")
    rooms = await bob.call("list_rooms", {"limit": 500})
    page = len(json.dumps(rooms, separators=(",", ":"))) + 16  # an answer's frame: ~54 KB, at most
    # Each connection is sent ASKS answers, less than its own cap: only the total can close it. Six of
    # them hold more than the total: each all its answers but the kernel's few KB (less than a page,
    # with hold_little_in_the_kernel), whatever order the hub answers them in.
    assert ASKS * page < per_connection and 6 * (ASKS - 1) * page > total
    stuck = [await StuckReader.connect(hub.url, {"token": carl}) for _ in range(6)]
    carls = [s for s in eio.sockets.values() if s.sid != bob.sio.eio.sid]
    assert len(carls) == 6
    for connection in carls:
        hold_little_in_the_kernel(connection)

    def answered(connection: HubSocket) -> bool:
        """It holds its last answer (the ones before it are less), or the hub closed it."""
        return connection.stuck or connection.closed or connection.unsent() > (ASKS - 1) * page

    def held(connections: list[HubSocket]) -> int:
        """What `connections` hold in all. Measuring one writes out its frames of this loop iteration,
        which may close another one (the total cap), already counted: all are measured once first."""
        for connection in connections:
            connection.unsent()
        return sum(c.unsent() for c in connections)

    worst = 0
    loop = asyncio.get_running_loop()
    try:
        for n in range(ASKS):
            for client in stuck:  # with an ack id: the rooms come back
                await client.send(f'42{n}["list_rooms",{{"limit":500}}]')
        # Bob's round trips while the hub answers carl (one page at a time per connection), until
        # every request is answered or its connection closed, or a minute on a very busy machine.
        deadline = loop.time() + 60
        while not all(answered(c) for c in carls) and loop.time() < deadline:
            await bob.call("list_online")
            worst = max(worst, held(carls))
        assert all(answered(c) for c in carls), "the hub did not answer carl in a minute"
    finally:
        for client in stuck:
            await client.close()
    assert eio.backlog.trimmed >= 1, f"the total was never capped ({worst} bytes unsent in all)"
    assert worst <= total, f"{worst} bytes unsent in all"
    assert eio.dropped_slow == eio.backlog.trimmed  # none reached its own cap
    assert (await bob.call("list_online"))["ok"]
