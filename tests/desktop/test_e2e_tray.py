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
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from desktop.net.http import login
from hub.accounts import Accounts
from hub.app import STORE
from hub.server import RunningHub
from tests.conftest import WAIT, Client, Hub, make_config

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

    async def spawn(self, name: str, *argv: str, stdout: int | None = None, stdin: int | None = None) -> Process:
        process = await start(name, *argv, env=self.env, stdout=stdout, stdin=stdin)
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

    async def launch_app(self, data_dir: Path, *extra: str) -> tuple[Process, Reports]:
        command = [sys.executable, "-m", "desktop.app", "--data-dir", str(data_dir), "--report", "-", *extra]
        app = await self.spawn("notify-tray", *command, stdout=asyncio.subprocess.PIPE)
        assert app.proc.stdout is not None
        reports = Reports(app.proc.stdout)
        started = await reports.until({"event": "started"})
        assert started["pid"] == app.proc.pid
        assert started["tray"] is ("--no-tray" not in extra)  # a real tray icon, unless asked for the window
        return app, reports

    async def stop(self) -> None:
        for process in reversed(self.started):
            await process.stop()


@pytest.fixture
async def desktop(tmp_path: Path) -> AsyncIterator[Desktop]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screen = Desktop(tmp_path / "home")
    try:
        await screen.start()
        yield screen
    finally:
        await screen.stop()


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


async def test_notify_tray_shows_a_toast_per_type(hub: Hub, desktop: Desktop, tmp_path: Path) -> None:
    await hub.user("alice", password="wonderland")
    bob = await hub.client(await hub.user("bob", admin=True))
    token = (await login(hub.url, "alice", "wonderland", device="e2e")).token
    # More than 6 within a second is a burst: the six types one by one are not, 50 at once are.
    await desktop.signed_in_device(hub.url, token, burst_threshold=6)

    data = tmp_path / "data"
    app, reports = await desktop.launch_app(data)
    await reports.until({"event": "signed_in", "user": "alice", "keyring": True})  # silently, from the keyring
    await reports.until({"event": "state", "state": "connected"})

    camera = await desktop.camera()
    ids = []
    for ntype in TYPES:
        message = f"<b>{ntype}</b> from the e2e test"
        ack = await bob.call(
            "send_notification", {"to": "alice", "type": ntype, "title": f"{ntype} toast", "message": message}
        )
        assert ack["ok"], ack
        ids.append(ack["id"])
        toast = await reports.until({"event": "toast", "style": ntype})
        assert toast["title"] == f"{ntype} toast"
        assert toast["message"] == message  # plain text, as sent
        assert toast["notification_id"] == ack["id"]
        await reports.until({"event": "toast_painted", "notification_id": ack["id"]})  # on screen, not just made
        await camera.shot(f"toast-{ntype}")
    await reports.until({"event": "unread", "count": len(TYPES)})

    # A burst (50 at once) does not bury the screen: one summary toast counts them.
    acks = await asyncio.gather(*(
        bob.call("send_notification", {"to": "alice", "type": "warning" if i % 10 == 0 else "info",
                                       "title": f"build {i}", "message": "done"})
        for i in range(50)
    ))  # fmt: skip
    assert all(a["ok"] for a in acks), acks
    newest = max(a["id"] for a in acks)
    mark = len(reports.events)
    await reports.until({"event": "unread", "count": len(TYPES) + 50})
    await reports.until({"event": "toast_painted", "notification_id": newest}, after=mark)  # the last one is on screen
    changed = [e for e in reports.events[mark:] if e["event"] in {"toast", "toast_updated"}]
    summaries = [e for e in changed if e["kind"] == "summary"]
    assert len([e for e in summaries if e["event"] == "toast"]) == 1, summaries  # one summary, updated in place
    final = summaries[-1]
    assert final["notification_id"] == newest
    assert final["count"] > 6 and final["title"] == f"{final['count']} new notifications"
    assert "info" in final["message"] and "warning" in final["message"]
    await camera.shot("toast-burst")

    # A second start brings this one forward: the history, newest first, unread in bold.
    said = await second_start(desktop, data)
    assert "brought it forward" in said
    shown = await reports.until({"event": "history_shown", "notification_id": None})
    assert shown["rows"] == len(TYPES) + 50
    await reports.until({"event": "painted", "what": "history"})
    await camera.shot("history")

    # The settings dialog, asked for from the command line the same way.
    await second_start(desktop, data, "--settings")
    await reports.until({"event": "painted", "what": "settings"})
    await camera.shot("settings")
    await quit_app(app, reports)


async def test_notify_tray_across_a_hub_restart_shows_everything_once(desktop: Desktop, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = make_config(tmp_path / "hub", port=port)
    hub = RunningHub(config)
    url = await hub.start()
    senders: list[Client] = []

    async def send(ntype: str, *, alice_online: bool = True) -> int:
        bob = Client(url)
        senders.append(bob)
        await bob.connect({"token": (await login(url, "bob", "builder")).token})
        assert ("alice" in (await bob.next("welcome"))["online"]) is alice_online  # the hub's view of her app
        ack = await bob.call("send_notification", {"to": "alice", "type": ntype, "title": ntype, "message": "m"})
        assert ack["ok"], ack
        await bob.close()
        return int(ack["id"])

    try:
        accounts = Accounts(hub.app[STORE])
        await accounts.add_user("alice", "wonderland", admin=False)
        await accounts.add_user("bob", "builder", admin=False)
        await desktop.signed_in_device(url, (await login(url, "alice", "wonderland")).token)
        app, reports = await desktop.launch_app(tmp_path / "data")
        await reports.until({"event": "state", "state": "connected"})
        first = await send("info")
        await reports.until({"event": "toast", "notification_id": first})

        await hub.stop()
        mark = len(reports.events)
        await reports.until({"event": "state", "state": "reconnecting"}, after=mark)
        # The computer sleeps: the app cannot come back until it wakes, whatever its backoff says.
        app.proc.send_signal(signal.SIGSTOP)
        try:
            hub = RunningHub(config)
            assert await hub.start() == url
            queued = await send("warning", alice_online=False)  # sent while the app is away: the hub queues it
        finally:
            app.proc.send_signal(signal.SIGCONT)
        await reports.until({"event": "state", "state": "connected"}, after=mark)
        live = await send("error")
        await reports.until({"event": "toast", "notification_id": live})
        await reports.until({"event": "unread", "count": 3})

        shown = [e["notification_id"] for e in reports.matching({"event": "toast"})]
        assert shown == [first, queued, live]  # each once, none twice
        await quit_app(app, reports)
    finally:
        for sender in senders:
            await sender.close()
        await hub.stop()


async def test_without_a_tray_the_status_window_shows_state_and_unread(
    hub: Hub, desktop: Desktop, tmp_path: Path
) -> None:
    await hub.user("alice", password="wonderland")
    bob = await hub.client(await hub.user("bob"))
    await desktop.signed_in_device(hub.url, (await login(hub.url, "alice", "wonderland")).token)
    app, reports = await desktop.launch_app(tmp_path / "data", "--no-tray")  # as on a desktop without a tray
    await reports.until({"event": "state", "state": "connected"})
    ack = await bob.call("send_notification", {"to": "alice", "type": "success", "title": "Backup", "message": "done"})
    await reports.until({"event": "unread", "count": 1})
    await reports.until({"event": "toast_painted", "notification_id": ack["id"]})
    await reports.until({"event": "painted", "what": "status"})
    camera = await desktop.camera()
    await camera.shot("status-window")
    await quit_app(app, reports)
