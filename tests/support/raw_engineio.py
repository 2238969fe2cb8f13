"""Engine.IO and Socket.IO by hand over a plain websocket: whatever frames a test wants to send, malformed
ones included, and what the hub answered."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import aiohttp

#: How long a probe waits before concluding that the namespace is no longer connected (then it
#: connects again and asks once more, with no time limit): a classification, not a verdict.
PROBE_WAIT = 3.0


class RawSocket:
    """A plain websocket speaking Engine.IO v4 by hand: whatever frames the test wants to send."""

    def __init__(self, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.session = session
        self.ws = ws
        self.open_packet: dict[str, Any] = {}
        self.closed = False
        self._ack = 1000

    @classmethod
    async def open(cls, url: str) -> RawSocket:
        session = aiohttp.ClientSession()
        try:
            ws = await session.ws_connect(url + "/socket.io/?EIO=4&transport=websocket", max_msg_size=0)
        except BaseException:
            await session.close()
            raise
        raw = cls(session, ws)
        first = await raw.receive()
        assert isinstance(first, str) and first.startswith("0"), first
        raw.open_packet = json.loads(first[1:])
        return raw

    async def connect(self, auth: Any = None, namespace: str = "") -> str:
        """Send a Socket.IO CONNECT; returns the hub's answer frame (`40...` or `44...`)."""
        prefix = f"40{namespace}," if namespace else "40"
        await self.send(prefix + (json.dumps(auth) if auth is not None else ""))
        while True:
            frame = await self.receive()
            if frame is None:
                return ""
            if isinstance(frame, str) and frame[:2] in {"40", "44"}:
                return frame

    async def send(self, frame: str | bytes) -> None:
        if self.closed:
            return
        try:
            if isinstance(frame, bytes):
                await self.ws.send_bytes(frame)
            else:
                await self.ws.send_str(frame)
        except (ConnectionError, RuntimeError):
            self.closed = True

    async def receive(self) -> str | bytes | None:
        """The next data frame (answering pings on the way); None once the hub closed the socket."""
        while True:
            if self.closed:
                return None
            msg = await self.ws.receive()
            if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                self.closed = True
                return None
            if msg.type is aiohttp.WSMsgType.ERROR:
                self.closed = True
                return None
            if msg.type is aiohttp.WSMsgType.TEXT and msg.data == "2":
                await self.send("3")
                continue
            if msg.type is aiohttp.WSMsgType.TEXT:
                return str(msg.data)
            if msg.type is aiohttp.WSMsgType.BINARY:
                return bytes(msg.data)

    async def probe(self, auth: Any) -> tuple[str, list[Any]]:
        """Is this connection still served? `served`, `closed` by the hub, or `ignored until reconnect`
        (after a Socket.IO DISCONNECT packet the hub ignores events until the client connects the
        namespace again, as Socket.IO specifies). Also returns every ack seen on the way."""
        try:
            return await asyncio.wait_for(self._probe(), PROBE_WAIT)
        except TimeoutError:
            pass
        frame = await self.connect(auth)
        assert frame.startswith("40{") or frame == "", frame
        outcome, acks = await self._probe()
        return ("ignored until reconnect" if outcome == "served" else outcome), acks

    async def _probe(self) -> tuple[str, list[Any]]:
        self._ack += 1
        wanted = f"43{self._ack}"
        await self.send(f'42{self._ack}["list_online"]')
        acks: list[Any] = []
        while True:
            frame = await self.receive()
            if frame is None:
                return "closed", acks
            if isinstance(frame, str) and frame.startswith(wanted + "["):
                answer = json.loads(frame[len(wanted) :])[0]
                assert answer["ok"], answer
                return "served", acks
            if isinstance(frame, str) and frame.startswith("43"):
                acks.append(_ack_payload(frame))

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()
        await self.session.close()


def _ack_payload(frame: str) -> Any:
    body = frame[2:].lstrip("0123456789")
    try:
        return json.loads(body)[0]
    except (ValueError, IndexError, KeyError):
        return frame
