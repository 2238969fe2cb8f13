"""python -m bench.tray [--idle-seconds 60] [--history 10000] [--burst 1000] [--quick] [--out FILE]

Prints the tray app's resource figures beside their targets (docs/performance.md, "The tray app").
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

from bench.provision import provision_hub
from bench.servers import REPO_DIR, start_hub
from bench.tray.process import AppProcess, launch, sample
from bench.tray.samples import fill
from desktop.core.history import history_path

SETTLE_S = 5.0  # after connecting, before measuring: start-up work (first paints, the directory) is done
TARGETS = {"idle CPU": "~0 %", "search": "< 50 ms", "loop block": "< 50 ms"}


def _connected(app: AppProcess) -> None:
    app.wait_for(lambda e: e.get("event") == "state" and e.get("state") == "connected")


def idle_figures(home: Path, hub_url: str, user: str, token: str, seconds: float) -> dict[str, Any]:
    app = launch(home, home / "data", hub_url, user, token)
    try:
        _connected(app)
        time.sleep(SETTLE_S)
        first = sample(app.proc.pid)
        time.sleep(seconds)
        last = sample(app.proc.pid)
    finally:
        app.stop()
    minutes = seconds / 60
    threads = {name: round((last.switches.get(name, 0) - count) / minutes, 1) for name, count in first.switches.items()}
    return {
        "rss_mb": last.rss_kb / 1024,
        "cpu_percent": (last.cpu_s - first.cpu_s) / seconds * 100,
        "wakeups_per_min": (last.total_switches - first.total_switches) / minutes,
        "wakeups_per_min_by_thread": {k: v for k, v in sorted(threads.items(), key=lambda kv: -kv[1]) if v},
        "seconds": seconds,
    }


def history_figures(home: Path, hub_url: str, user: str, token: str, count: int) -> dict[str, Any]:
    data = home / "data"
    fill(history_path(data, hub_url, user), count)
    app = launch(home, data, hub_url, user, token)
    try:
        _connected(app)
        time.sleep(SETTLE_S)
        rss = sample(app.proc.pid).rss_kb
    finally:
        app.stop()
    return {"notifications": count, "rss_mb": rss / 1024}


def in_process(folder: Path, hub_url: str, users: list[Any], sender: Any, args: argparse.Namespace) -> dict[str, Any]:
    import qasync
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from bench.tray import inprocess

    qInstallMessageHandler(_quiet)
    qapp = QApplication.instance() or QApplication([])
    qapp.setQuitOnLastWindowClosed(False)  # as the tray app: closing the history window ends nothing
    figures: dict[str, Any] = {}

    async def scenario() -> None:
        (folder / "search").mkdir()
        figures["search"] = await inprocess.search_figures(folder / "search", args.history, args.repeats)
        for user, history_open in zip(users, (False, True), strict=True):
            where = folder / f"burst-{user.user_id}"
            where.mkdir()
            key = "burst_history_open" if history_open else "burst"
            figures[key] = await inprocess.burst_figures(where, hub_url, user.user_id, user.token, sender.token,
                                                         args.burst, history_open=history_open)  # fmt: skip

    with qasync.QEventLoop(qapp) as loop:
        loop.run_until_complete(scenario())
    return figures


def _quiet(kind: Any, context: Any, message: str) -> None:
    """Qt's messages, but not the offscreen platform's "does not support ..." (a window manager's work)."""
    if "does not support" not in message:
        print(message, file=sys.stderr)


def _blocked(result: dict[str, Any]) -> str:
    return (f"loop blocked {result['max_block_ms']:.1f} ms at most ({result['max_work_ms']:.1f} ms of the loop's "
            "own CPU time)")  # fmt: skip


def report(figures: dict[str, Any]) -> None:
    idle, history, search = figures["idle"], figures["history"], figures["search"]
    rows = [
        ("idle RSS", f"{idle['rss_mb']:.0f} MB", ""),
        (f"idle CPU ({idle['seconds']:.0f} s)", f"{idle['cpu_percent']:.2f} %", TARGETS["idle CPU"]),
        ("idle wake-ups", f"{idle['wakeups_per_min']:.0f} a minute", "no polling timers"),
        (f"RSS, {history['notifications']:,} in history", f"{history['rss_mb']:.0f} MB", ""),
        ("the history window opened on them", f"+{search['opened_rss_growth_kb'] / 1024:.0f} MB", ""),
    ]  # fmt: skip
    for name, result in search["searches"].items():
        timing = f"{result['median_ms']:.1f} ms (max {result['max_ms']:.1f})"
        rows.append((f"search: {name}", f"{timing}; {_blocked(result)}",
                     TARGETS["search"]))  # fmt: skip
    pages = search["all_pages"]
    growth = pages["rss_growth_kb"] / 1024
    rows.append((f"every page ({pages['rows']:,} rows)", f"{pages['ms']:.0f} ms, +{growth:.0f} MB; {_blocked(pages)}",
                 ""))  # fmt: skip
    for key, label in (("burst", "history closed"), ("burst_history_open", "history open")):
        burst = figures[key]
        rows.append((f"{burst['accepted']:,} at once, {label}", f"{_blocked(burst)}, p99 {burst['p99_block_ms']:.1f} "
                     f"ms; all handled in {burst['handled_s']:.1f} s", TARGETS["loop block"]))  # fmt: skip
    print("| figure | measured | target |\n| --- | --- | --- |")
    for name, value, target in rows:
        print(f"| {name} | {value} | {target} |")
    print("\nwake-ups a minute by thread (idle):", json.dumps(idle["wakeups_per_min_by_thread"]))
    print(f"load average while measuring: {figures['load']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tray", description=__doc__)
    parser.add_argument("--idle-seconds", type=float, default=60.0, help="how long the idle app is watched")
    parser.add_argument("--history", type=int, default=10_000, help="notifications in the history")
    parser.add_argument("--burst", type=int, default=1_000, help="notifications sent at once")
    parser.add_argument("--repeats", type=int, default=5, help="times each search runs")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 s idle, 500 in history, 50 at once")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if args.quick:
        args.idle_seconds, args.history, args.burst, args.repeats = 2.0, 500, 50, 1
    with tempfile.TemporaryDirectory(prefix="bench-tray-") as tmp:
        folder = Path(tmp)
        clients = provision_hub(folder / "template", receivers=3, senders=1, cwd=REPO_DIR)
        hub = start_hub(None, folder / "template")
        try:
            tray_user, *burst_users = clients.receivers
            figures = {
                "idle": idle_figures(folder / "idle", hub.url, tray_user.user_id, str(tray_user.token),
                                     args.idle_seconds),
                "history": history_figures(folder / "history", hub.url, tray_user.user_id, str(tray_user.token),
                                           args.history),
                **in_process(folder, hub.url, burst_users, clients.senders[0], args),
            }  # fmt: skip
        finally:
            hub.stop()
    figures["load"] = " ".join(f"{v:.1f}" for v in os.getloadavg())
    report(figures)
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
