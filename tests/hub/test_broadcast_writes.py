"""One frame to many connections (`Connections.emit_many`, what a broadcast goes through): each gets
every frame once, in the order sent, after what it was sent before in the same loop turn, and a
connection that stops reading is still cut at its limit."""

from __future__ import annotations

import asyncio
from typing import Any

from hub.app_keys import SOCKETS
from hub.transport.frames import encode_event
from tests.support.hubs import Hub
from tests.support.stuck import StuckReader, hold_little_in_the_kernel


async def test_every_connection_gets_each_broadcast_of_a_turn_once_after_what_it_was_sent_before(hub: Hub) -> None:
    layer = hub.running.app[SOCKETS].connections
    clients = [await hub.client(await hub.user(f"u{i}")) for i in range(5)]
    sids = [c.sio.get_sid() for c in clients]

    # One loop turn: a frame queued for the first connection, then two broadcasts to all five.
    layer.emit_now(sids[0], "seq", "before")
    await layer.emit_many(sids, "seq", "first")
    await layer.emit_many(sids, "seq", "second")
    await layer.emit_many(sids, "end", None)

    for i, client in enumerate(clients):
        await client.next("end")
        expected = ["before", "first", "second"] if i == 0 else ["first", "second"]
        assert client.pending("seq") == expected, f"client {i}"


async def test_a_connection_that_stops_reading_is_cut_at_its_limit_and_the_others_get_every_frame(
    hub_factory: Any,
) -> None:
    hub: Hub = await hub_factory(max_send_buffer=64 * 1024)
    eio = hub.running.app[SOCKETS].sio.eio
    stuck = await StuckReader.connect(hub.url, {"token": await hub.user("carl")})
    (carls,) = eio.sockets.values()
    bob = await hub.client(await hub.user("bob"), name="bob")
    (bobs,) = [s for s in eio.sockets.values() if s is not carls]
    hold_little_in_the_kernel(carls)
    try:
        sent = 0
        for i in range(200):  # 4 KB each: carl's 64 KB are past well before
            out = encode_event("blob", {"i": i, "pad": "z" * 4096})
            for socket in (carls, bobs):  # what emit_many does for each connection
                socket.push(out)
            sent += 1
            assert (await bob.next("blob"))["i"] == i
            if carls.stuck:
                break
    finally:
        await stuck.close()
    assert carls.stuck and eio.dropped_slow == 1, "carl is cut once he holds more than his limit"
    assert 16 <= sent < 200 and not bobs.stuck


async def test_every_device_gets_each_of_a_run_of_broadcasts_once_in_order(hub: Hub) -> None:
    """Broadcasts sent together are stored together and handed out in one loop turn, each connection's
    frames in one write."""
    admin = await hub.client(await hub.user("root", admin=True), name="root")
    clients = [await hub.client(await hub.user(f"u{i}")) for i in range(5)]
    messages = [f"number {i}" for i in range(6)]

    acks = await asyncio.gather(*(admin.call("broadcast", {"message": m}) for m in messages))

    assert all(ack["ok"] for ack in acks)
    for client in [admin, *clients]:
        got = [(await client.next("global_notification"))["message"] for _ in messages]
        assert got == messages
    for client in clients:
        assert await client.call("list_online")  # its answer comes after anything written to it before
    assert [c.pending("global_notification") for c in clients] == [[]] * 5, "each came once"
