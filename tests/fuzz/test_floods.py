"""Floods against a hub process: oversized bodies on every transport, and idle, half-open and
never-reading connections in numbers. Each is answered or closed at once (or dropped by its
deadline), the hub serves others meanwhile, its memory returns near where it was, a fresh pair of
clients talks afterwards, and it stops within its shutdown timeout."""

from __future__ import annotations

import asyncio
import resource
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import aiohttp
import pytest

from tests.support.clients import Client, drain_until_marker
from tests.support.fuzz import Tally
from tests.support.hubs import HubProcess
from tests.support.memory import rss
from tests.support.raw_engineio import RawSocket
from tests.support.raw_http import RawHttp, closed_by_peer, polling_session, request
from tests.support.stuck import StuckReader
from tests.support.waiting import WAIT

T = TypeVar("T")
POLLING = "/socket.io/?EIO=4&transport=polling"
#: Short deadlines, so that the idle and half-open connections are dropped within seconds.
FAST = (
    *("--http-idle-timeout", "1", "--http-body-timeout", "1", "--sign-in-timeout", "2"),
    *("--ping-interval", "2", "--ping-timeout", "1", "--max-connections-per-user", "5000"),
)
SHUTDOWN_TIMEOUT = 5.0  # RunningHub's, which `notify-hub serve` uses


def near(baseline: int, now: int) -> bool:
    """As the load suite bounds held memory: CPython keeps freed memory in its arenas and grows in
    steps of a few MiB, a leak grows with the flood and has no ceiling."""
    return now <= baseline * 1.2 + 8 * 1024


class FloodHub:
    def __init__(self, process: HubProcess) -> None:
        self.process = process
        self.url = ""
        self.tokens: dict[str, str] = {}

    async def start(self) -> None:
        for name in ("alice", "bob", "carl"):
            await self.process.cli("user", "add", name, "--no-password")
            self.tokens[name] = (await self.process.cli("token", "create", name)).strip().splitlines()[-1]
        self.url = await self.process.start()

    @property
    def rss(self) -> int:
        return rss(self.process.pid) // 1024  # KiB

    async def a_fresh_pair_talks(self) -> None:
        sender, receiver = Client(self.url, "alice"), Client(self.url, "bob")
        try:
            await sender.connect({"token": self.tokens["alice"], "last_id": 0})
            await receiver.connect({"token": self.tokens["bob"]})
            await receiver.next("welcome")
            answer = await sender.call("send_notification", {"to": "bob", "message": "still here?"})
            assert answer["ok"], answer
            got = await drain_until_marker(receiver)
            assert [n["message"] for n in got][-1:] == ["still here?"]
        finally:
            await sender.close()
            await receiver.close()

    async def health(self) -> int:
        async with aiohttp.ClientSession() as http, http.get(self.url + "/api/health") as answer:
            return answer.status

    async def stop_in_time(self) -> None:
        assert self.process.proc is not None
        self.process.proc.terminate()
        code = await asyncio.wait_for(self.process.proc.wait(), SHUTDOWN_TIMEOUT + 2.0)
        assert code == 0


@pytest.fixture
async def flood_hub(tmp_path: Path) -> AsyncIterator[FloodHub]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # this test opens thousands of sockets
    process = HubProcess(tmp_path / "hub", *FAST)
    hub = FloodHub(process)
    await hub.start()
    try:
        yield hub
    finally:
        await process.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


async def twice(hub: FloodHub, flood: Callable[[], Awaitable[T]]) -> tuple[tuple[int, int, int], T]:
    """Flood twice: the hub's RSS at start, after the first flood (what the allocator grows to stays
    with it) and after the second (which must not add to it), and what the second flood saw."""
    start = hub.rss
    await flood()
    baseline = hub.rss
    result = await flood()
    return (start, baseline, hub.rss), result


async def in_waves(count: int, make: Callable[[int], Awaitable[str]], tally: Tally, at_once: int = 50) -> None:
    for start in range(0, count, at_once):
        for outcome in await asyncio.gather(*(make(i) for i in range(start, min(count, start + at_once)))):
            tally.add(outcome)


