"""The hub's Engine.IO layer (hub/transport/engine.py): direct websocket writes and python-engineio's queue give
clients the same thing, a long-polling client that upgrades loses nothing, sends are acknowledged in
the order they were made, and a client's goodbye ends its session at once."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from hub.app_keys import SOCKETS
from hub.transport.engine import HubSocket
from hub.transport.heartbeat import PingWheel
from tests.support.clients import Client
from tests.support.hubs import Hub
from tests.support.waiting import WAIT


@contextlib.asynccontextmanager
async def raw_client(hub: Hub, token: str, *, compress: int = 0) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A websocket speaking Engine.IO/Socket.IO by hand, connected to the hub as the token's user."""
    url = hub.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as http, http.ws_connect(url, compress=compress) as ws:
        assert (await ws.receive_str()).startswith("0{")  # Engine.IO OPEN
        await ws.send_str("40" + json.dumps({"token": token}))
        assert (await ws.receive_str()).startswith("40{")  # Socket.IO CONNECT
        yield ws


def socket_of(hub: Hub, client: Client) -> HubSocket:
    layer = hub.running.app[SOCKETS]
    eio_sid = layer.sio.manager.eio_sid_from_sid(client.sio.get_sid(), "/")
    socket = layer.sio.eio.sockets[eio_sid]
    assert isinstance(socket, HubSocket)
    return socket


@pytest.mark.parametrize("compress", [0, 15], ids=["direct", "deflate-queued"])
async def test_direct_and_queued_connections_get_the_same(hub_factory: Any, compress: int) -> None:
    hub: Hub = await hub_factory(websocket_compression=True)
    alice = await hub.client(await hub.user("alice"), name="alice")
    bob_token = await hub.user("bob")
    async with raw_client(hub, bob_token, compress=compress) as ws:
        sockets = [s for s in hub.running.app[SOCKETS].sio.eio.sockets.values() if s is not socket_of(hub, alice)]
        # A client that negotiated permessage-deflate keeps python-engineio's queue and writer.
        assert [s.direct for s in sockets] == [compress == 0]

        ids = [(await alice.call("send_notification", {"to": "bob", "message": f"m{i} ✓"}))["id"] for i in range(30)]

        got: list[dict[str, Any]] = []
        while len(got) < len(ids):
            text = await asyncio.wait_for(ws.receive_str(), WAIT)
            if text.startswith('42["notification"'):
                got.append(json.loads(text[2:])[1])
    assert [n["id"] for n in got] == ids
    assert [n["message"] for n in got] == [f"m{i} ✓" for i in range(30)]


async def test_an_open_websocket_keeps_no_http_parser_and_still_works(hub: Hub) -> None:
    """hub/transport/websocket.py lets aiohttp's HTTP parser go after the upgrade (memory per idle connection):
    this fails if an aiohttp release moves it, so that the saving is not lost unnoticed."""
    alice = await hub.client(await hub.user("alice"), name="alice")
    bob = await hub.client(await hub.user("bob"), name="bob")
    for client in (alice, bob):
        protocol = socket_of(hub, client)._ws.response._req.protocol
        assert protocol._payload_parser is not None and protocol._parser is None

    sent = await alice.call("send_notification", {"to": "bob", "message": "still reading"})
    assert (await bob.next("notification"))["id"] == sent["id"]


