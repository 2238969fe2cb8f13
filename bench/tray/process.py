"""The real `notify-tray` as a process of its own (offscreen Qt), signed in to a hub, and what it costs.

Memory is the process's resident set (VmRSS); CPU is user + system time; wake-ups are the context
switches of all its threads (a thread that sleeps and wakes switches once: a polling timer shows).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.servers import REPO_DIR, BenchError

START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Sample:
    rss_kb: int
    cpu_s: float
    switches: dict[str, int]  # per thread name ("python", "history_0", "QXcbEventQueue"...)

    @property
    def total_switches(self) -> int:
        return sum(self.switches.values())


def sample(pid: int) -> Sample:
    status = Path(f"/proc/{pid}/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    switches: dict[str, int] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            lines = (task / "status").read_text().splitlines()
        except OSError:
            continue  # a thread that ended meanwhile
        count = sum(int(line.split()[1]) for line in lines if "ctxt_switches" in line)
        switches[name] = switches.get(name, 0) + count
    return Sample(rss_kb=rss, cpu_s=cpu, switches=switches)


@dataclass
class AppProcess:
    proc: subprocess.Popen[str]
    events: list[dict[str, Any]] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, wanted: Callable[[dict[str, Any]], bool], timeout: float = START_TIMEOUT_S) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            return next((e for e in self.events if wanted(e)), None)

        with self.changed:
            if not self.changed.wait_for(lambda: found() is not None or self.proc.poll() is not None, timeout):
                raise BenchError(f"notify-tray did not report what the bench waits for; saw {self.events[-5:]}")
        event = found()
        if event is None:
            raise BenchError(f"notify-tray exited ({self.proc.returncode}); saw {self.events[-5:]}")
        return event

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(20)


def app_env(home: Path, token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAN_NOTIFY_", "DISPLAY", "WAYLAND"))}
    env.update(
        HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local" / "share"),
        QT_QPA_PLATFORM="offscreen", QT_API="pyside6", PYTHONPATH=str(REPO_DIR),
        DBUS_SESSION_BUS_ADDRESS="disabled:",  # no session bus: nothing spawns one
        PYTHON_KEYRING_BACKEND="bench.tray.keyring_env.EnvKeyring", BENCH_TRAY_TOKEN=token,
    )  # fmt: skip
    return env


def launch(home: Path, data_dir: Path, hub_url: str, user: str, token: str) -> AppProcess:
    """`notify-tray --no-tray` signed in (the hub and user in its settings, the token in its keyring)."""
    conf = home / ".config" / "lan-notify" / "notify-tray.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(f"[hub]\nurl={hub_url}\nusername={user}\n")
    argv = [sys.executable, "-m", "desktop.app", "--data-dir", str(data_dir), "--report", "-", "--no-tray"]
    proc = subprocess.Popen(argv, cwd=REPO_DIR, env=app_env(home, token), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)  # fmt: skip
    app = AppProcess(proc)

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            with app.changed:
                app.events.append(json.loads(line))
                app.changed.notify_all()
        with app.changed:
            app.changed.notify_all()

    threading.Thread(target=read, name="notify-tray-report", daemon=True).start()
    return app
