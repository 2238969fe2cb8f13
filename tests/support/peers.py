"""A self-reconnecting acking client, the way a well-behaved device talks to the hub.

It connects with `auth={token, last_id}`, shows (records) every notification it receives, acks
each one, and after any disconnect connects again with the id of the last notification it has. It
never removes duplicates: what it records is exactly what the hub sent it, so the checkers can count
losses, duplicates and reorderings as a user would see them.

Used in-process by the fault, load and slow-consumer suites, and in processes of their own by
`tests/faults/agent.py` and `tests/load/swarm.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import socketio

from tests.support.keyboard import KeyBoard
from tests.support.waiting import Changes

DELIVERY_EVENTS = ("notification", "room_notification", "global_notification", "server_announcement")
CONNECT_WAIT = 5.0  # seconds one connection attempt may take
CALL_WAIT = 5.0  # seconds a send may wait for its ack before the peer treats the connection as broken


@dataclass(frozen=True, slots=True)
class Seen:
    """One notification as displayed: its id, who sent it, its text, when it arrived (monotonic)."""

    id: int
    sender: str
    message: str
    at: float
    #: The sender's key, when it gave one (an update replaces the version with the same key).
    key: str | None = None


class NotSent(Exception):
    """A send got no `ok`: the connection broke, the ack timed out, or the hub refused it."""


class Peer:
    """An acking client that keeps itself connected while `wanted` is set."""

    def __init__(
        self,
        url: str,
        name: str,
        token: str,
        *,
        rng: random.Random | None = None,
        on_note: Callable[[Seen], None] | None = None,
        on_connect: Callable[[], None] | None = None,
        on_retract: Callable[[dict[str, Any]], None] | None = None,
        call_wait: float = CALL_WAIT,
        arrived: Changes | None = None,
    ) -> None:
        self.url = url
        self.call_wait = call_wait
        self.name = name
        self.token = token
        self.rng = rng or random.Random(0)
        self.seen: list[Seen] = []
        #: `read` events as received (read marks made on any device of the user).
        self.reads: list[dict[str, Any]] = []
        self.last_id = 0
        self.connects = 0
        self.refusals: list[str] = []
        self.on_note = on_note
        self.on_connect = on_connect
        self.on_retract = on_retract
        #: What it shows per key (updates in place, retractions withdraw).
        self.board = KeyBoard()
        self.sio: socketio.AsyncClient | None = None
        self.up = asyncio.Event()
        #: Poked at each notification, retraction and `read` event; a user's devices may share one.
        self.arrived = arrived or Changes()
        self._down = asyncio.Event()
        self._wanted = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self._wanted.set()
        self._task = asyncio.ensure_future(self._supervise())

    async def stop(self) -> None:
        self._stopping = True
        self._wanted.set()
        await self.go_offline()
        if self._task is not None:
            with contextlib.suppress(TimeoutError):  # a connection attempt stuck on a busy machine
                await asyncio.wait_for(self._task, CONNECT_WAIT * 2)

    async def go_offline(self) -> None:
        """Disconnect cleanly and stay away until `go_online`."""
        self._wanted.clear()
        sio = self.sio
        if sio is not None and sio.connected:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(sio.disconnect(), CONNECT_WAIT)
        self._down.set()

    def go_online(self) -> None:
        self._wanted.set()

    def cut(self) -> bool:
        """Shut the TCP socket under the client, as a network fault would. False if not connected."""
        sio = self.sio
        ws = getattr(getattr(sio, "eio", None), "ws", None) if sio is not None else None
        sock = ws.get_extra_info("socket") if ws is not None else None
        if sock is None:
            return False
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        return True

    async def _supervise(self) -> None:
        while not self._stopping:
            if not self._wanted.is_set():
                await self._wanted.wait()
                continue
            sio = self._new_client()
            try:
                await sio.connect(
                    self.url,
                    auth={"token": self.token, "last_id": self.last_id},
                    transports=["websocket"],
                    wait_timeout=CONNECT_WAIT,
                )
            except socketio.exceptions.ConnectionError as exc:
                self.refusals.append(str(exc))
                await _close_quietly(sio)
                await asyncio.sleep(self.rng.uniform(0.05, 0.2))  # back off before trying again
                continue
            self.sio = sio
            self.connects += 1
            if self.on_connect is not None:
                self.on_connect()
            self.up.set()
            await self._down.wait()
            self.up.clear()
            self.sio = None
            await _close_quietly(sio)

    def _new_client(self) -> socketio.AsyncClient:
        sio = socketio.AsyncClient(reconnection=False)
        down = self._down = asyncio.Event()  # this connection's own: a late event of an old one is harmless

        async def note(data: Any) -> None:
            seen = Seen(int(data["id"]), str(data["from"]), str(data["message"]), time.monotonic(), data.get("key"))
            self.seen.append(seen)
            self.board.note(seen.id, seen.sender, seen.key, seen.message)
            self.last_id = max(self.last_id, seen.id)
            self.arrived.poke()
            if self.on_note is not None:
                self.on_note(seen)
            with contextlib.suppress(Exception):
                await sio.emit("ack", {"id": seen.id})

        for event in DELIVERY_EVENTS:
            sio.on(event, note)

        async def retracted(data: Any) -> None:
            self.board.retract(str(data["from"]), str(data["key"]), int(data["id"]))
            self.last_id = max(self.last_id, int(data["id"]))
            self.arrived.poke()
            if self.on_retract is not None:
                self.on_retract(data)
            with contextlib.suppress(Exception):
                await sio.emit("ack", {"id": int(data["id"])})

        sio.on("retracted", retracted)

        async def read(data: Any) -> None:
            self.reads.append(data)
            self.last_id = max(self.last_id, int(data["id"]))
            self.arrived.poke()
            with contextlib.suppress(Exception):
                await sio.emit("ack", {"id": int(data["id"])})

        sio.on("read", read)

        async def disconnect(reason: Any = None) -> None:
            down.set()

        sio.on("disconnect", disconnect)
        return sio

    # ------------------------------------------------------------------ sending

    async def send(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        """Emit with an ack; the answer if it came, else NotSent (connection broke or timed out)."""
        sio = self.sio
        if sio is None or not sio.connected:
            raise NotSent("not connected")
        broken = self._down
        call = asyncio.ensure_future(sio.call(event, data, timeout=self.call_wait))
        down = asyncio.ensure_future(broken.wait())
        try:
            done, _ = await asyncio.wait({call, down}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            down.cancel()
        if call not in done:
            call.cancel()
            with contextlib.suppress(BaseException):
                await call
            raise NotSent("disconnected while waiting for the ack")
        try:
            answer: dict[str, Any] = call.result()
        except Exception as exc:  # TimeoutError, BadNamespaceError, ...
            broken.set()  # a connection that cannot answer in time is treated as broken
            raise NotSent(f"{type(exc).__name__}: {exc}") from None
        if not answer.get("ok"):
            raise NotSent(f"refused: {answer.get('error')}")
        return answer

    def read_set(self) -> set[int]:
        """The ids this device shows as read, from the `read` events it got: those named, and those
        it has up to the highest "all up to"."""
        upto = max((int(r["upto"]) for r in self.reads if r.get("all")), default=0)
        named = {int(i) for r in self.reads for i in r.get("ids", ())}
        return named | {s.id for s in self.seen if s.id <= upto}

    def showing(self) -> set[int]:
        """The ids this device shows now: every notification without a key, and of each key only the
        version it shows (an older version it got was replaced; a retracted one is withdrawn)."""
        return {s.id for s in self.seen if s.key is None} | {nid for nid, _ in self.board.shown.values()}

    def sent_by(self, sender: str) -> list[Seen]:
        return [s for s in self.seen if s.sender == sender]


async def _close_quietly(sio: socketio.AsyncClient) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(sio.disconnect(), CONNECT_WAIT)
    with contextlib.suppress(Exception):
        await asyncio.wait_for(sio.shutdown(), CONNECT_WAIT)


async def until_told_to_stop() -> None:
    """For a peer in its own process: return once standard input closes or reads `stop`."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line or line.strip() == b"stop":
            return


async def stop_peer_process(
    proc: asyncio.subprocess.Process, reader: asyncio.Task[None] | None, timeout: float
) -> None:
    """The parent's side of `until_told_to_stop`: say `stop`, give the process `timeout` seconds to exit
    (then kill it), and its `reader` half that long to read the rest of what it printed."""
    if proc.returncode is None:
        assert proc.stdin is not None
        with contextlib.suppress(ConnectionError):
            proc.stdin.write(b"stop\n")
            await proc.stdin.drain()
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
    if reader is not None:
        await asyncio.wait_for(reader, timeout / 2)
