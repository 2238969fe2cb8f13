"""The real `notify-tray` process, end to end: a virtual X screen (Xvfb) with a tray host (trayer), a session
bus of the test's own with an unlocked gnome-keyring, the app's `--report` lines read as they come, and
real keyboard and mouse input (xdotool). Each child is ours, stopped by its own pid at the end.

The `desktop` fixture (tests/desktop/conftest.py) yields a started `Desktop`; a test module that needs
it is marked `pytestmark = needs_desktop` (or `needs_xdotool`, to type and click).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.support.waiting import WAIT

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
TOOLS = ("Xvfb", "trayer", "dbus-daemon", "gnome-keyring-daemon")

needs_desktop = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in TOOLS),
    reason="needs xvfb, trayer, dbus-daemon and gnome-keyring (apt-get install --no-install-recommends ...)",
)
needs_xdotool = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in (*TOOLS, "xdotool")),
    reason="needs xvfb, trayer, dbus-daemon, gnome-keyring and xdotool (apt-get install --no-install-recommends ...)",
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


async def run(*argv: str, env: dict[str, str]) -> str:
    """Run a command to its end; returns its output (it must succeed)."""
    proc = await asyncio.create_subprocess_exec(
        *argv, env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), WAIT)
    assert proc.returncode == 0, f"{argv} failed: {err.decode(errors='replace')}"
    return out.decode()


class Reports:
    """Reads the app's JSON-lines report from its stdout as it comes."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.stream = stream
        self.events: list[dict[str, Any]] = []

    def matching(self, wanted: dict[str, Any]) -> list[dict[str, Any]]:
        return [event for event in self.events if wanted.items() <= event.items()]

    async def until(self, wanted: dict[str, Any], *, after: int = 0) -> dict[str, Any]:
        """The first reported event (from index `after` on) that has all of `wanted`'s items."""

        async def read() -> dict[str, Any]:
            for event in self.events[after:]:
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


class Camera:
    """Screenshots of the whole virtual screen, saved in tests/artifacts/ (one Qt process for all of them)."""

    def __init__(self, process: Process) -> None:
        self.process = process

    async def shot(
        self, name: str, *, folder: Path = ARTIFACTS, region: tuple[int, int, int, int] | None = None, scale: int = 1
    ) -> Path:
        """Save the screen (or `region`: x, y, width, height, enlarged `scale` times) as `folder`/NAME.png."""
        path = folder / f"{name}.png"
        stdin, stdout = self.process.proc.stdin, self.process.proc.stdout
        assert stdin is not None and stdout is not None
        where = " ".join(str(v) for v in (*region, scale)) if region else ""
        stdin.write(f"{path} {where}\n".encode())
        assert await asyncio.wait_for(stdout.readline(), WAIT) == b"ok\n"
        assert path.stat().st_size > 1000
        return path


