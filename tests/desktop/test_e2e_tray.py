"""End to end: the real `notify-tray` process on a virtual X screen with a tray host and a real keyring.

The device was signed in ahead of time (its token is in gnome-keyring, the hub address and user in
QSettings), so the app starts silently signed in. A notification of each type is sent through the
real hub; the test waits for the app to report each toast, saves a screenshot of the screen as an
artifact (tests/artifacts/, git-ignored) and asserts on what the app reported.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from desktop.net.http import login
from tests.conftest import WAIT, Hub

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
TYPES = ["info", "success", "warning", "error", "message", "system"]
TOOLS = ("Xvfb", "trayer", "dbus-daemon", "gnome-keyring-daemon")

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in TOOLS),
    reason="needs xvfb, trayer, dbus-daemon and gnome-keyring (apt-get install --no-install-recommends ...)",
)


class Process:
    """A child process we started, stopped by its own pid at the end."""

    def __init__(self, proc: asyncio.subprocess.Process, name: str) -> None:
        self.proc = proc
        self.name = name

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
            try:
                await asyncio.wait_for(self.proc.wait(), WAIT)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        return self.proc.returncode if self.proc.returncode is not None else -1


async def start(
    name: str, *argv: str, env: dict[str, str], stdout: int | None = None, stdin: int | None = None
) -> Process:
    """Start a child; its stderr goes to tests/artifacts/NAME.log (a pipe nobody reads could block it)."""
    with (ARTIFACTS / f"{name}.log").open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            *argv, env=env, cwd=ROOT, stdin=stdin, stdout=stdout or asyncio.subprocess.DEVNULL, stderr=log
        )
    return Process(proc, name)


async def run(*argv: str, env: dict[str, str]) -> None:
    proc = await asyncio.create_subprocess_exec(
        *argv, env=env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(proc.communicate(), WAIT)
    assert proc.returncode == 0, f"{argv} failed: {err.decode(errors='replace')}"


class Reports:
    """Reads the app's JSON-lines report from its stdout as it comes."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.stream = stream
        self.events: list[dict[str, Any]] = []

    async def until(self, wanted: dict[str, Any]) -> dict[str, Any]:
        async def read() -> dict[str, Any]:
            for event in self.events:
                if wanted.items() <= event.items():
                    return event
            while True:
                line = await self.stream.readline()
                if not line:
                    raise AssertionError(f"the app exited before reporting {wanted}; saw {self.events}")
                received: dict[str, Any] = json.loads(line)
                self.events.append(received)
                if wanted.items() <= received.items():
                    return received

        return await asyncio.wait_for(read(), WAIT * 2)


async def test_notify_tray_shows_a_toast_per_type(hub: Hub, tmp_path: Path) -> None:
    await hub.user("alice", password="wonderland")
    bob = await hub.client(await hub.user("bob", admin=True))
    token = (await login(hub.url, "alice", "wonderland", device="e2e")).token

    home = tmp_path / "home"
    (home / ".config" / "lan-notify").mkdir(parents=True)
    (home / ".config" / "lan-notify" / "notify-tray.conf").write_text(
        f"[hub]\nurl={hub.url}\nusername=alice\n"
        "[toasts]\nburst_threshold=20\n"  # the test sends faster than a person reads: no summary here
    )
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS"}}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        PYTHONPATH=str(ROOT),
        QT_API="pyside6",
        QT_QPA_PLATFORM="xcb",
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    started: list[Process] = []
    try:
        screen = ["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"]
        xvfb = await start("Xvfb", *screen, env=env, stdout=asyncio.subprocess.PIPE)
        started.append(xvfb)
        assert xvfb.proc.stdout is not None
        display = (await asyncio.wait_for(xvfb.proc.stdout.readline(), WAIT)).decode().strip()
        env["DISPLAY"] = f":{display}"
        tray_host = ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32"]
        started.append(await start("trayer", *tray_host, "--SetDockType", "true", env=env))
        await run(sys.executable, "-m", "tests.desktop.x11_tools", "wait-tray", env=env)

        # Our own session bus (its pid is ours to stop); gnome-keyring lives as long as the bus does.
        bus = await start("dbus-daemon", "dbus-daemon", "--session", "--nofork", "--print-address=1", env=env,
                          stdout=asyncio.subprocess.PIPE)  # fmt: skip
        started.append(bus)
        assert bus.proc.stdout is not None
        env["DBUS_SESSION_BUS_ADDRESS"] = (await asyncio.wait_for(bus.proc.stdout.readline(), WAIT)).decode().strip()
        unlock = "echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1"
        await run("sh", "-c", unlock, env=env)
        # The device was signed in before: its token is in the keyring.
        await run(sys.executable, "-m", "tests.desktop.keyring_probe", "store",
                  env=dict(env, PROBE_HUB=hub.url, PROBE_USER="alice", PROBE_TOKEN=token))  # fmt: skip

        command = [sys.executable, "-m", "desktop.app", "--data-dir", str(tmp_path / "data"), "--report", "-"]
        app = await start("notify-tray", *command, env=env, stdout=asyncio.subprocess.PIPE)
        started.append(app)
        assert app.proc.stdout is not None
        reports = Reports(app.proc.stdout)

        started_event = await reports.until({"event": "started"})
        assert started_event["tray"] is True  # a real tray icon, not the fallback window
        await reports.until({"event": "signed_in", "user": "alice", "keyring": True})  # silently, from the keyring
        await reports.until({"event": "state", "state": "connected"})

        camera = await start("camera", sys.executable, "-m", "tests.desktop.x11_tools", "shots", env=env,
                             stdout=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.PIPE)  # fmt: skip
        started.append(camera)
        for ntype in TYPES:
            message = f"<b>{ntype}</b> from the e2e test"
            ack = await bob.call(
                "send_notification", {"to": "alice", "type": ntype, "title": f"{ntype} toast", "message": message}
            )
            assert ack["ok"], ack
            toast = await reports.until({"event": "toast", "style": ntype})
            assert toast["title"] == f"{ntype} toast"
            assert toast["message"] == message
            assert toast["notification_id"] == ack["id"]
            shot = ARTIFACTS / f"toast-{ntype}.png"
            camera.proc.stdin.write(f"{shot}\n".encode())  # type: ignore[union-attr]
            assert await asyncio.wait_for(camera.proc.stdout.readline(), WAIT) == b"ok\n"  # type: ignore[union-attr]
            assert shot.stat().st_size > 1000

        await reports.until({"event": "unread", "count": len(TYPES)})
        assert started_event["pid"] == app.proc.pid
        app.proc.send_signal(signal.SIGTERM)  # a logout or `kill`: the app quits cleanly
        await reports.until({"event": "quit"})
        assert await asyncio.wait_for(app.proc.wait(), WAIT) == 0
    finally:
        for process in reversed(started):
            await process.stop()
