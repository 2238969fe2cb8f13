"""The event loop's side of a direct notification: CPU per thread and Python calls, at a fixed rate.

    taskset -c 0 python -m bench.loop_cost --n 1000 --rates 5000 10000 --rounds 3
    python -m bench.loop_cost --n 1000 --rates 10000 --calls     # + the loop thread's calls, by function
    python -m bench.loop_cost --n 1000 --path 2000 --rounds 5    # a send's way in alone, best of 7 a round

A hub in this process (pinned to the first CPU, uvloop, SQLite in a temporary copy of a provisioned data dir
on the disk of TMPDIR: `bench/provision.py`; the collector as `notify-hub serve` sets it up, `hub/heap.py`:
thresholds raised, the heap frozen after start-up and once the clients are in), and a client process pinned to
the second CPU holding N receivers signed in with their device tokens (reading every frame) and four senders
writing `send_notification` frames (no ack asked) round-robin to the receivers at the offered rate in 1 ms
ticks. After a warm-up second, the measured run: CPU µs per send of the hub's event loop's thread and of its
store's thread, and with `--calls` the Python calls the event loop's thread made per send (cProfile on that
thread only: its CPU figures are then not comparable, its call counts are deterministic for a given batch
size). What `bench.run --probe` gives per step, without a load generator of another language, so a code change
can be paired in a minute."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp

from bench.pacing import paced_sends
from bench.threads import store_thread_clock

if TYPE_CHECKING:
    from hub.heap import HeapKeeper

SENDERS = 4
CLIENT_CMD = [sys.executable, "-m", "bench.loop_cost"]
#: The checkout's root, as the profile's file names begin with it.
REPO = str(Path(__file__).resolve().parents[1]) + "/"


# ------------------------------------------------------------------ the client process


async def _sign_in(session: aiohttp.ClientSession, url: str, token: str) -> aiohttp.ClientWebSocketResponse:
    ws = await session.ws_connect(url + "/socket.io/?EIO=4&transport=websocket", max_msg_size=0)
    await ws.receive()  # Engine.IO OPEN
    await ws.send_str("40" + json.dumps({"token": token, "presence": "batched"}))
    while not (reply := str((await ws.receive()).data)).startswith("40"):
        if reply.startswith("44"):
            raise SystemExit(f"the hub refused a client: {reply}")
    return ws


async def _client(url: str, tokens: dict[str, list[str]], names: list[str], rate: int, seconds: float) -> None:
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))  # one connection per client
    done = asyncio.Event()

    async def read(ws: aiohttp.ClientWebSocketResponse, acks: asyncio.Queue[None] | None) -> None:
        while not done.is_set():
            msg = await ws.receive()
            if msg.type is not aiohttp.WSMsgType.TEXT:
                return
            if msg.data == "2":
                await ws.send_str("3")
            elif acks is not None and msg.data.startswith("43"):
                acks.put_nowait(None)

    receivers = [await _sign_in(session, url, t) for t in tokens["receivers"]]
    senders = [await _sign_in(session, url, t) for t in tokens["senders"]]
    acks: list[asyncio.Queue[None]] = [asyncio.Queue() for _ in senders]
    readers = [asyncio.ensure_future(read(ws, None)) for ws in receivers]
    readers += [asyncio.ensure_future(read(ws, q)) for ws, q in zip(senders, acks, strict=True)]
    seq = 0

    async def run(length: float) -> int:
        nonlocal seq
        sent, seq = await paced_sends(senders, names, rate, length, seq)
        for i, ws in enumerate(senders):  # one acked send each: everything before it is stored
            await ws.send_str(f'42{i + 1}["send_notification",{{"userId":"{names[0]}","message":"last"}}]')
        for q in acks:
            await q.get()
        return sent + len(senders)

    await run(1.0)  # warm up
    print("start", flush=True)
    sent = await run(seconds)
    print(f"end {sent}", flush=True)
    done.set()
    for ws in receivers + senders:
        await ws.close()
    for task in readers:
        task.cancel()
    await session.close()


# ------------------------------------------------------------------ the hub's side


@contextlib.asynccontextmanager
async def _hub(data: Path) -> AsyncIterator[tuple[Any, HeapKeeper, Path, str]]:
    """A hub on a copy of `data`, rate limits out of the way, the collector as `notify-hub serve` sets
    it up: (the running hub, its heap keeper, its folder, its URL)."""
    from hub.app_keys import SERVICE
    from hub.config import HubConfig
    from hub.heap import HeapKeeper
    from hub.server import RunningHub

    folder = Path(tempfile.mkdtemp(prefix="lan-notify-loopcost-"))
    shutil.copytree(data, folder / "data")
    config = HubConfig(
        host="127.0.0.1", port=0, data_dir=folder / "data", rate_burst=10**9, rate_refill_per_second=10.0**9
    )
    running = RunningHub(config)
    url = await running.start()
    presence = running.app[SERVICE].presence
    heap = HeapKeeper(lambda: len(presence), lambda: presence.departures)
    heap.start()
    try:
        yield running, heap, folder, url
    finally:
        await running.stop()
        heap.stop()
        gc.unfreeze()  # the next round starts from the heap a fresh process would have
        shutil.rmtree(folder, ignore_errors=True)


async def _one(
    data: Path, tokens: dict[str, list[str]], names: list[str], rate: int, seconds: float, calls: bool, split: bool
) -> tuple[float, float, int, int, cProfile.Profile | None, dict[str, float]]:
    async with _hub(data) as (running, heap, folder, url):
        commits = _count_commits(running)
        parts = _time_parts(running) if split else {}
        spec = folder / "clients.json"
        spec.write_text(json.dumps({"tokens": tokens, "names": names}))
        client = await asyncio.create_subprocess_exec(
            *CLIENT_CMD, "--client", url, str(spec), str(rate), str(seconds),
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert client.stdout is not None
        profile = cProfile.Profile() if calls else None
        try:
            assert (await client.stdout.readline()).strip() == b"start"
            heap.freeze(collect=False)  # as serve's check does once the connect wave has settled
            store_clock = store_thread_clock()
            if profile is not None:
                profile.enable()
            loop_cpu, store_cpu, batches = time.thread_time(), time.clock_gettime(store_clock), commits[0]
            parts_before = dict(parts)
            line = (await client.stdout.readline()).split()
            loop_cpu, store_cpu = time.thread_time() - loop_cpu, time.clock_gettime(store_clock) - store_cpu
            batches = commits[0] - batches
            if profile is not None:
                profile.disable()
            assert line[0] == b"end", line
            sent = int(line[1])
            parts = {k: (parts[k] - parts_before[k]) / sent * 1e6 for k in parts}
            await client.wait()
        finally:
            if client.returncode is None:
                client.kill()
                await client.wait()
    return loop_cpu / sent * 1e6, store_cpu / sent * 1e6, sent, batches, profile, parts


async def _path(data: Path, tokens: dict[str, list[str]], names: list[str], frames: int, repeats: int) -> list[float]:
    """The event loop's CPU µs per send for the path a sender's frame takes from the Engine.IO layer
    to the dispatcher's queue (parsed, validated, rate-limited, drafted, queued), `frames` frames at a
    time in one loop turn, once per repeat: what a change to that path saves, without sockets, the
    hand-out or the store in the figure. One sender signed in over a real websocket; the hub's
    Engine.IO layer is handed its frames as its reading loop would."""
    from hub.app_keys import SOCKETS

    async with _hub(data) as (running, heap, _folder, url), aiohttp.ClientSession() as session:
        ws = await _sign_in(session, url, tokens["senders"][0])
        sio = running.app[SOCKETS].sio
        (eio_sid,) = list(sio.eio.sockets)  # the sender's connection, the only one
        handle = sio.on_eio_message
        texts = [
            f'2["send_notification",{{"userId":"{names[i % len(names)]}","message":"bench|p|{i}|1.0"}}]'
            for i in range(frames)
        ]
        heap.freeze(collect=False)
        per_send = []
        for repeat in range(repeats + 1):  # the first fills the hub's cache of recipients
            started = time.thread_time()
            for text in texts:
                await handle(eio_sid, text)
            spent = time.thread_time() - started
            if repeat:
                per_send.append(spent / frames * 1e6)
            # One acked send after them: once it is answered, everything before it is stored.
            await ws.send_str(f'42{repeat + 1}["send_notification",{{"userId":"{names[0]}","message":"last"}}]')
            while not str((msg := await ws.receive()).data).startswith(f"43{repeat + 1}["):
                if msg.type is not aiohttp.WSMsgType.TEXT:
                    raise SystemExit(f"the sender's connection ended: {msg}")
                if msg.data == "2":
                    await ws.send_str("3")
        await ws.close()
    return per_send


#: The parts of the event loop's thread `--split` times: a sender's frame from the Engine.IO layer to the
#: dispatcher's queue, the deliverer's hand-out of each stored batch, and the writes at the end of a turn.
PARTS = ("in", "hand-out", "writes")


def _time_parts(running: Any) -> dict[str, float]:
    """Thread CPU seconds spent in each of PARTS, wrapped from outside (before any client connects)."""
    from hub.app_keys import SERVICE, SOCKETS

    spent = dict.fromkeys(PARTS, 0.0)
    clock = time.thread_time
    sio = running.app[SOCKETS].sio
    handle = sio.on_eio_message

    async def timed_in(eio_sid: str, data: Any) -> None:
        started = clock()
        await handle(eio_sid, data)
        spent["in"] += clock() - started

    sio.eio.on("message", timed_in)
    outlet = running.app[SERVICE].pipeline.outlet
    hand_out = outlet._hand_out

    async def timed_hand_out(*args: Any) -> None:
        started = clock()
        await hand_out(*args)
        spent["hand-out"] += clock() - started

    outlet._hand_out = timed_hand_out
    flush = sio.eio._flush

    def timed_flush() -> None:
        started = clock()
        flush()
        spent["writes"] += clock() - started

    sio.eio._flush = timed_flush
    return spent


def _count_commits(running: Any) -> list[int]:
    """A counter of the batches the hub's dispatcher stores (wrapped from outside, as `bench.probe` does)."""
    from hub.app_keys import SERVICE

    outlet = running.app[SERVICE].pipeline.outlet
    store = outlet.store
    count = [0]

    async def counted(drafts: Any) -> Any:
        count[0] += 1
        return await store(drafts)

    outlet.store = counted
    return count


