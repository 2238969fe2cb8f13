"""The tray app's own code in this process (offscreen Qt on a qasync loop): search times over a 10,000-row
history, and how long the event loop is blocked while 1,000 notifications arrive at once.

The loop is watched by a probe that asks to wake every `PROBE_S`: how late it wakes is how long something
held the loop. A sender in another process does the sending, so its work is not counted here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from bench.servers import REPO_DIR, BenchError
from bench.tray.process import sample
from bench.tray.samples import fill
from desktop.app.history_flow import HistoryFlow
from desktop.app.tray_app import TrayApp
from desktop.core.connection import ConnectionState
from desktop.core.history import AsyncHistory
from desktop.core.inbox import Inbox
from desktop.core.preferences import Preferences
from desktop.core.toasts import ToastPolicy
from desktop.core.unread import UnreadCounter
from desktop.net.session import HubSession
from desktop.system.credentials import MemoryCredentialStore
from desktop.system.report import Reporter
from hub.protocol import NotificationType

PROBE_S = 0.002
BURST_TIMEOUT_S = 300.0
#: How long an open history window may take to show the last of a burst once it is counted.
HISTORY_FOLLOW_S = 10.0


class LoopProbe:
    """Wakes every PROBE_S and keeps how late each wake-up was: the loop was blocked that long.

    On a busy machine part of a late wake-up is waiting for a CPU, not work; the probe also keeps the
    CPU time the loop's thread spent between two wake-ups (what the block would be on an idle machine).
    """

    def __init__(self) -> None:
        self.lags: list[float] = []
        self.work: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before, cpu = loop.time(), time.thread_time()
            await asyncio.sleep(PROBE_S)
            self.lags.append(max(0.0, loop.time() - before - PROBE_S))
            self.work.append(time.thread_time() - cpu)

    def start(self) -> None:
        self.lags.clear()
        self.work.clear()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> dict[str, float]:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        lags = sorted(self.lags) or [0.0]
        return {
            "max_block_ms": lags[-1] * 1000,
            "p99_block_ms": lags[int(len(lags) * 0.99)] * 1000,
            "max_work_ms": max(self.work, default=0.0) * 1000,
        }


def _spawner() -> tuple[set[asyncio.Task[None]], Any]:
    tasks: set[asyncio.Task[None]] = set()

    def spawn(coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    return tasks, spawn


async def search_figures(folder: Path, count: int, repeats: int) -> dict[str, Any]:
    """From a query to its first page and counts on screen, over `count` notifications; then every page."""
    path = folder / "history.sqlite3"
    fill(path, count)
    history = await AsyncHistory.open(path)
    inbox = Inbox(history, UnreadCounter(), ToastPolicy())
    session = HubSession("http://bench.invalid", "alice", "", history, inbox)
    _tasks, spawn = _spawner()
    flow = HistoryFlow(session=lambda: session, unread=inbox.unread, report=Reporter(None), spawn=spawn,
                       sign_in_needed=lambda: None)  # fmt: skip
    window = flow.window
    before = sample(os.getpid()).rss_kb
    window.show()
    await flow.refresh()
    results: dict[str, Any] = {"opened_rss_growth_kb": sample(os.getpid()).rss_kb - before, "searches": {}}
    cases = {
        "everything (first page)": (None, ""),
        "search, a word in no notification": (None, "zebra"),
        "search, a word in many": (None, "deploy"),
        "type filter (error)": (NotificationType.ERROR, ""),
        "type filter and search": (NotificationType.WARNING, "disk"),
    }
    probe = LoopProbe()
    for name, (ntype, text) in cases.items():
        window.type_filter.blockSignals(True)
        window.search.blockSignals(True)
        window.type_filter.setCurrentIndex(window.type_filter.findData(ntype.value) if ntype else 0)
        window.search.setText(text)
        window.type_filter.blockSignals(False)
        window.search.blockSignals(False)
        times = []
        probe.start()
        for _ in range(repeats):
            started = time.perf_counter()
            await flow.refresh()
            times.append((time.perf_counter() - started) * 1000)
        blocked = await probe.stop()
        results["searches"][name] = {"median_ms": statistics.median(times), "max_ms": max(times),
                                     "rows": window.model.rowCount(), **blocked}  # fmt: skip
    window.reset_query(emit=False)
    await flow.refresh()
    started = time.perf_counter()
    probe.start()
    while await flow.more():
        pass
    results["all_pages"] = {
        "rows": window.model.rowCount(),
        "ms": (time.perf_counter() - started) * 1000,
        "rss_growth_kb": sample(os.getpid()).rss_kb - before,
        **(await probe.stop()),
    }
    window.close()
    await history.close()
    return results


async def burst_figures(
    folder: Path, hub_url: str, user: str, token: str, sender_token: str, count: int, *, history_open: bool
) -> dict[str, Any]:
    """`count` notifications sent at once by another process to `user`, handled by the whole app."""
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    prefs = Preferences(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    app = TrayApp(qapp, data_dir=folder / "data", preferences=prefs, credentials=MemoryCredentialStore(),
                  reporter=Reporter(None), use_tray=False)  # fmt: skip
    probe = LoopProbe()
    try:
        await app.signin.open_session(hub_url, user, token)
        await _until(lambda: app.status.connection.state is ConnectionState.CONNECTED, 30)
        if history_open:
            await app.history.show(None)
        probe.start()
        started = time.perf_counter()
        sender = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.tray.sender", hub_url, sender_token, user, str(count),
            cwd=REPO_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        await _until(lambda: app.unread.count >= count, BURST_TIMEOUT_S)
        handled_s = time.perf_counter() - started
        out, err = await sender.communicate()
        if sender.returncode != 0:
            raise BenchError(f"the sender failed: {err.decode()[-500:]}")
        blocked = await probe.stop()
        shown = None
        if history_open:  # the window adds rows on its own loop turns, after the unread count moved
            rows = app.history_window.model.rowCount
            with contextlib.suppress(BenchError):
                await _until(lambda: rows() >= count, HISTORY_FOLLOW_S)
            shown = rows()
        return {"accepted": int(out.split()[-1]), "handled_s": handled_s, "history_rows": shown, **blocked}
    finally:
        await probe.stop()
        await app.quit()


async def _until(condition: Any, timeout: float) -> None:
    """Wait for `condition()` to hold, looking once a loop turn's worth of time (a bench, not a test)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise BenchError("timed out waiting for the tray app")
        await asyncio.sleep(0.01)
