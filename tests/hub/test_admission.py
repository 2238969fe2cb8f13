"""Idle, half-open and hostile connections: dropped after their deadlines, capped per address and
per account with a clear refusal, and never so many that /api/health and admins cannot get in."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import socketio

from hub.app_keys import GATE, SOCKETS
from hub.config import HubConfig
from hub.transport.admission import RESERVE, Gate
from hub.transport.listener import HubRequestHandler
from tests.support.clients import Client
from tests.support.hubs import Hub, HubProcess
from tests.support.raw_engineio import RawSocket
from tests.support.raw_http import RawHttp, request
from tests.support.waiting import WAIT

# --------------------------------------------------------------------------- the gate's decisions


class FakeConnection:
    def __init__(self, busy: bool = False) -> None:
        self.busy = busy
        self.evicted = False

    def evict(self) -> None:
        self.evicted = True


def gate(**config: Any) -> Gate:
    return Gate(HubConfig(**config))


def test_pending_connections_are_capped_per_address_and_signed_in_ones_are_not() -> None:
    g = gate(max_pending_per_address=3)
    conns = [FakeConnection() for _ in range(3)]
    assert [g.admit(c, "10.0.0.1") for c in conns] == [None, None, None]
    refused = g.admit(FakeConnection(), "10.0.0.1")
    assert refused is not None and refused.code.value == "too_many_connections" and refused.http_status == 429
    assert g.admit(FakeConnection(), "10.0.0.2") is None, "another address is not affected"
    for c in conns:
        g.signed_in(c)
    assert all(g.admit(FakeConnection(), "10.0.0.1") is None for _ in range(3)), "signed-in ones do not count"
    assert g.pending_from("10.0.0.1") == 3 and len(g) == 7


def test_a_trusted_proxy_is_not_capped() -> None:
    from hub.auth import proxy_networks

    g = Gate(HubConfig(max_pending_per_address=1, trusted_proxies=("10.0.0.0/8",)), proxy_networks(("10.0.0.0/8",)))
    assert all(g.admit(FakeConnection(), "10.1.2.3") is None for _ in range(5))


def test_at_the_limit_the_oldest_idle_pending_connection_makes_room() -> None:
    g = gate(max_pending_per_address=100)
    g.max_connections = 3
    signed, busy, idle = FakeConnection(), FakeConnection(busy=True), FakeConnection()
    for c in (signed, busy, idle):
        assert g.admit(c, "10.0.0.1") is None
    g.signed_in(signed)
    newcomer = FakeConnection()
    assert g.admit(newcomer, "10.0.0.2") is None
    assert (signed.evicted, busy.evicted, idle.evicted) == (False, False, True)
    assert not g.on_reserve(newcomer) and len(g) == 3 and g.evicted == 1


def test_an_engine_io_connection_not_signed_in_may_be_closed_to_make_room() -> None:
    g = gate()
    g.max_connections = 1
    waiting = FakeConnection(busy=True)  # an Engine.IO websocket is a request in progress
    g.admit(waiting, "10.0.0.1")
    g.engine(waiting)
    assert g.admit(FakeConnection(), "10.0.0.2") is None and waiting.evicted


def test_with_no_room_to_make_connections_come_on_reserve_then_are_refused() -> None:
    g = gate(max_pending_per_address=1000)
    g.max_connections = 2
    for _ in range(2):
        c = FakeConnection()
        g.admit(c, "10.0.0.1")
        g.signed_in(c)
    reserve = [FakeConnection(busy=True) for _ in range(RESERVE)]
    assert all(g.admit(c, "10.0.0.3") is None for c in reserve)
    assert all(g.on_reserve(c) for c in reserve)
    full = g.admit(FakeConnection(), "10.0.0.4")
    assert full is not None and (full.http_status, full.code.value) == (503, "unavailable")
    g.left(reserve[0])
    assert g.admit(FakeConnection(), "10.0.0.4") is None


# --------------------------------------------------------------------------- aiohttp's internals


def test_the_aiohttp_internals_the_listener_uses_are_there() -> None:
    """hub/transport/listener.py subclasses aiohttp's RequestHandler and reads its private state (aiohttp 3.14,
    aiohttp/web_protocol.py and web_runner.py). If this fails after an aiohttp upgrade, revisit
    hub/transport/listener.py: the gate, the idle timer before the first request and the quiet log of
    malformed requests depend on it."""
    import inspect

    from aiohttp import web, web_protocol

    assert "_request_in_progress" in web_protocol.RequestHandler.__slots__
    assert "_manager" in web_protocol.RequestHandler.__slots__
    assert hasattr(web.AppRunner, "_make_server")
    # aiohttp starts its idle (keep-alive) timer when a connection opens, not only after a response.
    assert "_keepalive_handle = loop.call_at" in inspect.getsource(web_protocol.RequestHandler.connection_made)
    assert issubclass(HubRequestHandler, web_protocol.RequestHandler)


# --------------------------------------------------------------------------- timeouts


async def test_a_connection_that_never_speaks_or_trickles_its_headers_is_closed(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(http_idle_timeout=0.5)
    silent = await RawHttp.open(hub.url)
    trickling = await RawHttp.open(hub.url)
    try:
        await trickling.send(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")  # and no more
        assert await silent.closed() and await trickling.closed()
    finally:
        await silent.close()
        await trickling.close()


async def test_an_idle_keep_alive_connection_is_closed(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(http_idle_timeout=0.5)
    raw = await RawHttp.open(hub.url)
    try:
        await raw.send(request("GET", "/api/health"))
        assert (await raw.answer()).status == 200
        assert await raw.closed()
    finally:
        await raw.close()


async def test_a_connection_that_does_not_sign_in_in_time_is_closed(hub_factory: Any) -> None:
    """It answers pings all along; only the sign-in deadline ends it. A signed-in one stays."""
    hub: Hub = await hub_factory(sign_in_timeout=0.5, open=True)
    token = await hub.user("alice")
    signed = await hub.client(token, name="alice")
    never = await RawSocket.open(hub.url)  # Engine.IO only: no Socket.IO CONNECT
    anonymous = Client(hub.url)  # open mode: connected, never `authenticate`s
    hub.clients.append(anonymous)
    await anonymous.connect()
    try:
        assert await asyncio.wait_for(never.receive(), WAIT) in ("1", None)  # CLOSE, or closed
        await asyncio.wait_for(anonymous.disconnected.wait(), WAIT)
    finally:
        await never.close()
    assert hub.running.app[SOCKETS].sio.eio.dropped_unsigned == 2
    assert (await signed.call("list_online"))["online"] == ["alice"]


# --------------------------------------------------------------------------- caps


def client_from(url: str, source: str, name: str = "") -> Client:
    connector = aiohttp.TCPConnector(local_addr=(source, 0))
    return Client(url, name, http_session=aiohttp.ClientSession(connector=connector))


async def test_pending_connections_per_address_are_refused_clearly_and_signed_in_clients_get_in(
    hub_factory: Any,
) -> None:
    hub: Hub = await hub_factory(max_pending_per_address=5)
    idle = [await RawHttp.open(hub.url, source="127.0.0.2") for _ in range(5)]
    signed: list[Client] = []
    try:
        sixth = await RawHttp.open(hub.url, source="127.0.0.2")
        await sixth.send(request("GET", "/api/health"))
        refused = await sixth.answer()
        assert (refused.status, refused.code) == (429, "too_many_connections")
        assert "sign in" in json.loads(refused.body)["error"]["message"] and await sixth.closed()
        await sixth.close()
        # Another address is not affected.
        other = await RawHttp.open(hub.url, source="127.0.0.3")
        await other.send(request("GET", "/api/health"))
        assert (await other.answer()).status == 200
        await other.close()
        for raw in idle:
            await raw.close()
        # A whole office behind one address: more signed-in clients than the cap, one after another.
        for i in range(8):
            client = client_from(hub.url, "127.0.0.2", f"u{i}")
            signed.append(client)
            await client.connect({"token": await hub.user(f"u{i}")})
            await client.next("welcome")
        assert len((await signed[0].call("list_online"))["online"]) == 8
    finally:
        for raw in idle:
            await raw.close()
        for client in signed:
            await client.close()
            await client.sio.eio.http.close()


async def test_one_account_holds_at_most_max_connections_per_user(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(max_connections_per_user=3)
    token = await hub.user("alice")
    clients = [await hub.client(token, name="alice") for _ in range(3)]
    fourth = Client(hub.url)
    errors: list[Any] = []
    fourth.sio.on("connect_error", errors.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await fourth.connect({"token": token})
    await fourth.close()
    assert errors[0]["data"]["code"] == "too_many_connections"
    await clients[0].close()
    assert (await hub.client(token, name="alice")).sio.connected, "a freed place can be taken again"


# --------------------------------------------------------------------------- a low file limit


async def health(url: str, source: str = "127.0.0.1") -> int:
    async with (
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(source, 0))) as http,
        http.get(url + "/api/health") as response,
    ):
        return response.status


@pytest.mark.parametrize("addresses", [1, 10], ids=["from one address", "from ten addresses"])
async def test_with_256_files_260_idle_connections_leave_health_and_sign_in_working(
    tmp_path: Path, addresses: int
) -> None:
    process = HubProcess(tmp_path / "hub", files=(256, 256))
    token = (
        (await process.cli("token", "create", await add_user(process, "alice"), "--label", "t"))
        .strip()
        .splitlines()[-1]
    )
    url = await process.start()
    idle: list[RawHttp] = []
    client: Client | None = None
    try:
        for i in range(260):
            with contextlib.suppress(OSError):
                idle.append(await RawHttp.open(url, source=f"127.0.1.{i % addresses + 1}"))
        assert await health(url) == 200
        client = Client(url, "alice")
        await client.connect({"token": token})
        assert (await client.next("welcome"))["user"]["name"] == "alice"
    finally:
        if client is not None:
            await client.close()
        for raw in idle:
            await raw.close()
        await process.close()


async def add_user(process: HubProcess, name: str) -> str:
    await process.cli("user", "add", name, "--no-password")
    return name


async def test_at_start_the_file_limit_is_raised_to_the_hard_limit(tmp_path: Path) -> None:
    log_file = tmp_path / "stderr.log"
    with log_file.open("wb") as stderr:
        process = HubProcess(tmp_path / "hub", stderr=stderr, files=(256, 1024))
        await process.start()
        try:
            limits = Path(f"/proc/{process.pid}/limits").read_text()
        finally:
            await process.terminate()
    line = next(line for line in limits.splitlines() if line.startswith("Max open files"))
    assert line.split()[3:5] == ["1024", "1024"]
    assert "open-file limit 1024 (raised from 256)" in log_file.read_text()


async def test_past_max_connections_only_health_and_admins_get_in(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(max_connections=3)
    hub.running.app[GATE].max_connections = 3
    users = [await hub.client(await hub.user(f"u{i}"), name=f"u{i}") for i in range(3)]
    assert len(hub.running.app[GATE]) == 3
    errors: list[Any] = []
    late = Client(hub.url)
    late.sio.on("connect_error", errors.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await late.connect({"token": await hub.user("late")})
    await late.close()
    assert errors[0]["data"]["code"] == "unavailable"
    admin = await hub.client(await hub.user("root", admin=True), name="root")
    assert (await admin.call("list_online"))["ok"]
    async with aiohttp.ClientSession() as http:
        async with http.get(hub.url + "/api/health") as answer:
            assert answer.status == 200
        token = await hub.token("u0")
        headers = {"Authorization": f"Bearer {token}"}
        async with http.post(hub.url + "/api/notify/u1", data=b"hi", headers=headers) as answer:
            assert (answer.status, (await answer.json())["error"]["code"]) == (503, "unavailable")
    assert all(u.sio.connected for u in users)
