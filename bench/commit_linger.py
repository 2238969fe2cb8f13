"""The hub's CPU per direct notification at a fixed offered rate, with and without the commit linger.

    taskset -c 0 python -m bench.commit_linger --rates 1000 3000 10000 --rounds 3

A hub in this process (SQLite in a temporary directory on the disk of TMPDIR), four senders on
plain websockets in the same process writing `send_notification` frames (no ack asked) to 100 users
who are not connected, at the offered rate in 1 ms ticks; for each rate, round after round, the
hub with `commit_linger_ms` 0 then its default. Printed: CPU µs per send of the event loop's thread (the
senders' own writes included: the same in both) and of the store's thread. Without a load
generator or recipients, it isolates what the linger changes: how many commits carry the sends.

With `--closed COUNT`, a closed loop instead: one sender sends COUNT notifications, each only once
the one before is answered (an ack), as a script waiting for each answer does; printed: answers a
second with `commit_linger_ms` 0 and with its default. Lingering cannot make such a sender's commits
bigger, so what the default costs it is what the linger waits for nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

from bench.pacing import paced_sends
from bench.threads import store_thread_clock
from hub.config import HubConfig
from hub.server import RunningHub

SENDERS = 4
#: The hub's default `commit_linger_ms`, set against 0.
DEFAULT_LINGER = HubConfig().commit_linger_ms
RECIPIENTS = 100


async def sign_in(session: aiohttp.ClientSession, url: str, token: str) -> aiohttp.ClientWebSocketResponse:
    ws = await session.ws_connect(url + "/socket.io/?EIO=4&transport=websocket")
    await ws.receive()  # Engine.IO OPEN
    await ws.send_str("40" + json.dumps({"token": token}))
    while not str((await ws.receive()).data).startswith("40"):
        pass
    return ws


async def acked(ws: aiohttp.ClientWebSocketResponse) -> None:
    while True:
        msg = await ws.receive()
        if msg.data == "2":
            await ws.send_str("3")
        elif str(msg.data).startswith("43"):
            return


async def signed_in_senders(
    running: RunningHub, session: aiohttp.ClientSession, url: str
) -> list[aiohttp.ClientWebSocketResponse]:
    """SENDERS users signed in over websockets, and RECIPIENTS users (u0, u1, ...) who are not."""
    tokens = []
    for i in range(SENDERS):
        await running.store.create_user(f"s{i}", None, admin=False)
        tokens.append((await running.accounts.issue_token(f"s{i}", "bench")).secret)
    for i in range(RECIPIENTS):
        await running.store.create_user(f"u{i}", None, admin=False)
    return [await sign_in(session, url, t) for t in tokens]


@contextlib.asynccontextmanager
async def senders_on_a_hub(linger: float) -> AsyncIterator[list[aiohttp.ClientWebSocketResponse]]:
    """A hub in this process with `commit_linger_ms` = `linger`, rate limits out of the way, and the
    senders of `signed_in_senders` on it; all gone afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="lan-notify-linger-"))
    config = HubConfig(
        host="127.0.0.1",
        port=0,
        data_dir=folder,
        rate_burst=10**9,
        rate_refill_per_second=10.0**9,
        commit_linger_ms=linger,
    )
    running = RunningHub(config)
    url = await running.start()
    session = aiohttp.ClientSession()
    try:
        sockets = await signed_in_senders(running, session, url)
        yield sockets
        for ws in sockets:
            await ws.close()
    finally:
        await session.close()
        await running.stop()
        shutil.rmtree(folder, ignore_errors=True)


async def one(rate: int, seconds: float, linger: float) -> tuple[float, float, int]:
    async with senders_on_a_hub(linger) as sockets:
        store_clock = store_thread_clock()
        names = [f"u{i}" for i in range(RECIPIENTS)]
        seq = 0

        async def run(length: float) -> tuple[float, float, int]:
            nonlocal seq
            loop_cpu, store_cpu = time.thread_time(), time.clock_gettime(store_clock)
            sent, seq = await paced_sends(sockets, names, rate, length, seq)
            for i, ws in enumerate(sockets):  # one acked send each: all before it are stored
                await ws.send_str(f'42{i + 1}["send_notification",{{"userId":"u0","message":"last"}}]')
            for ws in sockets:
                await acked(ws)
            loop_cpu, store_cpu = time.thread_time() - loop_cpu, time.clock_gettime(store_clock) - store_cpu
            return loop_cpu, store_cpu, sent + SENDERS

        await run(1.0)  # warm up
        loop_cpu, store_cpu, sent = await run(seconds)
        return loop_cpu / sent * 1e6, store_cpu / sent * 1e6, sent


async def closed(count: int, linger: float) -> float:
    """Answers a second for one sender that waits for each answer before it sends again."""
    async with senders_on_a_hub(linger) as sockets:
        ws = sockets[0]
        for warm in (True, False):
            started = time.perf_counter()
            for i in range(count // 10 if warm else count):
                await ws.send_str(f'42{i + 1}["send_notification",{{"userId":"u0","message":"m{i}"}}]')
                await acked(ws)
        return count / (time.perf_counter() - started)


def _positive(text: str) -> int:
    count = int(text)
    if count < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.commit_linger", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", type=int, nargs="+", default=[1000, 3000, 10000], help="sends per second")
    parser.add_argument(
        "--rounds", type=int, default=3, help=f"pairs (linger 0, then the default {DEFAULT_LINGER:g} ms) per rate"
    )
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each measured run")
    parser.add_argument(
        "--closed",
        type=_positive,
        metavar="COUNT",
        help="a closed loop instead (no --rates): one sender, COUNT sends each waiting its answer",
    )
    args = parser.parse_args(argv)
    if args.closed is not None:
        print("| round | commit_linger_ms | answers /s |")
        print("| ---: | ---: | ---: |")
        for rnd in range(1, args.rounds + 1):
            for linger in (0.0, DEFAULT_LINGER):
                print(f"| {rnd} | {linger:g} | {asyncio.run(closed(args.closed, linger)):,.0f} |")
        return 0
    print("| offered /s | round | commit_linger_ms | event loop µs | store thread µs | in all µs |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for rnd in range(1, args.rounds + 1):
        for rate in args.rates:
            for linger in (0.0, DEFAULT_LINGER):
                loop_us, store_us, _ = asyncio.run(one(rate, args.seconds, linger))
                print(f"| {rate:,} | {rnd} | {linger:g} | {loop_us:.1f} | {store_us:.1f} | {loop_us + store_us:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