def _print_calls(profile: cProfile.Profile, sent: int, top: int) -> None:
    stats = pstats.Stats(profile)
    rows = stats.stats  # type: ignore[attr-defined]
    total = sum(nc for (_cc, nc, _tt, _ct, _callers) in rows.values())
    print(f"\nPython calls on the event loop's thread: {total / sent:.1f} per send ({total:,} for {sent:,})\n")
    print("| calls per send | own time per send µs (profiled) | function |")
    print("| ---: | ---: | --- |")
    ranked = sorted(rows.items(), key=lambda kv: kv[1][1], reverse=True)[:top]
    ranked += sorted((kv for kv in rows.items() if kv not in ranked), key=lambda kv: kv[1][2], reverse=True)[:top]
    for (file, line, name), (_cc, nc, tt, _ct, _callers) in ranked:
        where = file.split("site-packages/")[-1].removeprefix(REPO)
        print(f"| {nc / sent:.2f} | {tt / sent * 1e6:.2f} | {name} ({where}:{line}) |")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--client"]:
        url, spec, rate, seconds = argv[1], json.loads(Path(argv[2]).read_text()), int(argv[3]), float(argv[4])
        if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
            os.sched_setaffinity(0, {1})  # the senders on the other CPU than the hub's (CPU 0)
        asyncio.run(_client(url, spec["tokens"], spec["names"], rate, seconds))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.loop_cost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="receivers connected")
    parser.add_argument("--rates", type=int, nargs="+", default=[5000, 10000], help="sends per second")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each measured run")
    parser.add_argument("--calls", action="store_true", help="count the event loop's Python calls (cProfile)")
    parser.add_argument("--top", type=int, default=40, help="functions listed with --calls")
    parser.add_argument(
        "--split",
        action="store_true",
        help="split the event loop's µs per send: a frame's way in, the hand-out, the writes, the rest",
    )
    parser.add_argument(
        "--path",
        type=int,
        metavar="FRAMES",
        help="time only a send's way from the Engine.IO layer to the dispatcher's queue, FRAMES frames a "
        "turn, 7 turns a round (no client process, no --rates)",
    )
    args = parser.parse_args(argv)

    from bench.provision import provision_hub
    from hub.server import loop_factory

    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {0})
    work = Path(tempfile.mkdtemp(prefix="lan-notify-loopcost-tpl-"))
    try:
        made = provision_hub(work / "data", receivers=args.n, senders=SENDERS, cwd=Path.cwd())
        tokens = {"receivers": [str(c.token) for c in made.receivers], "senders": [str(c.token) for c in made.senders]}
        names = [c.user_id for c in made.receivers]
        factory = loop_factory()
        if args.path:
            print("| round | event loop µs per send, best of 7 | median | worst |")
            print("| ---: | ---: | ---: | ---: |")
            for rnd in range(1, args.rounds + 1):
                with asyncio.Runner(loop_factory=factory) as runner:
                    times = sorted(runner.run(_path(work / "data", tokens, names, args.path, 7)))
                print(f"| {rnd} | {times[0]:.2f} | {times[3]:.2f} | {times[-1]:.2f} |", flush=True)
            return 0
        split_head = "".join(f" {part} µs |" for part in (*PARTS, "rest")) if args.split else ""
        print(f"| offered /s | round | event loop µs | store thread µs | in all µs | sends per commit |{split_head}")
        print("| ---: | ---: | ---: | ---: | ---: | ---: |" + " ---: |" * (len(PARTS) + 1) * args.split)
        for rnd in range(1, args.rounds + 1):
            for rate in args.rates:
                with asyncio.Runner(loop_factory=factory) as runner:
                    loop_us, store_us, sent, batches, profile, parts = runner.run(
                        _one(work / "data", tokens, names, rate, args.seconds, args.calls, args.split)
                    )
                per = sent / max(batches, 1)
                split = "".join(f" {us:.1f} |" for us in (*parts.values(), loop_us - sum(parts.values())))
                print(
                    f"| {rate:,} | {rnd} | {loop_us:.1f} | {store_us:.1f} | {loop_us + store_us:.1f} | {per:.1f} |"
                    + (split if parts else ""),
                    flush=True,
                )
                if profile is not None:
                    _print_calls(profile, sent, args.top)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
