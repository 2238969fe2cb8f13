"""Encode once, write to many: the hub's fan-out fast path under python-socketio.

`AsyncServer.emit(..., to=sid)` encodes the packet and creates an asyncio task per recipient, and
python-engineio then queues it for a writer task per connection. For a notification going to many
devices, the hub instead encodes the Socket.IO packet once, frames it once as a websocket frame,
and writes that same frame to each recipient's connection at once (`hub/transport/engine.py`): no task, no
queue, no encode per recipient. `SocketLayer.emit_many` (`hub/transport/namespace.py`) does the writing, with
each sid's connection from a table of its own. Connections still on a queue (long-polling,
compressed websockets) get the same Engine.IO packet object in their queue. Writes are synchronous,
so the order of frames per connection is the order of calls, as with `emit`.

`tests/hub/test_fastpath.py` checks it delivers exactly what `emit` would.
"""

from __future__ import annotations

from typing import Any

import orjson
import socketio
from engineio import packet as eio_packet
from socketio import packet as sio_packet

from hub.transport.engine import HubSocket
from hub.transport.frames import Outgoing

NAMESPACE = "/"


def encode_event(event: str, data: Any) -> Outgoing:
    """One Socket.IO EVENT packet on the default namespace (JSON only: the hub sends no binary)."""
    return Outgoing(text=b"2" + orjson.dumps([event, data]))


def encode_ack(ack_id: int, args: list[Any]) -> Outgoing:
    """The ACK packet answering the client's event `ack_id` on the default namespace."""
    return Outgoing(text=b"3" + str(ack_id).encode() + orjson.dumps(args))


def encode_packet(pkt: sio_packet.Packet) -> Outgoing:
    """Any Socket.IO packet, through python-socketio's encoder (binary data, other namespaces)."""
    encoded = pkt.encode()
    parts = encoded if isinstance(encoded, list) else [encoded]
    return Outgoing([eio_packet.Packet(eio_packet.MESSAGE, part) for part in parts])


def socket_of(sio: socketio.AsyncServer, sid: str) -> HubSocket | None:
    rooms = sio.manager.rooms.get(NAMESPACE)
    eio_sid = rooms.get(None, {}).get(sid) if rooms is not None else None
    socket = sio.eio.socket_by_eio_sid(eio_sid) if eio_sid is not None else None
    return socket if isinstance(socket, HubSocket) else None
