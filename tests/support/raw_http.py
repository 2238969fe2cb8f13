"""HTTP by hand over a plain TCP connection: requests a normal client would never send (a body
that never ends, headers that trickle in, a connection that never speaks), and what came back."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tests.support.waiting import WAIT


@dataclass
class RawAnswer:
    status: int
    headers: dict[str, str]
    body: bytes
    #: What a client sees after the answer: "closed" when the hub closed the connection.
    then: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def code(self) -> str | None:
        try:
            return str(json.loads(self.body)["error"]["code"])
        except (ValueError, KeyError, TypeError):
            return None


class RawHttp:
    """One TCP connection to the hub; `source`: the local address to connect from (any of
    127.0.0.0/8 on Linux), so that a test can be several addresses."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, url: str, *, source: str | None = None) -> RawHttp:
        parts = urlsplit(url)
        local = (source, 0) if source else None
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port, local_addr=local)
        return cls(reader, writer)

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        with contextlib.suppress(ConnectionError):
            await self.writer.drain()

    async def answer(self, timeout: float = WAIT) -> RawAnswer:
        """The next response: status line, headers and a Content-Length body."""
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), timeout)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        body = await asyncio.wait_for(self.reader.readexactly(int(headers.get("content-length", "0"))), timeout)
        return RawAnswer(status, headers, body)

    async def closed(self, timeout: float = WAIT) -> bool:
        """Whether the hub closes the connection (EOF or reset) within `timeout`; reads what comes."""
        return await closed_by_peer(self.reader, timeout)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.wait_closed()


async def closed_by_peer(reader: asyncio.StreamReader, timeout: float = WAIT) -> bool:
    """Whether the other end closes the connection (EOF or reset) within `timeout`; reads what comes."""
    try:
        async with asyncio.timeout(timeout):
            while await reader.read(65536):
                pass
    except TimeoutError:
        return False
    except ConnectionError:
        return True
    return True


def request(
    method: str,
    path: str,
    *,
    body: bytes = b"",
    headers: Mapping[str, str | None] | None = None,
    host: str = "127.0.0.1",
) -> bytes:
    """The bytes of a request; Content-Length is the body's unless `headers` says otherwise."""
    all_headers = {"Host": host, "Content-Length": str(len(body)), **(headers or {})}
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in all_headers.items() if v is not None)
    return head.encode("latin-1") + b"\r\n" + body


async def polling_session(url: str) -> str:
    """A new Engine.IO long-polling session's sid."""
    raw = await RawHttp.open(url)
    try:
        await raw.send(request("GET", "/socket.io/?EIO=4&transport=polling"))
        answer = await raw.answer()
    finally:
        await raw.close()
    assert answer.status == 200, answer
    return str(json.loads(answer.body[1:])["sid"])
