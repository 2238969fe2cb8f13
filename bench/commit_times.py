"""Every group commit's time on the SQLite store's thread under a direct load, and which met a checkpoint.

    taskset -c 0 python -m bench.commit_times --rates 2000 5000 10000 --seconds 10
    taskset -c 0 python -m bench.commit_times --no-checkpoints     # the control: nothing checkpoints

A hub in this process (SQLite in a temporary directory on the disk of TMPDIR, as `bench.commit_linger`
sets it up: four senders on plain websockets, 100 recipients not connected) at fixed offered rates.
Each call that stores a batch (`add_batch`) is timed on the store's thread, and the WAL index (the
`-shm` file) is read before and after it: its `mxFrame` (frames in the WAL) and `nBackfill` (frames
already copied into the database file). When `nBackfill` moved during a commit, a checkpoint ran
meanwhile: with SQLite's automatic checkpoint, only the committing connection checkpoints, so the
commit ran it inside (the frames copied and the database file synced before the sender's ok); with
the hub's checkpointer, it ran beside the commit, on its own thread.

Printed per rate: commits, their p50 / p99 / max in ms, how many took more than 50 ms and during how
many of those a checkpoint ran, the slowest commit during which none ran, the WAL's largest size, the
RESTART checkpoints the store's thread ran between commits (their p50 ms), and CPU µs per send of the
event loop's thread (the senders' writes included), the store's thread and the hub's other SQLite
threads (a checkpointer's). `--json FILE` writes every commit's figures, and each long commit split
into its thread's CPU, its wait for a CPU and the collector's time on the loop's thread meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import aiohttp

from bench.commit_linger import RECIPIENTS, SENDERS, acked, signed_in_senders
from bench.pacing import paced_sends
from bench.walindex import WalIndex, checkpointed, run_delay, wal_size
from hub.config import HubConfig
from hub.server import RunningHub
from hub.store.sqlite.thread import StoreThread

T = TypeVar("T")
LONG_MS = 50.0


#: One commit: started (perf_counter), ms, WAL index before (mxFrame, nBackfill) and after, CPU ms, run-queue ms.
Commit = tuple[float, float, int, int, int, int, float, float]


def record_commits(index: list[WalIndex], out: list[Commit]) -> Callable[[], None]:
    """Time each `add_batch` on the store's thread, with the WAL index before and after; returns the undo."""
    original = StoreThread.run

    async def run(self: StoreThread, fn: Callable[[Any], T]) -> T:
        if not getattr(fn, "__qualname__", "").endswith("add_batch.<locals>.run") or not index:
            return await original(self, fn)

        def timed(db: Any) -> T:
            frames, backfill = index[0].read()
            queued_ns = run_delay()
            cpu = time.thread_time()
            started = time.perf_counter()
            try:
                return fn(db)
            finally:
                took = (time.perf_counter() - started) * 1e3
                cpu = (time.thread_time() - cpu) * 1e3
                waited = (run_delay() - queued_ns) / 1e6
                frames_after, backfill_after = index[0].read()
                out.append((started, took, frames, backfill, frames_after, backfill_after, cpu, waited))

        return await original(self, timed)

    StoreThread.run = run  # type: ignore[method-assign]

    def undo() -> None:
        StoreThread.run = original  # type: ignore[method-assign]

    return undo


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def time_restarts(times: list[float]) -> Callable[[], None]:
    """Time each RESTART checkpoint the store's thread runs between two commits (ms, into `times`),
    if this hub has a checkpointer; returns the undo."""
    import hub.store.sqlite.thread as thread

    original: Callable[[Any, Any], None] | None = getattr(thread, "restart", None)
    if original is None:
        return lambda: None

    def timed(db: Any, policy: Any) -> None:
        started = time.perf_counter()
        try:
            original(db, policy)
        finally:
            times.append((time.perf_counter() - started) * 1e3)

    thread.restart = timed  # type: ignore[attr-defined]

    def undo() -> None:
        thread.restart = original  # type: ignore[attr-defined,assignment]

    return undo


def thread_clocks() -> dict[str, int]:
    return {
        t.name: time.pthread_getcpuclockid(t.ident)
        for t in threading.enumerate()
        if t.name.startswith("sqlite-") and t.ident is not None
    }


