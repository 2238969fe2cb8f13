"""The transport's way in for the app: what it builds at start and closes at stop."""

from __future__ import annotations

import logging

import socketio

from hub.transport.http_body import BodyReads

log = logging.getLogger(__name__)


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
