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

It prints "floor listening on http://127.0.0.1:PORT" once it listens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import queue
import sqlite3
import struct
import threading
from pathlib import Path
from typing import Any

import orjson
from aiohttp import WSMsgType, web

#: Engine.IO's ping: the server pings, the client answers; a client closes a connection that has
#: not been pinged within pingInterval + pingTimeout.
PING_INTERVAL_MS = 25_000
OPEN = orjson.dumps(
    {"sid": "floor", "upgrades": [], "pingInterval": PING_INTERVAL_MS, "pingTimeout": 20_000, "maxPayload": 1_000_000}
).decode()


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
    def __init__(self, db_path: Path) -> None:
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
        transport.write(frame("0" + OPEN))
        self.connections.add(transport)
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
                elif data == "41":
                    break
                # "3" (pong) and anything else: nothing to do
        finally:
            self.connections.discard(transport)
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
        while True:
            await asyncio.sleep(PING_INTERVAL_MS / 1000)
            for transport in self.connections:
                transport.write(PING)


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


async def serve(port: int, data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    floor = Floor(data_dir / "floor.db")
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
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:  # the hub runs on asyncio's own loop then, and so does the floor
        asyncio.run(serve(args.port, args.data_dir))
    else:
        uvloop.run(serve(args.port, args.data_dir))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
