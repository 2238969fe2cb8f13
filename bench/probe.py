"""A pause probe for the hub under the bench: where its event loop and its store's thread wait.

    python -m bench.run --n 5000 --scenarios direct --probe DIR     # what the bench uses
    LAN_NOTIFY_PROBE=out.json python -m bench.probe serve ...       # the hub's `serve`, probed

Run this way, `notify-hub serve` is the hub's own, with instruments added from outside (nothing of
it is in the hub's code, so the hub pays nothing when it is not probed):

- **loop lag**: a watchdog thread asks the event loop to run a callback every 5 ms and times how
  long it waits; while it waits more than 10 ms, the loop thread's stack is sampled every 10 ms
  (`stalls`: which code held the loop).
- **the store's thread**: each call on the SQLite store's thread, with how long it waited behind
  the others (queue) and how long it held the thread (hold), by the function's name; and for each
  group commit (`add_batch`), its thread's CPU time, its wait for a CPU (run queue) and whether a
  checkpoint ran during it (`bench.walindex`: inside the commit with SQLite's automatic
  checkpoint, beside it with the store's checkpointer): what the rest of its time went to is blocking, in
  `fdatasync` or for the GIL.
- **the collector**: every collection, its generation and duration.
- **periodic work on the loop**: the cursor flush (its synchronous walk, rows saved, whole time).
- **CPU per thread**: each thread's CPU time from /proc four times a second (the loop's, the
  store's, python's default executor's), so a step's CPU can be split between them.

As the hub stops, everything goes to the JSON file named by LAN_NOTIFY_PROBE; `step_figures` sums
it over the windows of the load generator's direct steps.
"""

from __future__ import annotations

import asyncio
import atexit
import gc
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, TypeVar

from bench.walindex import WalIndex, checkpointed, run_delay

ENV: Final = "LAN_NOTIFY_PROBE"
PERIOD_S: Final = 0.005
_CLK_TCK: Final = os.sysconf("SC_CLK_TCK")
STALL_S: Final = 0.010
#: A group commit longer than this is listed in a step's figures with what its time went to.
LONG_COMMIT_S: Final = 0.050
T = TypeVar("T")


class Recorder:
    """What the probe saw, with times in wall-clock seconds (to line up with the load generator's steps)."""

    def __init__(self) -> None:
        self._offset = time.time() - time.perf_counter()
        self.lags: list[tuple[float, float]] = []
        self.stalls: list[tuple[float, str]] = []
        self.store: list[tuple[float, float, float, str]] = []
        #: Each group commit: (time, hold s, thread CPU s, run-queue wait s, ran a checkpoint).
        self.commits: list[tuple[float, float, float, float, bool]] = []
        self.collections: list[tuple[float, int, float, int]] = []
        self.flushes: list[tuple[float, float, float, int]] = []
        #: Four times a second: (time, {thread name: CPU seconds so far}) of every thread.
        self.threads: list[tuple[float, dict[str, float]]] = []
        self._gc_started = 0.0

    def thread_cpu(self, loop_thread: int) -> None:
        """Every thread's CPU time so far, from /proc (the loop's thread is called "loop")."""
        names = {t.native_id: t.name for t in threading.enumerate()}
        names[loop_thread] = "loop"
        cpu: dict[str, float] = {}
        for task in Path("/proc/self/task").iterdir():
            try:
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            name = names.get(int(task.name), "other")
            cpu[name] = cpu.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / _CLK_TCK
        self.threads.append((self.wall(time.perf_counter()), cpu))

    def wall(self, perf: float) -> float:
        return perf + self._offset

    def on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            took = time.perf_counter() - self._gc_started
            generation, collected = int(info.get("generation", -1)), int(info.get("collected", 0))
            self.collections.append((self.wall(self._gc_started), generation, took, collected))

    def dump(self, path: Path) -> None:
        stacks = Counter(sig for _, sig in self.stalls)
        document = {
            "lags": self.lags,
            "stalls": self.stalls,
            "stall_stacks": stacks.most_common(40),
            "store": self.store,
            "commits": self.commits,
            "collections": self.collections,
            "flushes": self.flushes,
            "threads": self.threads,
        }
        path.write_text(json.dumps(document))


