"""Multi-hub benchmark: delivered notifications per second with 1, 2 and 3 hubs on this machine.

    .venv/bin/python -m bench.multihub [--hubs 1,2,3] [--receivers 30] [--senders 6] [--messages 100]

Starts a throwaway PostgreSQL and redis-server (as the tests do), then for each hub count: hub
processes sharing them, one receiver process per hub (its clients in room `bench`, spread over the
hubs), and senders (spread over the hubs) sending room messages as fast as their acks come back.
Reports deliveries (notifications x receivers) per second from the first send to the last receipt.
Everything shares this machine's cores, so more hubs mostly shows the cost of the fan-out, not a
gain; on separate machines the hubs' share of the work spreads out.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

import socketio

from hub.auth import Accounts
from hub.store.postgres import PostgresStore
from tests.support.servers import PostgresServer, RedisServer, create_database, postgres_bin

ROOM = "bench"


async def worker(url: str, tokens: list[str], expect: int) -> None:
    """Connect one client per token; report when every client got `expect` room notifications."""
    counts = [0] * len(tokens)
    waiting = len(tokens)
    done = asyncio.Event()
    clients = []

    def counter(i: int) -> Any:
        async def on_note(data: Any) -> None:
            nonlocal waiting
            counts[i] += 1
            if counts[i] == expect:
                waiting -= 1
                if waiting == 0:
                    done.set()

        return on_note

    for i, token in enumerate(tokens):
        client = socketio.AsyncClient(reconnection=False)
        client.on("room_notification", counter(i))
        await client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=30)
        clients.append(client)
    print("ready", flush=True)
    await done.wait()
    print(f"done {sum(counts)}", flush=True)
    for client in clients:
        await client.disconnect()


async def start_hub(tmp: Path, index: int, database: str, redis_url: str) -> tuple[asyncio.subprocess.Process, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub",
        "serve",
        "--port",
        "0",
        "--data-dir",
        str(tmp / f"hub{index}"),
        "--database",
        database,
        "--redis",
        redis_url,
        "--rate-burst",
        "1000000",
        "--log-level",
        "warning",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 30)
    return proc, line.decode().split("listening on", 1)[1].strip()


async def run(hubs: int, pg: PostgresServer, redis: RedisServer, args: argparse.Namespace, tmp: Path) -> float:
    database = await create_database(pg)
    store = PostgresStore(database)
    await store.open()
    accounts = Accounts(store)
    receivers, senders = [], []
    for i in range(args.receivers):
        user = await store.create_user(f"r{i}", None, admin=False)
        await store.join_room(ROOM, user.id)
        receivers.append((await accounts.issue_token(user.name, "bench")).secret)
    for i in range(args.senders):
        user = await store.create_user(f"s{i}", None, admin=False)
        senders.append((await accounts.issue_token(user.name, "bench")).secret)
    procs = [await start_hub(tmp, i, database, redis.url) for i in range(hubs)]
    urls = [url for _, url in procs]
    expect = args.senders * args.messages
    workers = []
    for h, url in enumerate(urls):
        mine = receivers[h::hubs]
        w = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.multihub",
            "--worker",
            url,
            "--expect",
            str(expect),
            *mine,
            stdout=asyncio.subprocess.PIPE,
        )
        assert w.stdout is not None
        assert (await asyncio.wait_for(w.stdout.readline(), 60)).startswith(b"ready")
        workers.append(w)

    clients = []
    for i, token in enumerate(senders):
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(urls[i % hubs], auth={"token": token}, transports=["websocket"], wait_timeout=30)
        clients.append(client)

    async def send(client: socketio.AsyncClient) -> None:
        for n in range(args.messages):
            ack = await client.call("room_message", {"room": ROOM, "message": f"n{n}"}, timeout=60)
            assert ack["ok"], ack

    start = time.perf_counter()
    await asyncio.gather(*(send(c) for c in clients))
    for w in workers:
        assert w.stdout is not None
        assert (await asyncio.wait_for(w.stdout.readline(), 300)).startswith(b"done")
        await w.wait()
    elapsed = time.perf_counter() - start
    for client in clients:
        await client.disconnect()
    for proc, _ in procs:
        proc.send_signal(signal.SIGTERM)
        await proc.wait()
    await store.close()
    return float(expect * args.receivers / elapsed)


async def main(args: argparse.Namespace) -> None:
    bindir = postgres_bin()
    redis_binary = shutil.which("redis-server")
    if bindir is None or redis_binary is None:
        raise SystemExit("PostgreSQL or redis-server not found: run scripts/bootstrap.sh")
    pg = PostgresServer(bindir)
    redis = RedisServer(redis_binary)
    tmp = Path(pg.root)
    try:
        pg.init()
        pg.start()
        await redis.start()
        print(
            f"{args.receivers} receivers in one room, {args.senders} senders x {args.messages} messages, "
            f"{os.cpu_count()} CPUs"
        )
        print("hubs  delivered/s")
        for hubs in args.hubs:
            rate = await run(hubs, pg, redis, args, tmp)
            print(f"{hubs:>4}  {rate:>11.0f}", flush=True)
    finally:
        await redis.close()
        pg.destroy()


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.multihub", description=__doc__.splitlines()[0])
    parser.add_argument("--hubs", default="1,2,3", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--receivers", type=int, default=30)
    parser.add_argument("--senders", type=int, default=6)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--expect", type=int, help=argparse.SUPPRESS)
    parser.add_argument("tokens", nargs="*", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    options = parse(sys.argv[1:])
    if options.worker:
        asyncio.run(worker(options.worker, options.tokens, options.expect))
    else:
        asyncio.run(main(options))