async def one(rate: int, seconds: float, no_checkpoints: bool) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="lan-notify-commits-"))
    config = HubConfig(host="127.0.0.1", port=0, data_dir=folder, rate_burst=10**9, rate_refill_per_second=10.0**9)
    commits: list[Commit] = []
    index: list[WalIndex] = []
    undo = record_commits(index, commits)
    gcs: list[tuple[float, int, float]] = []
    gc_started = [0.0]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            gcs.append((gc_started[0], int(info["generation"]), (time.perf_counter() - gc_started[0]) * 1e3))

    gc.callbacks.append(on_gc)
    restarts: list[float] = []
    undo_restarts = time_restarts(restarts)
    running = RunningHub(config)
    url = await running.start()
    session = aiohttp.ClientSession()
    wal_max = 0
    try:
        if no_checkpoints:  # SQLite's own checkpoint is off on the store's connection: stop the store's too
            checkpointer = running.store._thread._checkpointer  # type: ignore[attr-defined]
            if checkpointer is not None:
                checkpointer.stop()
        sockets = await signed_in_senders(running, session, url)
        names = [f"u{i}" for i in range(RECIPIENTS)]
        index.append(WalIndex(config.database_path))
        seq = 0

        async def run(length: float) -> tuple[float, dict[str, float], int]:
            nonlocal seq, wal_max
            clocks = thread_clocks()
            loop_cpu = time.thread_time()
            before = {n: time.clock_gettime(c) for n, c in clocks.items()}
            sent, seq = await paced_sends(sockets, names, rate, length, seq)
            for i, ws in enumerate(sockets):  # one acked send each: all before it are stored
                await ws.send_str(f'42{i + 1}["send_notification",{{"userId":"u0","message":"last"}}]')
            for ws in sockets:
                await acked(ws)
            wal_max = max(wal_max, wal_size(config.database_path))
            loop_cpu = time.thread_time() - loop_cpu
            others = {n: time.clock_gettime(c) - before[n] for n, c in clocks.items()}
            return loop_cpu, others, sent + SENDERS

        await run(1.0)  # warm up
        commits.clear()
        gcs.clear()
        restarts.clear()
        wal_max = 0
        loop_cpu, others, sent = await run(seconds)
        for ws in sockets:
            await ws.close()
    finally:
        undo()
        gc.callbacks.remove(on_gc)
        undo_restarts()
        for wal in index:
            wal.close()
        await session.close()
        await running.stop()
        shutil.rmtree(folder, ignore_errors=True)
    wall_offset = time.time() - time.perf_counter()  # the commits' start as epoch seconds, as strace -ttt
    times = [c[1] for c in commits]
    ran = [c for c in commits if checkpointed((c[2], c[3]), (c[4], c[5]))]
    long = [c for c in commits if c[1] > LONG_MS]
    store_cpu = others.pop("sqlite-store", 0.0)
    return {
        "rate": rate,
        "sent": sent,
        "commits": len(commits),
        "p50_ms": pct(times, 0.5),
        "p99_ms": pct(times, 0.99),
        "max_ms": max(times, default=0.0),
        "over_50ms": len(long),
        "over_50ms_checkpointing": sum(1 for c in long if c in ran),
        "checkpointing_commits": len(ran),
        "checkpointing_p50_ms": pct([c[1] for c in ran], 0.5),
        "max_ms_without_checkpoint": max((c[1] for c in commits if c not in ran), default=0.0),
        "wal_max_kib": wal_max // 1024,
        "restarts": len(restarts),
        "restart_ms": {"p50": pct(restarts, 0.5), "max": max(restarts, default=0.0)},
        "wal_frames_max": max((c[4] for c in commits), default=0),
        "loop_us": loop_cpu / sent * 1e6,
        "store_us": store_cpu / sent * 1e6,
        "other_sqlite_us": sum(others.values()) / sent * 1e6,
        "long": [
            {
                "at": round(c[0] + wall_offset, 6),
                "ms": round(c[1], 1),
                "cpu_ms": round(c[6], 1),
                "runqueue_ms": round(c[7], 1),
                "checkpoint": c in ran,
                "gc_ms": round(sum(g[2] for g in gcs if g[0] < c[0] + c[1] / 1e3 and g[0] + g[2] / 1e3 > c[0]), 1),
            }
            for c in long
        ],
        "each": [[round(c[1], 3), c[2], c[3], c[4], c[5], round(c[6], 3), round(c[7], 3)] for c in commits],
    }


HEAD = (
    "| offered /s | commits | p50 ms | p99 ms | max ms | > 50 ms (a checkpoint during it) | commits a checkpoint"
    " ran during (their p50 ms) | max ms, none during | WAL max KiB | RESTARTs (p50 ms) | loop µs | store µs |"
    " other µs |"
)


def row(r: dict[str, Any]) -> str:
    return (
        f"| {r['rate']:,} | {r['commits']:,} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['max_ms']:.1f} |"
        f" {r['over_50ms']} ({r['over_50ms_checkpointing']}) | {r['checkpointing_commits']}"
        f" ({r['checkpointing_p50_ms']:.1f}) | {r['max_ms_without_checkpoint']:.1f} | {r['wal_max_kib']:,} |"
        f" {r['restarts']} ({r['restart_ms']['p50']:.1f}) |"
        f" {r['loop_us']:.1f} | {r['store_us']:.1f} | {r['other_sqlite_us']:.1f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.commit_times", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", type=int, nargs="+", default=[2000, 5000, 10000], help="sends per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measured run")
    parser.add_argument("--rounds", type=int, default=1, help="runs per rate")
    parser.add_argument(
        "--no-checkpoints",
        action="store_true",
        help="the control: the store's checkpointer stopped (SQLite's own checkpoint is off), so nothing checkpoints",
    )
    parser.add_argument("--json", type=Path, help="write every run's figures, each commit's included, here")
    args = parser.parse_args(argv)
    print(HEAD)
    print("| ---: " * 13 + "|")
    results = []
    for _ in range(args.rounds):
        for rate in args.rates:
            result = asyncio.run(one(rate, args.seconds, args.no_checkpoints))
            results.append(result)
            print(row(result), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