def _stack(frame: Any, depth: int = 14) -> str:
    parts: list[str] = []
    while frame is not None and len(parts) < depth:
        code = frame.f_code
        parts.append(f"{Path(code.co_filename).name}:{code.co_qualname}:{frame.f_lineno}")
        frame = frame.f_back
    return " < ".join(parts)


def watch(
    loop: asyncio.AbstractEventLoop, loop_thread: int, loop_native: int, rec: Recorder, stop: threading.Event
) -> None:
    """The watchdog thread: the loop's lag every PERIOD_S, its stack while it lags more than STALL_S,
    and each thread's CPU time four times a second. (A stack sampled every time round would not
    do for a profile: this thread gets the GIL when the loop's thread lets it go, mostly in epoll.)"""
    next_cpu = 0.0
    while not stop.is_set():
        if time.perf_counter() >= next_cpu:
            rec.thread_cpu(loop_native)
            next_cpu = time.perf_counter() + 0.25
        answered = threading.Event()
        asked = time.perf_counter()
        try:
            loop.call_soon_threadsafe(answered.set)
        except RuntimeError:  # the loop is closed
            return
        while not answered.wait(STALL_S):
            if stop.is_set():
                return
            frame = sys._current_frames().get(loop_thread)
            rec.stalls.append((rec.wall(time.perf_counter()), _stack(frame)))
        rec.lags.append((rec.wall(asked), time.perf_counter() - asked))
        time.sleep(PERIOD_S)


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", repr(fn)).replace(".<locals>", "")


def install(rec: Recorder) -> None:
    """Wrap the store's thread, the cursor flush and the loop factory; hook the collector."""
    import hub.server
    from hub.delivery.cursors import Cursors
    from hub.store.sqlite.notifications import SqliteNotifications
    from hub.store.sqlite.thread import StoreThread

    store_run = StoreThread.run
    index: list[WalIndex] = []

    async def run(self: StoreThread, fn: Callable[[Any], T]) -> T:
        queued = time.perf_counter()
        name = _name(fn)

        def timed(db: Any) -> T:
            started = time.perf_counter()
            try:
                return fn(db)
            finally:
                rec.store.append((rec.wall(queued), started - queued, time.perf_counter() - started, name))

        def commit(db: Any) -> T:
            if not index:
                index.append(WalIndex(self.path))
            wal, queue_ns, cpu, started = index[0].read(), run_delay(), time.thread_time(), time.perf_counter()
            try:
                return fn(db)
            finally:
                hold, cpu = time.perf_counter() - started, time.thread_time() - cpu
                ran = checkpointed(wal, index[0].read())
                rec.store.append((rec.wall(queued), started - queued, hold, name))
                rec.commits.append((rec.wall(started), hold, cpu, (run_delay() - queue_ns) / 1e9, ran))

        return await store_run(self, commit if name.endswith("add_batch.run") else timed)

    StoreThread.run = run  # type: ignore[method-assign]

    flush, confirm_sent = Cursors.flush, Cursors.confirm_sent
    save_cursors = SqliteNotifications.save_cursors
    walked: list[float] = [0.0]
    saved: list[int] = [0]

    async def counted_save(self: SqliteNotifications, cursors: dict[str, tuple[int, int]]) -> None:
        saved[0] += len(cursors)
        await save_cursors(self, cursors)

    def timed_confirm(self: Cursors) -> None:
        started = time.perf_counter()
        confirm_sent(self)
        walked[0] = time.perf_counter() - started

    async def timed_flush(self: Cursors) -> None:
        started = time.perf_counter()
        walked[0], saved[0] = 0.0, 0
        try:
            await flush(self)
        finally:
            rec.flushes.append((rec.wall(started), walked[0], time.perf_counter() - started, saved[0]))

    Cursors.confirm_sent = timed_confirm  # type: ignore[method-assign]
    Cursors.flush = timed_flush  # type: ignore[method-assign]
    SqliteNotifications.save_cursors = counted_save  # type: ignore[method-assign]
    gc.callbacks.append(rec.on_gc)

    factory = hub.server.loop_factory() or asyncio.new_event_loop
    stop = threading.Event()

    def probed_loop() -> asyncio.AbstractEventLoop:
        loop = factory()
        thread = threading.Thread(
            target=watch,
            args=(loop, threading.get_ident(), threading.get_native_id(), rec, stop),
            name="probe-watchdog",
            daemon=True,
        )
        thread.start()
        return loop

    hub.server.loop_factory = lambda: probed_loop
    atexit.register(stop.set)


