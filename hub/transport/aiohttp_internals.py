"""Every private (or undocumented) part of aiohttp the hub uses, and nowhere else.

aiohttp has no hook for a connection before its first request, no public drain on a
`WebSocketResponse`, and keeps an upgraded connection's HTTP parser. The hub's gate
(hub/transport/listener.py) and websocket (hub/transport/websocket.py) reach those through the
bases and functions here. `SURFACE` lists them all; tests/hub/test_library_internals.py checks them
against the release installed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from hub.transport.surface import Kind, Library, Private, attribute


def drop_http_parser(request: Any) -> None:
    """Let aiohttp's HTTP request parser go once the connection is a websocket (~750 bytes per open
    connection): from then on aiohttp reads with its websocket reader only, and it sets the parser to
    None itself when the connection is lost. Guarded: an aiohttp laid out otherwise keeps it."""
    protocol = request.protocol
    upgraded = getattr(protocol, "_upgraded", False) and getattr(protocol, "_payload_parser", None) is not None
    if upgraded and getattr(protocol, "_parser", None) is not None:
        protocol._parser = None


def payload_writer(response: web.WebSocketResponse) -> Any:
    """The writer of a websocket response, whose `drain()` waits for the client to read."""
    return response._payload_writer


class RequestHandlerBase(RequestHandler):
    """aiohttp's per-connection protocol, with the private state the gate needs behind names of ours."""

    __slots__ = ()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    @property
    def busy(self) -> bool:
        """A request is being handled on it."""
        return bool(self._request_in_progress)

    def leave_server(self) -> None:
        """aiohttp's server never hears of this connection (refused before its first request)."""
        self._manager = None


def make_handler(server: web.Server, cls: type[RequestHandler], **kwargs: Any) -> RequestHandler:
    """A connection's protocol of class `cls`, made as aiohttp's `Server.__call__` makes its own."""
    return cls(server, loop=server._loop, **kwargs, **server._kwargs)


class RunnerBase(web.AppRunner):
    """`web.AppRunner` whose server is handed to `server_made` before it serves."""

    async def _make_server(self) -> web.Server:
        return self.server_made(await super()._make_server())

    def server_made(self, server: web.Server) -> web.Server:
        return server


def change_class(obj: Any, cls: type) -> Any:
    """`obj` as an instance of `cls` (a subclass of its class): aiohttp makes its Server itself."""
    obj.__class__ = cls
    return obj


_PROTOCOL = "aiohttp.web_protocol.RequestHandler"


AIOHTTP = Library(
    distribution="aiohttp",
    tested="3.14.5",
    revisit="hub/transport/aiohttp_internals.py",
    surface=(
        Private("aiohttp.web_protocol", "RequestHandler", Kind.CLASS, "", "RequestHandlerBase → listener's gate"),
        attribute(_PROTOCOL, "_upgraded", "drop_http_parser: only an upgraded connection's parser goes"),
        attribute(_PROTOCOL, "_payload_parser", "drop_http_parser (and tests/hub/test_engine.py)"),
        attribute(_PROTOCOL, "_parser", "drop_http_parser: set to None (and tests/hub/test_engine.py)"),
        attribute(_PROTOCOL, "_request_in_progress", "RequestHandlerBase.busy: the gate evicts idle ones"),
        attribute(_PROTOCOL, "_manager", "RequestHandlerBase.leave_server: refused before a request"),
        attribute(_PROTOCOL, "_loop", "RequestHandlerBase.loop: the linger timer of a refused connection"),
        attribute(_PROTOCOL, "peername", "listener: the log line of a malformed request"),
        Private(
            _PROTOCOL,
            "connection_made",
            Kind.CALLABLE,
            "(self, transport: asyncio.transports.BaseTransport) -> None",
            "listener.HubRequestHandler: the gate's decision on a new connection",
        ),
        Private(
            _PROTOCOL,
            "data_received",
            Kind.CALLABLE,
            "(self, data: bytes) -> None",
            "listener.HubRequestHandler: nothing is read on a refused connection",
        ),
        Private(
            _PROTOCOL,
            "connection_lost",
            Kind.CALLABLE,
            "(self, exc: BaseException | None) -> None",
            "listener.HubRequestHandler: the gate learns a connection closed",
        ),
        Private(
            _PROTOCOL,
            "log_exception",
            Kind.CALLABLE,
            "(self, *args: Any, **kw: Any) -> None",
            "listener.HubRequestHandler: a malformed request is one debug line, not a traceback",
        ),
        Private(
            "aiohttp.web_server.Server",
            "__call__",
            Kind.CALLABLE,
            "(self) -> aiohttp.web_protocol.RequestHandler",
            "listener.GatedServer makes HubRequestHandlers",
        ),
        Private(
            "aiohttp.web_server.Server",
            "__call__",
            Kind.SOURCE,
            "86a9253b270db58f",
            "make_handler makes a connection's protocol as this does",
        ),
        attribute("aiohttp.web_server.Server", "_loop", "make_handler"),
        attribute("aiohttp.web_server.Server", "_kwargs", "make_handler: the protocol's settings"),
        Private(
            "aiohttp.web_runner.AppRunner",
            "_make_server",
            Kind.CALLABLE,
            "(self) -> aiohttp.web_server.Server",
            "RunnerBase.server_made: the gated server",
            "none (upstream candidate: a protocol factory on AppRunner)",
        ),
        attribute(
            "aiohttp.web_ws.WebSocketResponse",
            "_payload_writer",
            "payload_writer: a replay waits for a slow reader (HubSocket.drain)",
            "none (no public drain on WebSocketResponse)",
        ),
        attribute("aiohttp.web_ws.WebSocketResponse", "_req", "tests/hub/test_engine.py: a websocket's protocol"),
        attribute(
            "aiohttp.client_ws.ClientWebSocketResponse",
            "_writer",
            "tests/fuzz/test_raw_frames.py writes raw frames (tests only)",
        ),
    ),
)
