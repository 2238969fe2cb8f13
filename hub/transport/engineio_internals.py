"""Every private (or undocumented) part of python-engineio the hub uses, and nowhere else.

python-engineio has no hook for its socket class, its websocket handler or its drivers: the hub's
Engine.IO layer (hub/transport/engine.py, engine_server.py, websocket.py, engine_http.py) reaches
them through the bases and functions here, which turn each private hook into a name of ours.
`SURFACE` lists them all; tests/hub/test_library_internals.py checks them against the release
installed. Attributes without an underscore that python-engineio does not document (a socket's
`queue`, `connected`, ...) are used where they are and listed here too.
"""

from __future__ import annotations

from typing import Any

import engineio
from engineio import packet as eio_packet
from engineio import payload as eio_payload
from engineio.async_drivers import aiohttp as aiohttp_driver
from engineio.async_socket import AsyncSocket

from hub.surface import Kind, Library, Private, attribute


class Payload(eio_payload.Payload):  # type: ignore[misc]
    """A long-polling body of any number of packets: its size is already bounded (MAX_PACKET_BYTES),
    and the JavaScript client sends everything queued while polling in one body."""

    max_decode_packets = 1 << 20


class SocketBase(AsyncSocket):  # type: ignore[misc]
    """python-engineio's socket, with its websocket handler turned into `on_websocket`."""

    async def _websocket_handler(self, ws: Any) -> None:
        await self.on_websocket(ws)

    async def on_websocket(self, ws: Any) -> None:
        """The connection is on a websocket (new, or upgraded from long-polling)."""
        await self.library_websocket(ws)

    async def library_websocket(self, ws: Any) -> None:
        """python-engineio's own handling of the websocket: its reader, a queue and a writer task."""
        await AsyncSocket._websocket_handler(self, ws)

    async def upgrade_from_polling(self, ws: Any) -> bool:
        """From long-polling to this websocket (the Engine.IO probe), as python-engineio's
        `_websocket_handler` does it (a copy of its first half: SURFACE hashes the original)."""
        self.upgrading = True
        try:
            probe = eio_packet.Packet(encoded_packet=await ws.wait())
        except (OSError, ValueError):
            self.upgrading = False
            return False
        if probe.packet_type != eio_packet.PING or probe.data != "probe":
            self.server.logger.info("%s: Failed websocket upgrade, no PING packet", self.sid)
            self.upgrading = False
            return False
        await ws.send(eio_packet.Packet(eio_packet.PONG, data="probe").encode())
        await self.queue.put(eio_packet.Packet(eio_packet.NOOP))  # ends a pending long-poll
        try:
            upgrade = eio_packet.Packet(encoded_packet=await ws.wait())
        except (OSError, ValueError):
            self.upgrading = False
            return False
        if upgrade.packet_type != eio_packet.UPGRADE:
            self.server.logger.info("%s: Failed websocket upgrade, no UPGRADE packet", self.sid)
            self.upgraded = False
            self.upgrading = False
            return False
        self.upgraded = True
        self.upgrading = False
        return True


class ServerBase(engineio.AsyncServer):  # type: ignore[misc]
    """python-engineio's server, with its socket table, handlers and drivers behind names of ours."""

    async def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
        if event == "connect":
            self.on_socket_opened(args[0])
        return await super()._trigger_event(event, *args, **kwargs)

    def on_socket_opened(self, eio_sid: str) -> None:
        """python-engineio has just made the AsyncSocket of a new connection (before "connect")."""

    def socket_by_eio_sid(self, eio_sid: str) -> Any:
        """The socket of an Engine.IO session; None once it has gone."""
        return self.sockets.get(eio_sid)

    def all_sockets(self) -> list[Any]:
        return list(self.sockets.values())

    def message_handler(self) -> Any:
        """The handler of "message" packets (python-socketio's), to call without the event machinery."""
        return self.handlers["message"]

    def replace_driver_part(self, name: str, part: Any) -> None:
        """Put `part` in place of the async driver's `name` (`websocket`, `translate_request`)."""
        self._async = {**self._async, name: part}  # type: ignore[has-type]


def adopt(socket: Any, cls: type[SocketBase]) -> bool:
    """Make python-engineio's plain AsyncSocket an instance of `cls` (it has no socket-class hook)."""
    if type(socket) is not AsyncSocket:
        return False
    socket.__class__ = cls
    return True


class WebSocketDriverBase(aiohttp_driver.WebSocket):  # type: ignore[misc]
    """python-engineio's aiohttp websocket, with the response it opens as `response`."""

    @staticmethod
    def request_of(environ: dict[str, Any]) -> Any:
        """The aiohttp request an environ was made from."""
        return environ["aiohttp.request"]

    @property
    def response(self) -> Any:
        return self._sock

    @response.setter
    def response(self, value: Any) -> None:
        self._sock = value


_SOCKET = "engineio.async_socket.AsyncSocket"
_SERVER = "engineio.async_server.AsyncServer"
_DRIVER = "engineio.async_drivers.aiohttp"


