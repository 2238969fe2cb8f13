"""The floor: the least a Python server on the hub's own stack can do for the bench's events.

    python bench/peers/floor/server.py --port 0 --data-dir DIR   (the repo's venv)

A yardstick, not a product: what the hub's stack (aiohttp, uvloop, orjson, SQLite on a thread of its
own) costs per message before any of the hub's own work, so that the bench can say how much of the
hub's cost is the stack and how much is the hub. It speaks the seed's events, as the seed does
(`authenticate` with a claimed userId, `send_notification`, and the bench's `broadcast`), over
Engine.IO v4 / Socket.IO v5 on websockets only, written by hand: no python-socketio, no
python-engineio, no validation, no accounts, no rate limit, no metrics, no presence, no offline
queue.

Like the hub, and unlike the seed, it stores every notification before it delivers it: one row per
direct notification or broadcast, in SQLite (WAL, synchronous=FULL, as the hub's store), written by
one thread in group commits (whatever arrived while the last commit ran).

Like the hub, it pings on a wheel: the connections are spread over `PING_TICKS` slots, and one slot
is pinged each `pingInterval / PING_TICKS`, so a ping round is never every connection in one loop
turn. A connection that has not answered a ping within `pingTimeout` is closed, as an Engine.IO
server closes it.

It prints "floor listening on http://127.0.0.1:PORT" once it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import math
import queue
import sqlite3
import struct
import threading
from collections.abc import Hashable
from pathlib import Path
from typing import Any, Generic, TypeVar

import orjson
from aiohttp import WSMsgType, web

#: Engine.IO's ping: the server pings every pingInterval and closes a connection whose answer has not
#: come within pingTimeout; a client closes a connection that has not been pinged within
#: pingInterval + pingTimeout. The floor's defaults, as the hub's.
PING_INTERVAL_MS = 25_000
PING_TIMEOUT_MS = 20_000
#: The ping wheel's slots: one is pinged every pingInterval / PING_TICKS (the hub's wheel turns as often).
PING_TICKS = 20


def open_packet(ping_interval_ms: int, ping_timeout_ms: int) -> str:
    """Engine.IO's open packet, with the ping settings the client holds the server to."""
    body = {
        "sid": "floor",
        "upgrades": [],
        "pingInterval": ping_interval_ms,
        "pingTimeout": ping_timeout_ms,
        "maxPayload": 1_000_000,
    }
    return "0" + orjson.dumps(body).decode()


def frame(text: str) -> bytes:
    """One unmasked websocket text frame (server to client)."""
    data = text.encode()
    size = len(data)
    if size < 126:
        return bytes((0x81, size)) + data
    if size < 65536:
        return struct.pack("!BBH", 0x81, 126, size) + data
    return struct.pack("!BBQ", 0x81, 127, size) + data


PING = frame("2")

T = TypeVar("T", bound=Hashable)


class PingWheel(Generic[T]):
    """Who is pinged on each turn, and who is closed for not answering.

    Each connection sits in one of `slots` slots, the least full when it joined; each turn moves to
    the next slot and pings every connection in it, so a connection is pinged every `slots` turns
    (one pingInterval), the first time at most one interval after it joined. A connection still owing
    the pong of its last ping `timeout_turns` turns after it (at most `slots`: then just before its
    next ping) is closed.
    """

    def __init__(self, slots: int, timeout_turns: int) -> None:
        if slots < 1 or not 1 <= timeout_turns <= slots:
            raise ValueError("a wheel needs a slot, and a timeout of 1 to `slots` turns")
        self._slots: list[dict[T, None]] = [{} for _ in range(slots)]
        self._slot_of: dict[T, int] = {}
        self._owing: set[T] = set()  # pinged, the pong not yet in
        self._timeout_turns = timeout_turns
        self._turn = 0  # the slot the next turn pings

    def add(self, item: T) -> None:
        slot = min(range(len(self._slots)), key=lambda i: len(self._slots[i]))
        self._slots[slot][item] = None
        self._slot_of[item] = slot

    def discard(self, item: T) -> None:
        slot = self._slot_of.pop(item, None)
        if slot is not None:
            del self._slots[slot][item]
        self._owing.discard(item)

    def pong(self, item: T) -> None:
        self._owing.discard(item)

    def __len__(self) -> int:
        return len(self._slot_of)

    def turn(self) -> tuple[list[T], list[T]]:
        """One turn: (the connections to ping now, the connections to close: their pong is late)."""
        count = len(self._slots)
        due = self._slots[(self._turn - self._timeout_turns) % count]
        late = [item for item in due if item in self._owing]
        for item in late:
            self.discard(item)
        ping = list(self._slots[self._turn])
        self._owing.update(ping)
        self._turn = (self._turn + 1) % count
        return ping, late


#: A notification as the floor stores it: recipient (None: everyone), sender, type, message, time.
Row = tuple[str | None, str, str, str, str]


