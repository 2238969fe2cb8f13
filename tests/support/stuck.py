"""A websocket client that connects, then never reads again: a frozen laptop or a hostile client.

Written by hand over a TCP socket with a tiny receive buffer, so the hub's writes back up into its
own queue quickly instead of into megabytes of client-side buffers.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
import zlib
from typing import Any
from urllib.parse import urlsplit

from hub.transport.engine import HubSocket


class StuckReader:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.inflate: Any = None  # with permessage-deflate: the server's frames are compressed

    @classmethod
    async def connect(cls, url: str, auth: dict[str, Any], *, deflate: bool = False) -> StuckReader:
        """`deflate`: offer permessage-deflate (a hub with websocket_compression accepts it)."""
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (host, port))
        reader, writer = await asyncio.open_connection(sock=sock, limit=4096)
        stuck = cls(reader, writer)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (
                f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n"
                + ("Sec-WebSocket-Extensions: permessage-deflate\r\n" if deflate else "")
                + "\r\n"
            ).encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        if deflate:
            assert b"permessage-deflate" in head, head
            stuck.inflate = zlib.decompressobj(-zlib.MAX_WBITS)
        assert (await stuck.frame()).startswith("0{")  # Engine.IO OPEN
        await stuck.send("40" + json.dumps(auth))
        while not (answer := await stuck.frame()).startswith("4"):
            pass
        assert answer.startswith("40{"), answer
        return stuck  # from here on, nobody reads

    async def frame(self) -> str:
        first, second = await self.reader.readexactly(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", await self.reader.readexactly(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
        payload = await self.reader.readexactly(length)
        if first & 0x0F == 0x9:  # websocket ping: read past it
            return await self.frame()
        if first & 0x40 and self.inflate is not None:  # RSV1: a compressed message
            payload = self.inflate.decompress(payload + b"\x00\x00\xff\xff")
        return payload.decode("utf-8", "replace")

    async def send(self, text: str) -> None:
        data = text.encode()
        mask = os.urandom(4)
        header = bytearray([0x81])
        if len(data) < 126:
            header.append(0x80 | len(data))
        else:
            header.append(0x80 | 126)
            header += struct.pack("!H", len(data))
        self.writer.write(bytes(header) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
        await self.writer.drain()

    async def close(self) -> None:
        self.writer.transport.abort()


def hold_little_in_the_kernel(connection: HubSocket) -> None:
    """The hub's end of `connection` (a StuckReader's, seen from the hub) takes a few KB in the kernel
    instead of the ~3 MB Linux grows a send buffer to (tcp_wmem), so what the hub holds itself grows
    from the first answers, whatever the machine's load: otherwise six connections take ~17 MB of
    answers before the hub holds anything."""
    transport = connection._out
    assert transport is not None, "not on a direct websocket"
    transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