# --------------------------------------------------------------------------- oversized bodies


async def _answer_and_close(url: str, data: bytes, source: str) -> str:
    raw = await RawHttp.open(url, source=source)
    try:
        await raw.send(data)
        answer = await raw.answer()
        closed = await raw.closed()
        return f"{answer.status} {answer.code or ''}{' closed' if closed else ''}".strip()
    finally:
        await raw.close()


def oversized_requests(hub: FloodHub) -> list[Callable[[str], Awaitable[str]]]:
    """One function per kind of oversized request, each taking the source address to send from."""
    auth = {"Authorization": f"Bearer {hub.tokens['alice']}"}
    json_type = {"Content-Type": "application/json"}
    chunked = {"Content-Length": None, "Transfer-Encoding": "chunked"}
    chunk = b"2000\r\n" + b" " * 0x2000 + b"\r\n"

    async def polling_declared(source: str) -> str:
        sid = await polling_session(hub.url)
        head = request("POST", f"{POLLING}&sid={sid}", headers={"Content-Length": "70000"})
        return await _answer_and_close(hub.url, head + b"4" * 4000, source)

    async def polling_chunked(source: str) -> str:
        sid = await polling_session(hub.url)
        return await _answer_and_close(
            hub.url, request("POST", f"{POLLING}&sid={sid}", headers=chunked) + chunk * 9, source
        )

    async def api_declared(source: str) -> str:
        head = request("POST", "/api/notifications", headers={"Content-Length": "1000000", **json_type, **auth})
        return await _answer_and_close(hub.url, head + b"{" * 4000, source)

    async def api_chunked(source: str) -> str:
        return await _answer_and_close(
            hub.url, request("POST", "/api/login", headers={**chunked, **json_type}) + chunk * 3, source
        )

    async def text_send(source: str) -> str:
        head = request("POST", "/api/notify/bob", headers={"Content-Length": "1000000", **auth})
        return await _answer_and_close(hub.url, head + b"x" * 4000, source)

    async def body_on_a_get(source: str) -> str:
        return await _answer_and_close(hub.url, request("GET", POLLING, body=b"x" * 5000), source)

    async def websocket_frame(source: str) -> str:
        raw = await RawSocket.open(hub.url)
        try:
            raw.ws._writer.transport.write(b"\x81\xff" + (1 << 40).to_bytes(8, "big") + b"\x00\x00\x00\x00")
            return await _websocket_outcome(raw)
        finally:
            await raw.close()

    async def websocket_message(source: str) -> str:
        raw = await RawSocket.open(hub.url)
        try:
            assert (await raw.connect({"token": hub.tokens["carl"]})).startswith("40{")
            await raw.send('42["send_notification",{"to":"bob","message":"' + "y" * 70_000 + '"}]')
            return await _websocket_outcome(raw)
        finally:
            await raw.close()

    return [
        polling_declared,
        polling_chunked,
        api_declared,
        api_chunked,
        text_send,
        body_on_a_get,
        websocket_frame,
        websocket_message,
    ]


async def _websocket_outcome(raw: RawSocket) -> str:
    """Whether the hub closes the websocket (what it sent before, e.g. the welcome, is read past)."""
    try:
        async with asyncio.timeout(WAIT):
            while await raw.receive() is not None:
                pass
    except TimeoutError:
        return "websocket open"
    return "websocket closed"


async def oversized_campaign(hub: FloodHub, each: int) -> Tally:
    tally = Tally()
    kinds = oversized_requests(hub)
    await in_waves(
        each * len(kinds), lambda i: kinds[i % len(kinds)](f"127.0.4.{i % 200 + 1}"), tally, at_once=len(kinds) * 5
    )
    return tally