def _in(t: float, start: float, end: float) -> bool:
    return start <= t < end


def step_figures(probe: dict[str, Any], start: float, end: float) -> dict[str, Any]:
    """The probe's figures over one window of wall-clock seconds (a direct step, its drain included)."""
    lags = sorted(lag for t, lag in probe["lags"] if _in(t, start, end))
    store = [s for s in probe["store"] if _in(s[0], start, end)]
    holds: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    for _, _, hold, name in store:
        holds[name] += hold
        calls[name] += 1
    longest = max(store, key=lambda s: s[2], default=None)
    waits = sorted(s[1] for s in store)
    commits = sorted(s[2] for s in store if s[3].endswith("add_batch.run"))
    gcs = [c for c in probe["collections"] if _in(c[0], start, end)]
    long = [c for c in probe.get("commits", []) if _in(c[0], start, end) and c[1] > LONG_COMMIT_S]
    flushes = [f for f in probe["flushes"] if _in(f[0], start, end)]

    def pct(values: list[float], q: float) -> float | None:
        return round(values[min(len(values) - 1, int(q * len(values)))] * 1000, 1) if values else None

    before = max((x for x in probe.get("threads", []) if x[0] <= start), key=lambda x: x[0], default=None)
    after = min((x for x in probe.get("threads", []) if x[0] >= end), key=lambda x: x[0], default=None)
    threads = {}
    if before is not None and after is not None and after[0] > before[0]:
        wall = after[0] - before[0]
        threads = {k: round((v - before[1].get(k, 0.0)) / wall, 3) for k, v in after[1].items()}
    return {
        "thread_cpu_util": threads,
        "loop_lag_ms": {"p50": pct(lags, 0.5), "p99": pct(lags, 0.99), "max": pct(lags, 1.0)},
        "loop_lag_over_20ms": sum(1 for lag in lags if lag > 0.02),
        "store_calls": dict(calls.most_common(6)),
        "store_hold_ms": {k: round(v * 1000, 1) for k, v in holds.most_common(6)},
        "store_longest": None if longest is None else [longest[3], round(longest[2] * 1000, 1)],
        "store_wait_ms": {"p50": pct(waits, 0.5), "p99": pct(waits, 0.99), "max": pct(waits, 1.0)},
        "group_commit_ms": {"p50": pct(commits, 0.5), "p99": pct(commits, 0.99), "max": pct(commits, 1.0)},
        "long_commits": [_long_commit(c, gcs) for c in long],
        "gc": {
            f"gen{g}": [sum(1 for c in gcs if c[1] == g), round(sum(c[2] for c in gcs if c[1] == g) * 1000, 1)]
            for g in (0, 1, 2)
        },
        "cursor_flushes": [[round(f[1] * 1000, 2), round(f[2] * 1000, 1), f[3]] for f in flushes],
    }


def _long_commit(commit: list[Any], gcs: list[list[Any]]) -> dict[str, Any]:
    """One commit over LONG_COMMIT_S: its time, split into CPU, run-queue wait and the rest (blocked),
    whether it ran a checkpoint, and how long the collector ran on the loop's thread meanwhile."""
    at, hold, cpu, queued, ran = commit
    overlap = sum(max(0.0, min(at + hold, g[0] + g[2]) - max(at, g[0])) for g in gcs)
    return {
        "ms": round(hold * 1000, 1),
        "cpu_ms": round(cpu * 1000, 1),
        "run_queue_ms": round(queued * 1000, 1),
        "blocked_ms": round((hold - cpu - queued) * 1000, 1),
        "checkpoint": ran,
        "gc_ms": round(overlap * 1000, 1),
    }


def main() -> int:
    target = os.environ.get(ENV)
    rec = Recorder()
    if target:
        install(rec)
        atexit.register(rec.dump, Path(target))
    from hub.cli import main as hub_main

    return int(hub_main(sys.argv[1:]) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
