"""The fan-out fast path delivers exactly what python-socketio's own emit would, in the same order."""

from __future__ import annotations

from typing import Any

from hub.app_keys import SOCKETS
from tests.support.hubs import Hub

PAYLOADS: list[Any] = [
    {"id": 1, "message": "plain"},
    {"id": 2, "message": "ünïcødé ✓ 😀", "title": "", "room": None},
    {"id": 3, "message": "x" * 4096, "nested": {"a": [1, 2, {"b": None}]}},
    "a bare string",
]


async def test_emit_many_matches_emit_for_every_recipient(hub: Hub) -> None:
    layer = hub.running.app[SOCKETS].connections
    clients = [await hub.client(await hub.user(f"u{i}")) for i in range(3)]
    sids = [c.sio.get_sid() for c in clients]

    for payload in PAYLOADS:
        await layer.emit(sids[0], "stock", payload)
        await layer.emit_many(sids, "fast", payload)

    for client in clients[1:]:
        assert [await client.next("fast") for _ in PAYLOADS] == PAYLOADS
    stock = [await clients[0].next("stock") for _ in PAYLOADS]
    fast = [await clients[0].next("fast") for _ in PAYLOADS]
    assert stock == fast == PAYLOADS


async def test_order_is_kept_when_fast_and_stock_emits_interleave(hub: Hub) -> None:
    layer = hub.running.app[SOCKETS].connections
    client = await hub.client(await hub.user("alice"))
    sid = client.sio.get_sid()
    client.received.clear()

    for i in range(20):
        if i % 3:
            await layer.emit_many([sid], "seq", i)
        else:
            await layer.emit(sid, "seq", i)

    assert [await client.next("seq") for _ in range(20)] == list(range(20))


async def test_unknown_and_departed_sids_are_skipped(hub: Hub) -> None:
    layer = hub.running.app[SOCKETS].connections
    stays = await hub.client(await hub.user("stays"))
    leaves = await hub.client(await hub.user("leaves"))
    gone = leaves.sio.get_sid()
    await leaves.close()
    assert (await stays.next("user_offline"))["userId"] == "leaves"

    await layer.emit_many(["no-such-sid", gone, stays.sio.get_sid()], "hello", {"ok": 1})

    assert await stays.next("hello") == {"ok": 1}
