"""The transport's way in for the app: events in from the clients, frames out to them.

`TransportLayer` builds the parts once the Socket.IO server exists: `Connections` (delivery's
`Outbox`), delivery itself, and `EventRouter` (the handlers, which call delivery's parts).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import socketio
from aiohttp import web

from hub.config import HubConfig
from hub.delivery import Delivery
from hub.http import BodyReads, WebGuard
from hub.protocol import MAX_PACKET_BYTES
from hub.transport.admission import Gate
from hub.transport.connections import Connections
from hub.transport.engine_http import EngineRequests
from hub.transport.events import EventRouter
from hub.transport.socketio_internals import RoomIndexManager
from hub.transport.socketio_server import HubSocketIOServer
from hub.transport.websocket import install_websocket_transport

log = logging.getLogger(__name__)


def attach_socketio(
    app: web.Application,
    config: HubConfig,
    *,
    gate: Gate,
    guard: WebGuard,
    body_reads: BodyReads,
    loggers: tuple[logging.Logger, logging.Logger],
) -> HubSocketIOServer:
    """The Socket.IO server on the hub's Engine.IO layer, serving `app`'s /socket.io/ requests
    behind the gate, the web guard and the bounded body reader. `loggers`: python-socketio's and
    python-engineio's."""
    sio = HubSocketIOServer(
        async_mode="aiohttp",
        client_manager=RoomIndexManager(),
        # A connection's events are handled in order, one at a time, as Node's socket.io does:
        # `authenticate` then `send_notification` at once works, and no task is made per event.
        # (That holds per websocket and per long-polling POST: two POSTs of one connection sent side
        # by side are two requests, handled side by side.)
        async_handlers=False,
        cors_allowed_origins=_cors(config),
        ping_interval=config.ping_interval,
        ping_timeout=config.ping_timeout,
        max_http_buffer_size=MAX_PACKET_BYTES,
        logger=loggers[0],
        engineio_logger=loggers[1],
    )
    install_websocket_transport(sio, compress=config.websocket_compression)
    sio.attach(app)
    sio.eio.gate = gate
    sio.eio.sign_in_timeout = config.sign_in_timeout
    sio.eio.backlog.cap = config.max_send_buffer_total
    EngineRequests(sio.eio, config, guard, body_reads, gate).install()
    return sio


def _cors(config: HubConfig) -> str | list[str] | None:
    if not config.cors_origins:
        return None  # same origin only
    if "*" in config.cors_origins:
        return "*"
    return list(config.cors_origins)


class TransportLayer:
    """The Socket.IO server's connections and handlers, and the delivery they serve."""

    def __init__(
        self,
        sio: HubSocketIOServer,
        delivery_factory: Callable[[Connections], Delivery],
        *,
        max_send_buffer: int | None = None,
    ) -> None:
        self.sio = sio
        self.connections = Connections(sio, max_send_buffer=max_send_buffer)
        self.delivery = delivery_factory(self.connections)
        self.events = EventRouter(sio, self.connections, self.delivery)

    async def close(self) -> None:
        """Cancel the handlers' tasks (delivery stops after this)."""
        await self.events.close()


async def close_all_connections(sio: socketio.AsyncServer, body_reads: BodyReads) -> None:
    """Close every client connection as the hub stops, and cut the requests still sending a body.

    The transports close without a Socket.IO or Engine.IO "close" packet: with one, python-socketio
    clients take it as "server disconnect" and never come back. Clients see the connection end once
    what was already written or queued for them is sent, and reconnect to the restarted hub, as
    after any drop (see HubSocket.close)."""
    await sio.eio.close_connections()
    cut = body_reads.cut()
    if cut:
        log.info("cut %d requests still sending their body", cut)
    await sio.shutdown()
