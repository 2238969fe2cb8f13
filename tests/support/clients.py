"""python-socketio clients for tests: one that records every event it receives, a refused connect, and
a marker that says everything sent before it has arrived."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import pytest
import socketio

from tests.support.waiting import WAIT


class Client:
    """A python-socketio client that records every event it receives, in order."""

    def __init__(self, url: str, name: str = "", **kwargs: Any) -> None:
        self.url = url
        self.name = name
        self.sio = socketio.AsyncClient(reconnection=False, **kwargs)
        self.queues: dict[str, asyncio.Queue[Any]] = defaultdict(asyncio.Queue)
        self.received: list[tuple[str, Any]] = []
        self.disconnected = asyncio.Event()
        self.disconnect_reason: Any = None

        @self.sio.on("*")
        async def any_event(event: str, *args: Any) -> None:
            data = args[0] if args else None
            self.received.append((event, data))
            self.queues[event].put_nowait(data)

        @self.sio.on("disconnect")
        async def on_disconnect(reason: Any = None) -> None:
            self.disconnect_reason = reason
            self.disconnected.set()

    async def connect(self, auth: Any = None, transports: list[str] | None = None) -> Client:
        await self.sio.connect(self.url, auth=auth, transports=transports or ["websocket"], wait_timeout=WAIT)
        return self

    async def next(self, event: str, timeout: float = WAIT) -> Any:
        return await asyncio.wait_for(self.queues[event].get(), timeout)

    def pending(self, event: str) -> list[Any]:
        """Everything already received for `event` and not yet taken with `next`."""
        out = []
        while not self.queues[event].empty():
            out.append(self.queues[event].get_nowait())
        return out

    async def call(self, event: str, data: Any = None, timeout: float = WAIT) -> Any:
        if data is None:
            return await self.sio.call(event, timeout=timeout)
        return await self.sio.call(event, data, timeout=timeout)

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()
        await self.sio.shutdown() if hasattr(self.sio, "shutdown") else None


async def sent(sender: Client, to: str, message: str, **extra: Any) -> int:
    """The id of a `send_notification` to a user, which the hub took."""
    ack = await sender.call("send_notification", {"to": to, "message": message, **extra})
    assert ack["ok"], ack
    return int(ack["id"])


class SendStream:
    """Sends to `to` one at a time, each waiting for its ack, and keeps the ids acknowledged in order:
    `started` is set after the first 50; it stops 50 sends after `done` is set, or after `most` in all."""

    def __init__(self, sender: Client, to: str, most: int) -> None:
        self.sender, self.to, self.most = sender, to, most
        self.acked: list[int] = []
        self.started = asyncio.Event()
        self.done = asyncio.Event()

    async def run(self) -> None:
        after_done = 0
        for i in range(self.most):
            ack = await self.sender.call("send_notification", {"to": self.to, "message": f"m{i}"})
            assert ack["ok"], ack
            self.acked.append(ack["id"])
            if len(self.acked) == 50:
                self.started.set()
            after_done += self.done.is_set()
            if after_done >= 50:
                return


async def refused(url: str, auth: object) -> dict[str, Any]:
    """Connect with `auth`, expecting a refusal; the reason the hub gave (`{message, data: {code, ...}}`)."""
    client = Client(url)
    errors: list[Any] = []
    client.sio.on("connect_error", errors.append)
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(auth)
    finally:
        await client.close()
    assert errors, "the client was told why"
    assert isinstance(errors[0], dict)
    return errors[0]


async def drain_until_marker(client: Client, event: str = "notification") -> list[dict[str, Any]]:
    """Everything received up to a notification the client sends itself.

    The hub delivers in id order and replays before going live, so once the marker arrives,
    everything sent to the client before it has arrived too: no clock involved.
    """
    assert client.name, "name the client to use a marker"
    await client.call("send_notification", {"to": client.name, "message": "marker"})
    seen: list[dict[str, Any]] = []
    while True:
        note = await client.next(event)
        if note["message"] == "marker" and note["from"] == client.name:
            return seen
        seen.append(note)
