"""A TCP proxy in the test's event loop that can stall its connections: bytes stop flowing both ways
while the sockets stay open, as through a NAT or firewall that forgot a connection. Connections made
after a stall flow again."""

from __future__ import annotations

import asyncio
import contextlib


class StallingProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._pumps: list[tuple[asyncio.Event, list[asyncio.Task[None]], list[asyncio.StreamWriter]]] = []
        #: Connections accepted so far.
        self.accepted = 0
        self.changes = asyncio.Event()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        flowing = asyncio.Event()
        flowing.set()
        tasks = [
            asyncio.ensure_future(_pump(reader, up_writer, flowing)),
            asyncio.ensure_future(_pump(up_reader, writer, flowing)),
        ]
        self._pumps.append((flowing, tasks, [writer, up_writer]))
        self.accepted += 1
        self.changes.set()

    def stall(self) -> None:
        """Stop every connection made so far, without closing it."""
        for flowing, _, _ in self._pumps:
            flowing.clear()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for _, tasks, writers in self._pumps:
            for task in tasks:
                task.cancel()
            for writer in writers:
                writer.close()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, flowing: asyncio.Event) -> None:
    while True:
        data = await reader.read(65536)
        await flowing.wait()  # a stalled connection holds what it read, forever
        if not data:
            writer.close()
            return
        writer.write(data)
        await writer.drain()
