"""Heartbeat, packet size and CORS settings reach Engine.IO, as a client sees them at the handshake."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from hub.protocol import MAX_PACKET_BYTES
from tests.support.hubs import Hub


async def handshake(hub: Hub, origin: str | None = None) -> tuple[int, dict[str, str], Any]:
    """An Engine.IO polling handshake, as a browser page would open it."""
    headers = {"Origin": origin} if origin else {}
    async with (
        aiohttp.ClientSession() as http,
        http.get(hub.url + "/socket.io/?EIO=4&transport=polling", headers=headers) as response,
    ):
        text = await response.text()
        opening = json.loads(text[1:]) if response.status == 200 and text.startswith("0{") else text
        return response.status, dict(response.headers), opening


async def test_heartbeat_and_packet_limit_defaults(hub: Hub) -> None:
    status, _, opening = await handshake(hub)
    assert status == 200
    assert (opening["pingInterval"], opening["pingTimeout"]) == (25_000, 20_000)
    assert opening["maxPayload"] == MAX_PACKET_BYTES


async def test_heartbeat_is_configurable(hub_factory: Any) -> None:
    hub = await hub_factory(ping_interval=5.0, ping_timeout=3.0)
    _, _, opening = await handshake(hub)
    assert (opening["pingInterval"], opening["pingTimeout"]) == (5_000, 3_000)


async def test_by_default_only_pages_from_the_hub_itself_may_connect(hub: Hub) -> None:
    same, _, _ = await handshake(hub, origin=hub.url)
    other, _, _ = await handshake(hub, origin="http://elsewhere.lan")
    assert (same, other) == (200, 400)


@pytest.mark.parametrize(
    ("allowed", "origin", "status"),
    [
        (("http://intranet.lan:3000",), "http://intranet.lan:3000", 200),
        (("http://intranet.lan:3000",), "http://elsewhere.lan", 400),
        (("*",), "http://elsewhere.lan", 200),
    ],
)
async def test_cors_origins_are_configurable(
    hub_factory: Any, allowed: tuple[str, ...], origin: str, status: int
) -> None:
    hub = await hub_factory(cors_origins=allowed)
    got, headers, _ = await handshake(hub, origin=origin)
    assert got == status
    if status == 200:
        assert headers["Access-Control-Allow-Origin"] == origin