class Desktop:
    """A virtual screen with a tray host, a session bus with an unlocked gnome-keyring, and our processes."""

    def __init__(self, home: Path) -> None:
        self.home = home
        home.mkdir(parents=True, exist_ok=True)  # gnome-keyring hangs on a missing HOME
        self.started: list[Process] = []
        self.env = {
            k: v for k, v in os.environ.items() if k not in {"PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS"}
        }
        self.env.update(
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_DATA_HOME=str(home / ".local" / "share"),
            PYTHONPATH=str(ROOT),
            QT_API="pyside6",
            QT_QPA_PLATFORM="xcb",
        )

    async def _line(self, process: Process) -> str:
        assert process.proc.stdout is not None
        return (await asyncio.wait_for(process.proc.stdout.readline(), WAIT)).decode().strip()

    async def start(self, *, wallpaper: bool = False) -> None:
        """Xvfb, a tray host, a session bus with an unlocked keyring; `wallpaper`: a plain backdrop under it all."""
        screen = ["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"]
        xvfb = await self.spawn("Xvfb", *screen, stdout=asyncio.subprocess.PIPE)
        self.env["DISPLAY"] = f":{await self._line(xvfb)}"
        if wallpaper:  # mapped first, so everything else is drawn over it
            backdrop = await self.spawn("wallpaper", sys.executable, "-m", "tests.support.x11_tools", "wallpaper",
                                        stdout=asyncio.subprocess.PIPE)  # fmt: skip
            assert await self._line(backdrop) == "ok"
        tray_host = ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32"]
        await self.spawn("trayer", *tray_host, "--SetDockType", "true")
        await run(sys.executable, "-m", "tests.support.x11_tools", "wait-tray", env=self.env)
        # Our own session bus (its pid is ours to stop); gnome-keyring lives as long as the bus does.
        bus = await self.spawn("dbus-daemon", "dbus-daemon", "--session", "--nofork", "--print-address=1",
                               stdout=asyncio.subprocess.PIPE)  # fmt: skip
        self.env["DBUS_SESSION_BUS_ADDRESS"] = await self._line(bus)
        unlock = "echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1"
        await run("sh", "-c", unlock, env=self.env)

    async def spawn(
        self,
        name: str,
        *argv: str,
        stdout: int | None = None,
        stdin: int | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Process:
        """Start a child of ours on this desktop (`env`: variables besides the desktop's), stopped at the end."""
        process = await start(name, *argv, env={**self.env, **(env or {})}, stdout=stdout, stdin=stdin)
        self.started.append(process)
        return process

    async def signed_in_device(self, hub_url: str, token: str, **toast_settings: int) -> None:
        """What a previous sign-in left: the token in the keyring, the hub and user in QSettings."""
        await run(sys.executable, "-m", "tests.support.keyring_probe", "store",
                  env=dict(self.env, PROBE_HUB=hub_url, PROBE_USER="alice", PROBE_TOKEN=token))  # fmt: skip
        conf = self.home / ".config" / "lan-notify" / "notify-tray.conf"
        conf.parent.mkdir(parents=True, exist_ok=True)
        toasts = "".join(f"{key}={value}\n" for key, value in toast_settings.items())
        conf.write_text(f"[hub]\nurl={hub_url}\nusername=alice\n[toasts]\n{toasts}")

    async def keyring_token(self, hub_url: str, user: str) -> str | None:
        """What the OS keyring (gnome-keyring on this bus) holds for hub + user, read by another process."""
        out = await run(sys.executable, "-m", "tests.support.keyring_probe", "lookup",
                        env=dict(self.env, PROBE_HUB=hub_url, PROBE_USER=user))  # fmt: skip
        token: str | None = json.loads(out)["token"]
        return token

    async def camera(self) -> Camera:
        process = await self.spawn("camera", sys.executable, "-m", "tests.support.x11_tools", "shots",
                                   stdout=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.PIPE)  # fmt: skip
        return Camera(process)

    async def launch_app(
        self, data_dir: Path, *extra: str, prefix: Sequence[str] = (), env: Mapping[str, str] | None = None
    ) -> tuple[Process, Reports]:
        """`notify-tray` with `extra` flags, run through `prefix` (e.g. tests/support/netns.py's `enter`, which
        execs: the same pid) with `env` besides the desktop's variables; its process and reports."""
        command = [*prefix, sys.executable, "-m", "desktop.app", "--data-dir", str(data_dir), "--report", "-", *extra]
        app = await self.spawn("notify-tray", *command, stdout=asyncio.subprocess.PIPE, env=env)
        assert app.proc.stdout is not None
        reports = Reports(app.proc.stdout)
        started = await reports.until({"event": "started"})
        assert started["pid"] == app.proc.pid
        assert started["tray"] is ("--no-tray" not in extra)  # a real tray icon, unless asked for the window
        return app, reports

    async def stop(self) -> None:
        for process in reversed(self.started):
            await process.stop()


async def quit_app(app: Process, reports: Reports) -> None:
    app.proc.send_signal(signal.SIGTERM)  # a logout or `kill`: the app quits cleanly
    await reports.until({"event": "quit"})
    assert await asyncio.wait_for(app.proc.wait(), WAIT) == 0


async def second_start(desktop: Desktop, data_dir: Path, *args: str) -> str:
    """Start `notify-tray` again: it hands its request to the running app and exits; returns what it said."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "desktop.app", "--data-dir", str(data_dir), *args, env=desktop.env, cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(proc.communicate(), WAIT)
    assert proc.returncode == 0 and b"already running" in err, err
    return err.decode()


async def xdotool(desktop: Desktop, *args: str) -> str:
    return (await run("xdotool", *args, env=desktop.env)).strip()


async def tray_icon_centre(desktop: Desktop) -> tuple[int, int]:
    """The middle of the tray host's panel once it holds an icon (ours: the only one), asked like qtbot.waitUntil."""

    async def panel() -> tuple[int, int, int, int]:
        found: list[tuple[int, int, int, int]] = []
        for window in (await xdotool(desktop, "search", "--class", "trayer")).split():
            shell = await xdotool(desktop, "getwindowgeometry", "--shell", window)
            geometry = dict(line.split("=", 1) for line in shell.splitlines())
            x, y, width, height = (int(geometry[key]) for key in ("X", "Y", "WIDTH", "HEIGHT"))
            found.append((x, y, width, height))
        return max(found, key=lambda g: g[2] * g[3])  # the panel, not trayer's hidden leader window

    async def wait() -> tuple[int, int]:
        while True:
            x, y, width, height = await panel()
            if width >= 16:  # an empty panel is 2 px wide
                return x + width // 2, y + height // 2
            await asyncio.sleep(0.05)

    return await asyncio.wait_for(wait(), WAIT)
