"""`python -m bench.hostile`: the hub holding N authenticated connections with flat memory, and
serving while H hostile idle connections are open at once.

```sh
python -m bench.hostile                    # N = 5,000, H = 2,000, 60 s quiet then 60 s hostile
python -m bench.hostile --quick            # N = 50, H = 100, a few seconds: a smoke run
```

- The load generator (bench/loadgen, socket.io-client, one connection per client) connects N
  users with their device tokens and holds them ("hold" scenario), counting any the hub drops.
- This process then samples the hub's RSS every second and, each second, measures what a user
  sees: a direct notification between two other clients, end to end; `/api/health`; every five
  seconds a new client's connect and sign-in. First with nothing else going on, then with H
  hostile connections held open at once, quiet again, the same attack again (memory the first
  left behind would add up), and after. The hostile ones come from 40 loopback addresses (under
  the per-address cap),
  of four kinds: a TCP connection that never speaks, a request head that never ends, an Engine.IO
  session that never signs in, a websocket that never signs in. Each is opened again as soon as
  the hub closes it (idle timeout, sign-in deadline), so H stay open throughout.

The hub runs with its default settings (the per-user rate limit raised, as in bench.run). Prints
one JSON object: figures, no verdict. docs/reliability.md quotes a run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from bench.host import raise_fd_limit
from bench.provision import Client
from bench.servers import (
    LOADGEN_DIR,
    BenchError,
    ServerProcess,
    copy_data_dir,
    ensure_npm_packages,
    hub_population,
    node_binary,
    start_hub,
)

ADDRESSES = 40  # hostile source addresses: 127.0.9.1 .. 127.0.9.40
KINDS = ("silent", "endless_head", "polling_unsigned", "websocket_unsigned")
WAIT = 30.0


@dataclass(frozen=True)
class Options:
    n: int
    hostile: int
    quiet_seconds: float
    hostile_seconds: float


def parse_args(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="authenticated connections held (default 5000)")
    parser.add_argument("--hostile", type=int, default=2000, help="hostile idle connections (default 2000)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each phase (default 60)")
    parser.add_argument("--quick", action="store_true", help="N = 50, H = 100, 4 s phases")
    args = parser.parse_args(argv)
    if args.quick:
        return Options(n=50, hostile=100, quiet_seconds=4.0, hostile_seconds=4.0)
    return Options(n=args.n, hostile=args.hostile, quiet_seconds=args.seconds, hostile_seconds=args.seconds)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise BenchError(f"no RSS for pid {pid}")


def summary(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"count": 0}
    ordered = sorted(values)
    return {
        "count": len(values),
        "p50": round(statistics.median(ordered), 2),
        "p99": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
        "max": round(ordered[-1], 2),
    }


# --------------------------------------------------------------------------- what a user sees


class Probe:
    """Two clients that notify each other, plus health checks and fresh sign-ins, timed."""

    def __init__(self, url: str, sender: Client, receiver: Client, fresh: Client) -> None:
        self.url = url
        self.people = (sender, receiver, fresh)
        self.sender = socketio.AsyncClient(reconnection=False)
        self.receiver = socketio.AsyncClient(reconnection=False)
        self.arrived: asyncio.Queue[str] = asyncio.Queue()
        self.receiver.on("notification", lambda data: self.arrived.put_nowait(data.get("message", "")))
        self.seq = 0

    async def start(self) -> None:
        sender, receiver, _ = self.people
        await self.sender.connect(self.url, auth={"token": sender.token}, transports=["websocket"], wait_timeout=WAIT)
        await self.receiver.connect(
            self.url, auth={"token": receiver.token}, transports=["websocket"], wait_timeout=WAIT
        )

    async def stop(self) -> None:
        await self.sender.disconnect()
        await self.receiver.disconnect()

    async def direct_ms(self) -> float:
        self.seq += 1
        tag = f"probe {self.seq}"
        t0 = time.perf_counter()
        answer = await self.sender.call(
            "send_notification", {"to": self.people[1].user_id, "message": tag}, timeout=WAIT
        )
        if not answer.get("ok"):
            raise BenchError(f"probe send refused: {answer}")
        while await asyncio.wait_for(self.arrived.get(), WAIT) != tag:
            pass
        return (time.perf_counter() - t0) * 1000

    async def health_ms(self, http: aiohttp.ClientSession) -> tuple[float, int]:
        t0 = time.perf_counter()
        async with http.get(self.url + "/api/health") as response:
            await response.read()
            return (time.perf_counter() - t0) * 1000, response.status

    async def sign_in_ms(self) -> float:
        client = socketio.AsyncClient(reconnection=False)
        welcomed = asyncio.Event()
        client.on("welcome", lambda data: welcomed.set())
        t0 = time.perf_counter()
        await client.connect(
            self.url, auth={"token": self.people[2].token}, transports=["websocket"], wait_timeout=WAIT
        )
        await asyncio.wait_for(welcomed.wait(), WAIT)
        elapsed = (time.perf_counter() - t0) * 1000
        await client.disconnect()
        return elapsed


async def measure(probe: Probe, pid: int, seconds: float, hostile: Hostile | None = None) -> dict[str, Any]:
    direct, health, sign_in, rss, open_hostile = [], [], [], [], []
    statuses: dict[str, int] = {}
    started = time.monotonic()
    async with aiohttp.ClientSession() as http:
        while time.monotonic() - started < seconds:
            tick = time.monotonic()
            rss.append(rss_kib(pid))
            if hostile is not None:
                open_hostile.append(hostile.open)
            direct.append(await probe.direct_ms())
            ms, status = await probe.health_ms(http)
            health.append(ms)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if len(rss) % 5 == 1:
                sign_in.append(await probe.sign_in_ms())
            await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
    minutes = max(1e-9, (time.monotonic() - started) / 60)
    out: dict[str, Any] = {
        "seconds": round(time.monotonic() - started, 1),
        "rss_kib": {"first": rss[0], "min": min(rss), "max": max(rss), "last": rss[-1]},
        "rss_slope_mib_per_min": round((rss[-1] - rss[0]) / 1024 / minutes, 2),
        "direct_ms": summary(direct),
        "health_ms": summary(health),
        "health_status": statuses,
        "sign_in_ms": summary(sign_in),
    }
    if hostile is not None:
        out["hostile_open"] = {"min": min(open_hostile), "max": max(open_hostile)}
    return out


# --------------------------------------------------------------------------- the hostile connections


class Hostile:
    """`count` connections held open at once, each reopened when the hub closes it."""

    def __init__(self, url: str, count: int) -> None:
        host_port = url.split("//", 1)[1]
        self.host, port = host_port.rsplit(":", 1)
        self.port = int(port)
        self.count = count
        self.open = 0
        self.opened = 0
        self.refused = 0
        self.closed_by_hub = 0
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._tasks = [asyncio.ensure_future(self._hold(i)) for i in range(self.count)]
        while self.open < self.count and not all(t.done() for t in self._tasks):
            await asyncio.sleep(0.1)

    async def stop(self) -> dict[str, int]:
        self._stop.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        return {"opened": self.opened, "closed_by_hub": self.closed_by_hub, "refused": self.refused}

    async def _hold(self, i: int) -> None:
        source = f"127.0.9.{i % ADDRESSES + 1}"
        kind = KINDS[i % len(KINDS)]
        while not self._stop.is_set():
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port, local_addr=(source, 0))
            except OSError:
                self.refused += 1
                await asyncio.sleep(0.5)
                continue
            self.opened += 1
            self.open += 1
            try:
                await self._behave(kind, reader, writer)
            finally:
                self.open -= 1
                writer.transport.abort()

    async def _behave(self, kind: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = f"{self.host}:{self.port}"
        if kind == "endless_head":
            writer.write(f"GET /api/health HTTP/1.1\r\nHost: {host}\r\nX-Slow: a".encode())
        elif kind == "polling_unsigned":
            writer.write(f"GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        elif kind == "websocket_unsigned":
            writer.write(
                f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n".encode()
            )
        stop = asyncio.ensure_future(self._stop.wait())
        try:
            while True:
                read = asyncio.ensure_future(reader.read(65536))
                done, _ = await asyncio.wait({read, stop}, return_when=asyncio.FIRST_COMPLETED)
                if stop in done:
                    read.cancel()
                    return
                try:
                    data = read.result()
                except ConnectionError:
                    data = b""
                if not data:
                    self.closed_by_hub += 1
                    return
                if data.startswith((b"HTTP/1.1 429", b"HTTP/1.1 503")):
                    self.refused += 1
        finally:
            stop.cancel()


# --------------------------------------------------------------------------- the run


def start_loadgen(server: ServerProcess, receivers: list[Client], workdir: Path) -> subprocess.Popen[str]:
    config = {
        "url": server.url,
        "kind": "hub",
        "serverPid": server.pid,
        "receivers": [c.wire() for c in receivers],
        "senders": [],
        "admin": receivers[0].wire(),
        "scenarios": ["connect", "rss", "hold"],
    }
    path = workdir / "loadgen-hostile.json"
    path.write_text(json.dumps(config))
    argv = [node_binary(), str(LOADGEN_DIR / "loadgen.js"), str(path)]
    return subprocess.Popen(
        argv, cwd=LOADGEN_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for_hold(loadgen: subprocess.Popen[str]) -> None:
    assert loadgen.stderr is not None
    for line in loadgen.stderr:
        print(line, end="", file=sys.stderr)
        if "holding" in line:
            return
    raise BenchError(f"the load generator stopped before holding its connections (exit {loadgen.wait()})")


async def attack(server: ServerProcess, probe: Probe, options: Options) -> dict[str, Any]:
    hostile = Hostile(server.url, options.hostile)
    await hostile.start()
    try:
        figures = await measure(probe, server.pid, options.hostile_seconds, hostile)
    finally:
        figures["hostile_connections"] = await hostile.stop()
    return figures


async def phases(server: ServerProcess, probe: Probe, options: Options) -> dict[str, Any]:
    """Quiet, an attack, quiet again, the same attack again (memory that stays after the first would
    add up), then after."""
    await probe.start()
    try:
        out = {"quiet": await measure(probe, server.pid, options.quiet_seconds)}
        out["under_attack"] = await attack(server, probe, options)
        out["between"] = await measure(probe, server.pid, options.quiet_seconds / 2)
        out["under_attack_again"] = await attack(server, probe, options)
        out["after"] = await measure(probe, server.pid, options.quiet_seconds / 2)
    finally:
        await probe.stop()
    return out


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    ensure_npm_packages()
    raise_fd_limit(options.n + options.hostile + 4096)
    with tempfile.TemporaryDirectory(prefix="lan-notify-hostile-") as tmp:
        workdir = Path(tmp)
        population = hub_population(workdir / "template", options.n + 3, 0)
        receivers, people = population.receivers[: options.n], population.receivers[options.n :]
        data_dir = copy_data_dir(workdir / "template", workdir / "hub-data")
        server = start_hub(None, data_dir)
        loadgen = start_loadgen(server, receivers, workdir)
        try:
            wait_for_hold(loadgen)
            print(f"bench: {options.n} held; measuring quiet, then with {options.hostile} hostile", file=sys.stderr)
            result = asyncio.run(phases(server, Probe(server.url, *people), options))
            out, err = loadgen.communicate(timeout=600)
            print(err, end="", file=sys.stderr)
            lines = [line for line in out.splitlines() if line.startswith("{")]
            if loadgen.returncode != 0 or not lines:
                raise BenchError(f"the load generator failed (exit {loadgen.returncode})")
            held = json.loads(lines[-1])
        finally:
            if loadgen.poll() is None:
                loadgen.kill()
            server.stop()
    document = {
        "n": options.n,
        "hostile_connections": options.hostile,
        "connect": held["connect"],
        "idle_rss": held["idle_rss"],
        "held": held.get("hold", {}),
        **result,
    }
    print(json.dumps(document))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