def open_store(path: Path) -> sqlite3.Connection:
    """The floor's store: one table, WAL and `synchronous=FULL` as the hub's."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS notifications"
        " (id INTEGER PRIMARY KEY, recipient TEXT, sender TEXT, type TEXT, message TEXT, created_at TEXT)"
    )
    return db


def store(db: sqlite3.Connection, batch: list[Row]) -> None:
    """One group commit: a row per notification."""
    db.execute("BEGIN IMMEDIATE")
    db.executemany(
        "INSERT INTO notifications (recipient, sender, type, message, created_at) VALUES (?, ?, ?, ?, ?)", batch
    )
    db.execute("COMMIT")


class Floor:
    def __init__(
        self, db_path: Path, ping_interval_ms: int = PING_INTERVAL_MS, ping_timeout_ms: int = PING_TIMEOUT_MS
    ) -> None:
        self.open = frame(open_packet(ping_interval_ms, ping_timeout_ms))
        self.tick_s = ping_interval_ms / 1000 / PING_TICKS
        timeout_turns = min(PING_TICKS, max(1, math.ceil(ping_timeout_ms / 1000 / self.tick_s)))
        self.pings: PingWheel[asyncio.Transport] = PingWheel(PING_TICKS, timeout_turns)
        self.users: dict[str, asyncio.Transport] = {}  # userId -> its connection, as the seed's map
        self.connections: set[asyncio.Transport] = set()
        self.loop = asyncio.get_running_loop()
        self.pending: queue.SimpleQueue[Row | None] = queue.SimpleQueue()
        self.writer = threading.Thread(target=self._write_loop, args=(db_path,), name="floor-store")
        self.writer.start()

    # -- storing: one thread, group commits; delivery once committed

    def _write_loop(self, db_path: Path) -> None:
        db = open_store(db_path)
        while True:
            first = self.pending.get()
            if first is None:
                break
            batch = [first]
            with contextlib.suppress(queue.Empty):
                while True:
                    item = self.pending.get_nowait()
                    if item is None:
                        self.pending.put(None)
                        break
                    batch.append(item)
            store(db, batch)
            self.loop.call_soon_threadsafe(self._deliver, batch)
        db.close()

    def _deliver(self, batch: list[Row]) -> None:
        for recipient, sender, kind, message, at in batch:
            if recipient is None:  # a broadcast: one frame, written to every connection
                body = {"message": message, "type": kind, "timestamp": at}
                data = frame('42["global_notification",' + _json(body) + "]")
                for transport in self.connections:
                    transport.write(data)
                continue
            to = self.users.get(recipient)
            if to is not None:
                body = {"message": message, "type": kind, "from": sender, "timestamp": at}
                to.write(frame('42["notification",' + _json(body) + "]"))

    def stop(self) -> None:
        self.pending.put(None)
        self.writer.join()

    # -- connections

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(compress=False)
        await ws.prepare(request)
        transport = request.transport
        assert transport is not None
        transport.write(self.open)
        self.connections.add(transport)
        self.pings.add(transport)
        user: str | None = None
        try:
            while True:
                msg = await ws.receive()
                if msg.type is not WSMsgType.TEXT:
                    break
                data: str = msg.data
                if data.startswith("42["):
                    user = self._event(transport, user, orjson.loads(data[2:]))
                elif data.startswith("40"):
                    transport.write(frame('40{"sid":"' + str(id(transport)) + '"}'))
                elif data == "3":
                    self.pings.pong(transport)
                elif data == "41":
                    break
                # anything else: nothing to do
        finally:
            self.connections.discard(transport)
            self.pings.discard(transport)
            if user is not None and self.users.get(user) is transport:
                del self.users[user]
        return ws

    def _event(self, transport: asyncio.Transport, user: str | None, packet: list[Any]) -> str | None:
        event, data = packet[0], packet[1] if len(packet) > 1 else None
        if not isinstance(data, dict):
            return user
        at = dt.datetime.now(dt.UTC).isoformat()
        message = str(data.get("message"))
        if event == "send_notification":
            self.pending.put((str(data.get("userId")), user or "", str(data.get("type") or "message"), message, at))
        elif event == "broadcast":
            self.pending.put((None, user or "", str(data.get("type") or "info"), message, at))
        elif event == "authenticate":
            user = str(data.get("userId"))
            self.users[user] = transport
        return user

    async def ping(self) -> None:
        """Turn the ping wheel every tick, on a fixed schedule (a late turn does not delay the next)."""
        start = self.loop.time()
        for turns in itertools.count(1):
            await asyncio.sleep(max(0.0, start + turns * self.tick_s - self.loop.time()))
            ping, late = self.pings.turn()
            for transport in late:  # its reader ends, and forgets it
                transport.close()
            for transport in ping:
                transport.write(PING)


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


async def serve(port: int, data_dir: Path, ping_interval_ms: int, ping_timeout_ms: int) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    floor = Floor(data_dir / "floor.db", ping_interval_ms, ping_timeout_ms)
    app = web.Application()
    app.router.add_get("/socket.io/", floor.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    print(f"floor listening on http://127.0.0.1:{runner.addresses[0][1]}", flush=True)
    pinger = asyncio.create_task(floor.ping())
    try:
        await asyncio.Event().wait()
    finally:
        pinger.cancel()
        await runner.cleanup()
        await asyncio.to_thread(floor.stop)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument(
        "--ping-interval-ms", type=int, default=PING_INTERVAL_MS, help=f"default {PING_INTERVAL_MS} (the hub's)"
    )
    parser.add_argument(
        "--ping-timeout-ms", type=int, default=PING_TIMEOUT_MS, help=f"default {PING_TIMEOUT_MS} (the hub's)"
    )
    args = parser.parse_args()
    if args.ping_interval_ms <= 0 or args.ping_timeout_ms <= 0:
        parser.error("the ping interval and timeout must be positive")
    served = serve(args.port, args.data_dir, args.ping_interval_ms, args.ping_timeout_ms)
    try:
        import uvloop
    except ImportError:  # the hub runs on asyncio's own loop then, and so does the floor
        asyncio.run(served)
    else:
        uvloop.run(served)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
