"""The transport's way in for the app: events in from the clients, frames out to them.

`TransportLayer` builds the parts once the Socket.IO server exists: `Connections` (the service's
transport), the service itself, and `EventRouter` (the handlers, which call the service).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import socketio

from hub.service import HubService
from hub.transport.connections import Connections
from hub.transport.events import EventRouter
from hub.transport.http_body import BodyReads
from hub.transport.socketio_server import HubServer

log = logging.getLogger(__name__)


class TransportLayer:
    """The Socket.IO server's connections and handlers, and the service they serve."""

    def __init__(
        self,
        sio: HubServer,
        service_factory: Callable[[Connections], HubService],
        *,
        max_send_buffer: int | None = None,
    ) -> None:
        self.sio = sio
        self.connections = Connections(sio, max_send_buffer=max_send_buffer)
        self.service = service_factory(self.connections)
        self.events = EventRouter(sio, self.connections, self.service)

    async def close(self) -> None:
        """Cancel the handlers' tasks (the service stops after this)."""
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
