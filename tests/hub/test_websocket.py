"""Websockets are not compressed unless configured (compression costs memory and CPU per connection)."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.support.hubs import Hub


async def negotiated_extensions(hub: Hub) -> str:
    url = hub.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as http, http.ws_connect(url, compress=15) as ws:
        opening = await ws.receive_str()  # Engine.IO "open" packet: the connection works
        assert opening.startswith("0{")
        return ws._response.headers.get("Sec-WebSocket-Extensions", "")


async def test_permessage_deflate_is_refused_by_default(hub: Hub) -> None:
    assert await negotiated_extensions(hub) == ""


async def test_permessage_deflate_can_be_turned_on(hub_factory: Any) -> None:
    hub = await hub_factory(websocket_compression=True)
    assert "permessage-deflate" in await negotiated_extensions(hub)