async def test_a_client_upgrading_from_long_polling_misses_nothing(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"), name="alice")
    bob_token = await hub.user("bob")
    first = (await alice.call("send_notification", {"to": "bob", "message": "while offline"}))["id"]

    bob = Client(hub.url, "bob")
    hub.clients.append(bob)
    await bob.sio.connect(hub.url, auth={"token": bob_token}, transports=["polling", "websocket"], wait_timeout=WAIT)
    assert (await bob.next("welcome"))["user"]["name"] == "bob"
    assert (await bob.next("notification"))["id"] == first
    ids = [(await alice.call("send_notification", {"to": "bob", "message": f"m{i}"}))["id"] for i in range(20)]

    assert [(await bob.next("notification"))["id"] for _ in ids] == ids
    assert bob.sio.transport() == "websocket"
    assert socket_of(hub, bob).direct


async def test_pipelined_sends_are_acknowledged_in_order(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(rate_burst=1000)
    alice = await hub.client(await hub.user("alice"), name="alice")
    bob = await hub.client(await hub.user("bob"), name="bob")

    # Fifty sends without waiting for each answer: the hub reads on while it stores them.
    answers = await asyncio.gather(
        *(alice.call("send_notification", {"to": "bob", "message": f"m{i}"}) for i in range(50))
    )

    assert all(a["ok"] for a in answers)
    ids = [a["id"] for a in answers]
    assert ids == sorted(ids) and len(set(ids)) == 50
    got = [await bob.next("notification") for _ in ids]
    assert [(n["id"], n["message"]) for n in got] == [(i, f"m{n}") for n, i in enumerate(ids)]


async def test_an_engine_io_close_from_the_client_ends_its_session_at_once(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"), name="alice")
    bob_token = await hub.user("bob")
    async with raw_client(hub, bob_token) as ws:
        assert (await alice.next("user_online"))["userId"] == "bob"

        await ws.send_str("1")  # Engine.IO CLOSE, the websocket left open

        assert (await alice.next("user_offline"))["userId"] == "bob"
        while (msg := await asyncio.wait_for(ws.receive(), WAIT)).type is aiohttp.WSMsgType.TEXT:
            pass  # what was sent before (welcome, ...)
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING)


@pytest.mark.parametrize("frame", ["", "x", "9", "7probe"], ids=["empty", "not-engine-io", "type-9", "type-7"])
async def test_a_frame_that_is_not_engine_io_closes_that_connection_only(hub: Hub, frame: str) -> None:
    alice = await hub.client(await hub.user("alice"), name="alice")
    bob_token = await hub.user("bob")
    async with raw_client(hub, bob_token) as ws:
        assert (await alice.next("user_online"))["userId"] == "bob"

        await ws.send_str(frame)

        if frame in ("", "x"):
            assert (await alice.next("user_offline"))["userId"] == "bob"
        else:  # unknown packet types are ignored, as python-engineio does (without a traceback)
            await ws.send_str('420["list_online"]')
            while not (answer := await asyncio.wait_for(ws.receive_str(), WAIT)).startswith("430"):
                pass
            assert json.loads(answer[3:])[0]["ok"]
            assert "bob" in (await alice.call("list_online"))["online"]
    assert (await alice.call("list_online"))["ok"]


async def test_a_long_polling_body_that_is_not_utf8_closes_that_connection_only(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"), name="alice")
    bob_token = await hub.user("bob")
    url = hub.url + "/socket.io/?EIO=4&transport=polling"
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as opened:
            sid = json.loads((await opened.text())[1:])["sid"]
        async with http.post(f"{url}&sid={sid}", data="40" + json.dumps({"token": bob_token})) as connect:
            assert connect.status == 200
        assert (await alice.next("user_online"))["userId"] == "bob"

        async with http.post(f"{url}&sid={sid}", data=b"\xff\xfe 42") as bad:
            assert bad.status == 400

        assert (await alice.next("user_offline"))["userId"] == "bob"
    assert (await alice.call("list_online"))["online"] == ["alice"]


async def test_pings_keep_a_client_that_answers_and_drop_one_that_stops(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(ping_interval=1.0, ping_timeout=0.5)
    alice = await hub.client(await hub.user("alice"), name="alice")
    bob_token = await hub.user("bob")
    async with raw_client(hub, bob_token) as ws:
        assert (await alice.next("user_online"))["userId"] == "bob"

        pongs = 0
        while pongs < 4:  # four heartbeats answered: bob stays online
            if await asyncio.wait_for(ws.receive_str(), WAIT) == "2":
                await ws.send_str("3")
                pongs += 1
        assert "bob" in (await alice.call("list_online"))["online"]  # the hub's presence, as it is now

        # Bob stops answering (a frozen client): the hub drops him after the ping timeout.
        assert (await alice.next("user_offline"))["userId"] == "bob"


def on_ping_wheel(hub: Hub) -> PingWheel:
    return hub.running.app[SOCKETS].sio.eio.pings


async def test_a_connection_that_closes_while_waiting_for_its_next_ping_leaves_the_wheel(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"), name="alice")
    async with raw_client(hub, await hub.user("bob")) as ws:
        assert (await alice.next("user_online"))["userId"] == "bob"
        bob = next(s for s in hub.running.app[SOCKETS].sio.eio.sockets.values() if s is not socket_of(hub, alice))
        assert bob in on_ping_wheel(hub)  # its first ping is ping_interval away
        await ws.close()
    assert (await alice.next("user_offline"))["userId"] == "bob"
    assert bob.closed and bob not in on_ping_wheel(hub)


class _BrokenWrites:
    """A connection's transport whose writes fail (a TLS or socket error the hub cannot cause here)."""

    def __init__(self, transport: Any) -> None:
        self._transport = transport

    def write(self, data: bytes) -> None:
        raise RuntimeError("the connection broke while writing")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


async def test_a_connection_that_fails_to_write_keeps_nobody_else_from_their_frames(hub: Hub) -> None:
    """Frames for many connections go out together at the end of a loop iteration: one connection
    whose write fails is cut, and everyone after it in that round still gets their frames."""
    alice = await hub.client(await hub.user("alice"), name="alice")
    bob = await hub.client(await hub.user("bob"), name="bob")
    carl = await hub.client(await hub.user("carl"), name="carl")
    carls = socket_of(hub, carl)
    carls._out = _BrokenWrites(carls._out)  # type: ignore[assignment]

    layer = hub.running.app[SOCKETS].connections
    # Carl first, then Bob: one fan-out, written in that order in one round.
    await layer.emit_many([carl.sio.get_sid(), bob.sio.get_sid()], "server_announcement", {"message": "hello"})

    assert (await bob.next("server_announcement"))["message"] == "hello"
    await asyncio.wait_for(carl.disconnected.wait(), WAIT)
    sent = await alice.call("send_notification", {"to": "bob", "message": "later"})
    assert (await bob.next("notification"))["id"] == sent["id"]
