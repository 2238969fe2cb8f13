"""Encode once, enqueue to many: the hub's fan-out fast path under python-socketio.

`AsyncServer.emit(..., to=sid)` encodes the packet and creates an asyncio task per recipient. For a
notification going to many devices, the hub instead encodes the Socket.IO packet once and puts the
same Engine.IO packet object straight into each recipient socket's outgoing queue (what
`AsyncSocket.send` does, minus the task and the per-call encode; Engine.IO packets cache their
encoding, so the JSON is produced once). Each socket's writer task sends its queue in order, so the
order of frames per socket is the order of calls, as with `emit`.

`tests/hub/test_fastpath.py` checks it delivers exactly what `emit` would.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import socketio
from engineio import packet as eio_packet
from socketio import packet as sio_packet

NAMESPACE = "/"


def encode_event(sio: socketio.AsyncServer, event: str, data: Any) -> list[eio_packet.Packet]:
    """The Engine.IO packet(s) for one Socket.IO event (more than one only with binary data)."""
    pkt = sio.packet_class(sio_packet.EVENT, namespace=NAMESPACE, data=[event, data])
    encoded = pkt.encode()
    parts = encoded if isinstance(encoded, list) else [encoded]
    return [eio_packet.Packet(eio_packet.MESSAGE, part) for part in parts]


def enqueue(
    sio: socketio.AsyncServer,
    sids: Iterable[str],
    packets: list[eio_packet.Packet],
    *,
    backlog_cap: int | None = None,
    over: list[str] | None = None,
) -> int:
    """Queue pre-encoded packets to each connected sid; returns how many sockets got them.

    With `backlog_cap` and `over`: the Engine.IO sids whose queue is now longer than the cap (clients
    that are not reading) are appended to `over`, for the caller to close."""
    rooms = sio.manager.rooms.get(NAMESPACE)
    if rooms is None:
        return 0
    connected = rooms.get(None, {})
    sockets = sio.eio.sockets
    sent = 0
    for sid in sids:
        eio_sid = connected.get(sid)
        socket = sockets.get(eio_sid) if eio_sid is not None else None
        if socket is None or socket.closed or socket.closing:
            continue
        for p in packets:
            socket.queue.put_nowait(p)
        if over is not None and backlog_cap is not None and socket.queue.qsize() > backlog_cap:
            over.append(eio_sid)
        sent += 1
    return sent