@pytest.mark.parametrize("each", [pytest.param(20, id="160"), pytest.param(250, id="2000", marks=pytest.mark.slow)])
@pytest.mark.timeout(1800)
async def test_oversized_bodies_on_every_transport_are_refused_at_once_and_free_what_they_held(
    flood_hub: FloodHub, each: int
) -> None:
    (start, baseline, after), tally = await twice(flood_hub, lambda: oversized_campaign(flood_hub, each))
    print(
        tally.line("oversized bodies, the second of two floods")
        + f"; hub RSS {start} KiB at start, {baseline} KiB after the first flood, {after} KiB after the second",
        flush=True,
    )
    assert set(tally.outcomes) == {"413 too_large closed", "400 invalid_payload closed", "websocket closed"}, (
        tally.outcomes
    )
    assert near(baseline, after), (baseline, after)
    assert await flood_hub.health() == 200
    await flood_hub.a_fresh_pair_talks()
    await flood_hub.stop_in_time()


# --------------------------------------------------------------------------- idle, half-open, never reading


async def _dropped(close: Callable[[], Awaitable[bool]]) -> str:
    return "dropped by the hub" if await close() else "still open"


def idle_connections(hub: FloodHub) -> list[Callable[[str], Awaitable[Callable[[], Awaitable[bool]]]]]:
    """Kinds of connection that hold a place and do nothing. Each opens one from an address and
    returns how to wait (bounded) for the hub to close it."""

    async def silent(source: str) -> Callable[[], Awaitable[bool]]:
        raw = await RawHttp.open(hub.url, source=source)
        return lambda: _closing(raw.closed(), raw.close())

    async def slowloris(source: str) -> Callable[[], Awaitable[bool]]:
        raw = await RawHttp.open(hub.url, source=source)
        await raw.send(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
        return lambda: _closing(raw.closed(), raw.close())

    async def never_signs_in(source: str) -> Callable[[], Awaitable[bool]]:
        raw = await RawHttp.open(hub.url, source=source)
        await raw.send(request("GET", POLLING))  # an Engine.IO session, then nothing
        await raw.answer()
        return lambda: _closing(raw.closed(), raw.close())

    async def half_open(source: str) -> Callable[[], Awaitable[bool]]:
        # Signed in, then never reads again nor answers a ping (a laptop whose lid was shut).
        stuck = await StuckReader.connect(hub.url, {"token": hub.tokens["carl"]})
        return lambda: _closing(closed_by_peer(stuck.reader), stuck.close())

    return [silent, slowloris, never_signs_in, half_open]


async def _closing(closed: Awaitable[bool], close: Awaitable[None]) -> bool:
    try:
        return await closed
    finally:
        await close


async def idle_flood(hub: FloodHub, each: int) -> tuple[Tally, int]:
    """`each` connections of every kind, from 40 addresses (under max_pending_per_address, 64, each);
    while they are all open the hub answers /api/health and a fresh pair talks; then every one is
    dropped by the hub. Returns the outcomes and the hub's RSS while they were open."""
    kinds = idle_connections(hub)
    waits: list[Callable[[], Awaitable[bool]]] = []
    for i in range(each * len(kinds)):
        waits.append(await kinds[i % len(kinds)](f"127.0.5.{i % 40 + 1}"))
    during = hub.rss
    assert await hub.health() == 200
    await hub.a_fresh_pair_talks()
    tally = Tally()
    for start in range(0, len(waits), 200):
        for outcome in await asyncio.gather(*(_dropped(w) for w in waits[start : start + 200])):
            tally.add(outcome)
    assert tally.outcomes == {"dropped by the hub": len(waits)}, tally.outcomes
    return tally, during


@pytest.mark.parametrize("each", [pytest.param(50, id="200"), pytest.param(500, id="2000", marks=pytest.mark.slow)])
@pytest.mark.timeout(1800)
async def test_idle_half_open_and_never_reading_connections_in_numbers_are_dropped(
    flood_hub: FloodHub, each: int
) -> None:
    (start, baseline, after), (tally, during) = await twice(flood_hub, lambda: idle_flood(flood_hub, each))
    print(
        tally.line(f"idle, half-open, never-reading connections ({len(idle_connections(flood_hub))} kinds), twice")
        + f"; hub RSS {start} KiB at start, {baseline} KiB after the first flood, {during} KiB during the second,"
        f" {after} KiB after it",
        flush=True,
    )
    assert near(baseline, after), (baseline, after)
    await flood_hub.a_fresh_pair_talks()
    await flood_hub.stop_in_time()