ENGINEIO = Library(
    distribution="python-engineio",
    tested="4.15.1",
    revisit="hub/transport/engineio_internals.py",
    surface=(
        Private("engineio.async_socket", "AsyncSocket", Kind.CLASS, "", "SocketBase → engine.HubSocket: direct writes"),
        Private(
            _SOCKET,
            "_websocket_handler",
            Kind.CALLABLE,
            "(self, ws)",
            "SocketBase: overridden (on_websocket), called for compressed websockets (library_websocket)",
            "none (upstream candidate: a websocket hook)",
        ),
        Private(
            _SOCKET,
            "_websocket_handler",
            Kind.SOURCE,
            "10f1257640278c00",
            "SocketBase.upgrade_from_polling copies its upgrade half (the probe)",
        ),
        Private(_SOCKET, "schedule_ping", Kind.CALLABLE, "(self)", "engine.HubSocket: pings on the server's wheel"),
        Private(_SOCKET, "check_ping_timeout", Kind.CALLABLE, "(self)", "engine.HubSocket.send"),
        Private(_SOCKET, "handle_post_request", Kind.CALLABLE, "(self, environ)", "engine.HubSocket: bounded bodies"),
        Private(_SOCKET, "receive", Kind.CALLABLE, "(self, pkt)", "engine.HubSocket: packets from the client"),
        Private(_SOCKET, "send", Kind.CALLABLE, "(self, pkt)", "engine.HubSocket: packets to the client"),
        Private(
            _SOCKET,
            "close",
            Kind.CALLABLE,
            "(self, wait=True, abort=False, reason=None)",
            "engine.HubSocket.close: no goodbye packet, no wait for a client that is gone",
        ),
        attribute(_SOCKET, "queue", "engine.HubSocket: the packet queue, dropped once writes are direct"),
        attribute(_SOCKET, "last_ping", "engine.HubSocket: the unanswered ping"),
        attribute(_SOCKET, "connected", "engine.HubSocket.on_websocket: a new connection or an upgrade"),
        attribute(_SOCKET, "upgrading", "SocketBase.upgrade_from_polling"),
        attribute(_SOCKET, "upgraded", "SocketBase.upgrade_from_polling, engine.HubSocket"),
        attribute(_SOCKET, "closing", "engine.HubSocket, engine_server, socketio_server: socket state"),
        attribute(_SOCKET, "closed", "engine.HubSocket, engine_server, engine_http: socket state"),
        attribute(_SOCKET, "sid", "engine.HubSocket: log lines"),
        attribute(_SOCKET, "server", "engine.HubSocket: its HubEngineServer"),
        Private(
            _SERVER,
            "_trigger_event",
            Kind.CALLABLE,
            "(self, event, *args, **kwargs)",
            "ServerBase: a new socket is adopted as a HubSocket before its connect handler",
            "none (upstream candidate: a socket_class attribute)",
        ),
        attribute(_SERVER, "sockets", "ServerBase.socket_by_eio_sid, all_sockets: the socket of an Engine.IO sid"),
        attribute(_SERVER, "handlers", "ServerBase.message_handler: python-socketio's packet handler"),
        attribute(_SERVER, "_async", "ServerBase.replace_driver_part: the websocket class, translate_request"),
        attribute(_SERVER, "_service_task", "closes sockets that missed a pong (relied on: no timer per read)"),
        attribute(_SERVER, "reason", "close reasons"),
        attribute(_SERVER, "ping_interval", "engine_server: the ping wheel"),
        attribute(_SERVER, "ping_timeout", "engine.HubSocket.close: how long a close waits on long-polling"),
        attribute(_SERVER, "max_http_buffer_size", "websocket.HubWebSocket: the largest message"),
        attribute(_SERVER, "logger", "engine.HubSocket: python-engineio's log lines"),
        attribute("engineio.payload.Payload", "max_decode_packets", "Payload: a long-polling body of any count"),
        Private(_DRIVER, "WebSocket", Kind.CLASS, "", "WebSocketDriverBase → websocket.HubWebSocket"),
        Private(
            f"{_DRIVER}.WebSocket",
            "__init__",
            Kind.CALLABLE,
            "(self, handler, server)",
            "websocket.HubWebSocket: made by python-engineio's socket",
        ),
        attribute(f"{_DRIVER}.WebSocket", "_sock", "WebSocketDriverBase.response: the WebSocketResponse we open"),
        attribute(f"{_DRIVER}.WebSocket", "handler", "websocket.HubWebSocket.__call__: the socket's handler"),
        Private(f"{_DRIVER}.WebSocket", "wait", Kind.CALLABLE, "(self)", "websocket.HubWebSocket.wait (the probe)"),
        Private(
            f"{_DRIVER}.WebSocket",
            "__call__",
            Kind.SOURCE,
            "a5396c0141c63ea5",
            "websocket.HubWebSocket.__call__ opens the response itself (uses environ['aiohttp.request'])",
        ),
        Private(
            _DRIVER,
            "translate_request",
            Kind.CALLABLE,
            "(request)",
            "engine_http.EngineRequests.translate wraps it",
        ),
    ),
)
