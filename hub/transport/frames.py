"""Socket.IO packets encoded once, as websocket frames, to be written to any number of connections.

`AsyncServer.emit(..., to=sid)` encodes the packet and creates an asyncio task per recipient, and
python-engineio then queues it for a writer task per connection. For a notification going to many
devices, the hub instead encodes the Socket.IO packet once (`encode_event`), frames it once as a
websocket frame (`Frames`), and writes that same frame to each recipient's connection at once
(hub/transport/engine.py): no task, no queue, no encode per recipient. Connections still on a queue
(long-polling, compressed websockets) get the same Engine.IO packet object in their queue. Writes
are synchronous, so the order of frames per connection is the order of calls, as with `emit`.

`tests/hub/test_fastpath.py` checks it delivers exactly what `emit` would.
"""

from __future__ import annotations

import struct
from typing import Any

import orjson
from engineio import packet as eio_packet
from socketio import packet as sio_packet

#: The one Socket.IO namespace the hub serves.
NAMESPACE = "/"

_TEXT = 0x81  # FIN + text opcode
_BINARY = 0x82  # FIN + binary opcode


def frame(payload: str | bytes, *, text: bool | None = None) -> bytes:
    """One unmasked (server-to-client) websocket frame carrying an encoded Engine.IO packet.

    A str is a text frame, bytes a binary frame, unless `text` says the bytes are UTF-8 text."""
    if isinstance(payload, str):
        data, opcode = payload.encode(), _TEXT
    else:
        data, opcode = bytes(payload), _TEXT if text else _BINARY
    return _framed(opcode, data)


def _framed(opcode: int, data: bytes) -> bytes:
    """`data` behind the header of an unmasked frame of its length (RFC 6455, 5.2)."""
    size = len(data)
    if size < 126:
        return bytes((opcode, size)) + data
    if size < 65536:
        return _SHORT_HEADER(opcode, 126, size) + data
    return struct.pack("!BBQ", opcode, 127, size) + data


#: The header of a frame of 126 to 65,535 bytes: (opcode, 126, size).
_SHORT_HEADER = struct.Struct("!BBH").pack


class Frames:
    """Engine.IO packets to send to several connections, encoded once and framed once.

    Made from Engine.IO packets, or (the hub's own events and acks) from one Socket.IO packet
    already encoded as UTF-8 JSON text, which is framed without decoding it again."""

    __slots__ = ("_packets", "_text", "frames")

    def __init__(self, packets: list[eio_packet.Packet] | None = None, *, text: bytes = b"") -> None:
        self._packets = packets
        self._text = text  # a Socket.IO packet: b'2["event",{...}]'
        #: The websocket frames, made at once: nearly every one is written to a connection, and
        #: `HubSocket.push` reads them once per recipient.
        self.frames: list[bytes]
        if packets is None:
            self.frames = [_framed(_TEXT, b"4" + text)]  # an Engine.IO MESSAGE, in a text frame
        else:
            self.frames = [frame(p.encode()) for p in packets]

    @property
    def packets(self) -> list[eio_packet.Packet]:
        if self._packets is None:
            self._packets = [eio_packet.Packet(eio_packet.MESSAGE, self._text.decode())]
        return self._packets


def encode_event(event: str, data: Any) -> Frames:
    """One Socket.IO EVENT packet on the default namespace (JSON only: the hub sends no binary)."""
    return Frames(text=b"2" + orjson.dumps([event, data]))


def encode_ack(ack_id: int, args: list[Any]) -> Frames:
    """The ACK packet answering the client's event `ack_id` on the default namespace."""
    return Frames(text=b"3" + str(ack_id).encode() + orjson.dumps(args))


def encode_packet(pkt: sio_packet.Packet) -> Frames:
    """Any Socket.IO packet, through python-socketio's encoder (binary data, other namespaces)."""
    encoded = pkt.encode()
    parts = encoded if isinstance(encoded, list) else [encoded]
    return Frames([eio_packet.Packet(eio_packet.MESSAGE, part) for part in parts])


#: Engine.IO's PING, framed once for every connection's heartbeat.
PING = Frames([eio_packet.Packet(eio_packet.PING)])
