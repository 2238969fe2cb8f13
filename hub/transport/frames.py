"""Engine.IO packets as websocket frames, built once and written to any number of connections."""

from __future__ import annotations

import struct

from engineio import packet as eio_packet

_TEXT = 0x81  # FIN + text opcode
_BINARY = 0x82  # FIN + binary opcode


def frame(payload: str | bytes, *, text: bool | None = None) -> bytes:
    """One unmasked (server-to-client) websocket frame carrying an encoded Engine.IO packet.

    A str is a text frame, bytes a binary frame, unless `text` says the bytes are UTF-8 text."""
    if isinstance(payload, str):
        data, opcode = payload.encode(), _TEXT
    else:
        data, opcode = bytes(payload), _TEXT if text else _BINARY
    size = len(data)
    if size < 126:
        return bytes((opcode, size)) + data
    if size < 65536:
        return struct.pack("!BBH", opcode, 126, size) + data
    return struct.pack("!BBQ", opcode, 127, size) + data


class Outgoing:
    """Engine.IO packets to send to several connections, encoded once and framed once.

    Made from Engine.IO packets, or (the hub's own events and acks) from one Socket.IO packet
    already encoded as UTF-8 JSON text, which is framed without decoding it again."""

    __slots__ = ("_frames", "_packets", "_text")

    def __init__(self, packets: list[eio_packet.Packet] | None = None, *, text: bytes = b"") -> None:
        self._packets = packets
        self._text = text  # a Socket.IO packet: b'2["event",{...}]'
        self._frames: list[bytes] | None = None

    @property
    def packets(self) -> list[eio_packet.Packet]:
        if self._packets is None:
            self._packets = [eio_packet.Packet(eio_packet.MESSAGE, self._text.decode())]
        return self._packets

    @property
    def frames(self) -> list[bytes]:
        if self._frames is None:
            if self._packets is None:
                self._frames = [frame(b"4" + self._text, text=True)]
            else:
                self._frames = [frame(p.encode()) for p in self._packets]
        return self._frames
