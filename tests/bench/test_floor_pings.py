"""The floor pings its connections on a wheel, and closes one that does not answer.

The wheel alone: a connection is pinged once per interval, a slot at a time, so a round of pings is
spread over the interval instead of being one loop turn; a connection whose pong is late is closed
when its timeout has passed, not before. Then the real floor process, with short ping settings: a
client that answers stays connected, a client that does not is closed by the floor.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bench.peers.floor.server import PING_INTERVAL_MS, PING_TICKS, PING_TIMEOUT_MS, PingWheel
from bench.servers import ServerProcess, start_floor

SLOTS = 20
TIMEOUT_TURNS = 16  # the floor's own: 20 s of a 25 s interval in 20 slots


def test_the_floor_keeps_the_hubs_ping_settings() -> None:
    assert (PING_INTERVAL_MS, PING_TIMEOUT_MS, PING_TICKS) == (25_000, 20_000, SLOTS)


def test_a_round_of_pings_is_spread_over_the_interval() -> None:
    """400 connections that joined at once: each turn pings 1/20 of them, each once per interval."""
    wheel: PingWheel[int] = PingWheel(SLOTS, TIMEOUT_TURNS)
    for conn in range(400):
        wheel.add(conn)
    laps = []
    for _ in range(2):
        turns = []
        for _ in range(SLOTS):
            pinged, late = wheel.turn()
            for conn in pinged:  # every client answers before the next turn
                wheel.pong(conn)
            turns.append((pinged, late))
        laps.append([sorted(pinged) for pinged, _ in turns])
        assert all(late == [] for _, late in turns)
    assert [len(pinged) for pinged in laps[0]] == [400 // SLOTS] * SLOTS
    assert Counter(conn for pinged in laps[0] for conn in pinged) == Counter(range(400))
    assert laps[1] == laps[0]  # the same turn of the next lap: one interval apart


def test_a_connection_joins_the_emptiest_slot() -> None:
    wheel: PingWheel[str] = PingWheel(4, 4)
    for conn in "abcd":
        wheel.add(conn)
    wheel.discard("c")
    wheel.add("e")
    pinged = [wheel.turn()[0] for _ in range(4)]
    assert pinged == [["a"], ["b"], ["e"], ["d"]]
    assert len(wheel) == 4


def test_a_silent_connection_is_closed_once_its_timeout_has_passed() -> None:
    wheel: PingWheel[str] = PingWheel(SLOTS, TIMEOUT_TURNS)
    wheel.add("silent")
    wheel.add("answers")  # the next slot: pinged a turn later
    first, late = wheel.turn()
    assert (first, late) == (["silent"], [])
    closed_at = None
    for turn in range(1, 2 * SLOTS):
        pinged, late = wheel.turn()
        for conn in pinged:
            if conn == "answers":
                wheel.pong(conn)
        if late:
            assert late == ["silent"]
            closed_at = turn
            break
    assert closed_at == TIMEOUT_TURNS
    assert len(wheel) == 1
    for _ in range(2 * SLOTS):  # the one that answers stays
        pinged, late = wheel.turn()
        assert late == []
        for conn in pinged:
            wheel.pong(conn)
    assert len(wheel) == 1


def test_a_timeout_as_long_as_the_interval_is_checked_before_the_next_ping() -> None:
    wheel: PingWheel[str] = PingWheel(3, 3)
    wheel.add("silent")
    assert wheel.turn() == (["silent"], [])
    assert [wheel.turn() for _ in range(2)] == [([], []), ([], [])]
    assert wheel.turn() == ([], ["silent"])


def test_a_wheel_refuses_a_timeout_past_the_interval() -> None:
    with pytest.raises(ValueError, match="timeout"):
        PingWheel(4, 5)


INTERVAL_MS = 400
TIMEOUT_MS = 300


@pytest.fixture
def floor(tmp_path: Path) -> Iterator[ServerProcess]:
    options = ("--ping-interval-ms", str(INTERVAL_MS), "--ping-timeout-ms", str(TIMEOUT_MS))
    server = start_floor(None, tmp_path / "floor", options)
    yield server
    server.stop()


async def _client(session: aiohttp.ClientSession, url: str) -> tuple[aiohttp.ClientWebSocketResponse, dict[str, Any]]:
    ws = await session.ws_connect(url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket")
    opened = await ws.receive_str()
    assert opened.startswith("0")
    return ws, json.loads(opened[1:])


async def _until_closed(ws: aiohttp.ClientWebSocketResponse) -> int:
    """Never answers; the pings it got before the server closed it."""
    pings = 0
    for _ in range(100):
        msg = await ws.receive()
        if msg.type is not aiohttp.WSMsgType.TEXT:
            return pings
        pings += msg.data == "2"
    raise AssertionError("the floor never closed a client that does not answer its pings")


async def test_the_floor_closes_a_client_that_does_not_answer_and_keeps_one_that_does(floor: ServerProcess) -> None:
    async with aiohttp.ClientSession() as session:
        live, opened = await _client(session, floor.url)
        assert (opened["pingInterval"], opened["pingTimeout"]) == (INTERVAL_MS, TIMEOUT_MS)
        silent, _ = await _client(session, floor.url)
        closing = asyncio.create_task(_until_closed(silent))
        answered = 0
        while answered < 4 or not closing.done():
            assert answered < 50, "the silent client was not closed within 50 of the live client's pings"
            msg = await asyncio.wait_for(live.receive(), timeout=10)
            assert msg.type is aiohttp.WSMsgType.TEXT, f"the floor closed a client that answers: {msg}"
            if msg.data == "2":
                await live.send_str("3")
                answered += 1
        assert await closing >= 1  # it was pinged, then closed for not answering
        assert not live.closed
        await live.close()
