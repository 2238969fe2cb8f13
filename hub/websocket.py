"""The Engine.IO websocket transport without permessage-deflate (unless configured).

python-engineio's aiohttp driver opens `WebSocketResponse` with aiohttp's default, which
negotiates permessage-deflate with every client: each frame is compressed and each connection
keeps zlib state (about 90 KB of the ~124 KB per idle connection measured in issue 8). Node's
socket.io has it off by default. Notifications are small, so the hub turns it off too; the
`websocket_compression` setting turns it back on for slow links.
"""

from __future__ import annotations

from typing import Any

import socketio
from aiohttp.web import WebSocketResponse
from engineio.async_drivers import aiohttp as aiohttp_driver


class _UncompressedWebSocket(aiohttp_driver.WebSocket):  # type: ignore[misc]
    async def __call__(self, environ: dict[str, Any]) -> WebSocketResponse:
        request = environ["aiohttp.request"]
        self._sock = WebSocketResponse(max_msg_size=self.server.max_http_buffer_size, compress=False)
        await self._sock.prepare(request)
        self.environ = environ
        await self.handler(self)
        return self._sock


def use_uncompressed_websockets(sio: socketio.AsyncServer) -> None:
    sio.eio._async = {**sio.eio._async, "websocket": _UncompressedWebSocket}
