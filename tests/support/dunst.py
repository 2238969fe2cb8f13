"""A real notification service for tests: dunst on a virtual X screen and a D-Bus session bus of its own.

    async with dunst_session(tmp_path) as dunst:     # Xvfb + dbus-daemon + dunst, stopped at the end
        dunst.address                                # the session bus (DesktopNotifications.connect(bus=...))
        await dunst.displayed()                      # how many bubbles are on screen
        await dunst.history()                        # every bubble, after closing those on screen
        await dunst.click()                          # a click on the newest bubble: its "default" action
        await dunst.choose("Reply")                  # its context menu, as a person picks an entry
        dunst.menu()                                 # what that menu offered

    dunst = await dunst_on(desktop, tmp_path)        # or on the real app's screen and bus (tests/support/e2e.py)

dunst opens its context menu through dmenu; the stand-in here records the menu dunst offers and
picks the entry named by `choose`, so dunst itself sends the ActionInvoked signal. Its config marks
each urgency in the text it keeps ("critical|SUMMARY|BODY"), which `Entry.urgency` reads back: what
dunst understood, not what was sent.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jeepney import MatchRule
from jeepney.bus_messages import message_bus
from jeepney.io.asyncio import Proxy, open_dbus_router

from tests.support.e2e import Desktop
from tests.support.waiting import WAIT
from tests.support.x11 import first_line, spawn, stop, virtual_screen

TOOLS = ("Xvfb", "dbus-daemon", "dunst", "dunstctl")

needs_dunst = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in TOOLS),
    reason="needs xvfb, dbus-daemon and dunst (apt-get install --no-install-recommends xvfb dbus-daemon dunst)",
)

DMENU = """#!/bin/sh
# dunst's context menu on stdin; the entry whose text holds the wanted label goes back to dunst.
tee "$(dirname "$0")/menu.txt" | grep -m1 -F -- "$(cat "$(dirname "$0")/pick")"
"""
CONFIG = """[global]
    dmenu = {dmenu}
    history_length = 1000
    markup = full
    notification_limit = 0
[urgency_low]
    format = "low|%s|%b"
[urgency_normal]
    format = "normal|%s|%b"
[urgency_critical]
    format = "critical|%s|%b"
"""

#: What a person might choose, for pictures (tests/desktop/test_screenshots.py): a column of cards in the top
#: right corner below the tray host's panel, the summary in bold, "(A)" where a bubble has actions.
READABLE = """[global]
    dmenu = {dmenu}
    font = "DejaVu Sans 10"
    width = 380
    height = 300
    origin = top-right
    offset = 12x44
    notification_limit = 0
    padding = 10
    horizontal_padding = 12
    text_icon_padding = 12
    frame_width = 2
    separator_height = 1
    separator_color = "#cbd5e1"
    markup = full
    format = "<b>%s</b>\\n%b"
    word_wrap = yes
    show_indicators = yes
    icon_position = left
    min_icon_size = 32
    max_icon_size = 32
    history_length = 1000
[urgency_low]
    background = "#ffffff"
    foreground = "#0f172a"
    frame_color = "#94a3b8"
[urgency_normal]
    background = "#ffffff"
    foreground = "#0f172a"
    frame_color = "#94a3b8"
[urgency_critical]
    background = "#fef2f2"
    foreground = "#7f1d1d"
    frame_color = "#dc2626"
"""


@dataclass(frozen=True)
class Entry:
    """One bubble as dunst keeps it in its history."""

    id: int
    summary: str
    body: str
    urgency: str
    appname: str
    category: str
    timeout_ms: int
    icon_path: str

    @classmethod
    def from_history(cls, data: dict[str, Any]) -> Entry:
        value = {key: field["data"] for key, field in data.items()}
        return cls(
            id=int(value["id"]),
            summary=str(value["summary"]),
            body=str(value["body"]),
            urgency=str(value["message"]).split("|", 1)[0],
            appname=str(value["appname"]),
            category=str(value["category"]),
            timeout_ms=int(value["timeout"]) // 1000,  # dunst keeps microseconds
            icon_path=str(value["icon_path"]),
        )


class Dunst:
    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.address = env["DBUS_SESSION_BUS_ADDRESS"]

    async def ctl(self, *args: str) -> str:
        proc = await asyncio.create_subprocess_exec(
            "dunstctl", *args, env=self.env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        out, err = await asyncio.wait_for(proc.communicate(), WAIT)
        assert proc.returncode == 0, f"dunstctl {args} failed: {err.decode(errors='replace')}"
        return out.decode()

    async def displayed(self) -> int:
        return int((await self.ctl("count", "displayed")).strip())

    async def history(self) -> list[Entry]:
        """Every bubble so far, newest first: those on screen are closed first (dunst keeps closed ones)."""
        await self.ctl("close-all")
        data = json.loads(await self.ctl("history"))
        return [Entry.from_history(entry) for entry in data["data"][0]]

    async def click(self) -> None:
        """The newest bubble's default action, as a click on it."""
        await self.ctl("action", "0")

    async def choose(self, label: str) -> None:
        """Open dunst's context menu and pick the entry with `label` (dunst answers when it has the pick)."""
        (self.folder / "pick").write_text(label)
        await self.ctl("context")

    def menu(self) -> list[str]:
        """The context menu dunst offered last (read it once its pick has been answered)."""
        return (self.folder / "menu.txt").read_text().splitlines()


async def wait_for_service(address: str, name: str = "org.freedesktop.Notifications") -> None:
    """Return once `name` has an owner on the bus: at once, or when the bus says so (NameOwnerChanged)."""
    async with open_dbus_router(address) as router:
        bus = Proxy(message_bus, router)
        rule = MatchRule(type="signal", sender="org.freedesktop.DBus", interface="org.freedesktop.DBus",
                         member="NameOwnerChanged", path="/org/freedesktop/DBus")  # fmt: skip
        rule.add_arg_condition(0, name)
        with router.filter(rule, bufsize=10) as owners:
            await bus.AddMatch(rule)
            (owned,) = await bus.NameHasOwner(name)
            while not owned:
                message = await asyncio.wait_for(owners.get(), WAIT)
                owned = bool(message.body[2])  # (name, old owner, new owner)


def configure(folder: Path, config: str = CONFIG) -> Path:
    """dunst's config (`config`, with a `{dmenu}` field) and the dmenu stand-in in `folder`; the config's path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dmenu").write_text(DMENU)
    (folder / "dmenu").chmod(0o755)
    (folder / "pick").write_text("")
    (folder / "dunstrc").write_text(config.format(dmenu=folder / "dmenu"))
    return folder / "dunstrc"


async def dunst_on(desktop: Desktop, folder: Path, config: str = CONFIG) -> Dunst:
    """dunst on a started `Desktop` (tests/support/e2e.py: its screen and session bus), stopped with it."""
    await desktop.spawn("dunst", "dunst", "-config", str(configure(folder, config)))
    await wait_for_service(desktop.env["DBUS_SESSION_BUS_ADDRESS"])
    return Dunst(folder, desktop.env)


@asynccontextmanager
async def dunst_session(folder: Path, *, start: bool = True) -> AsyncIterator[Dunst]:
    """Xvfb, a session bus and dunst, all ours (stopped by their own pids at the end). Without `start`, dunst
    is not started: the bus can still start it by D-Bus activation, and it ends with the bus."""
    config = configure(folder)
    env = {k: v for k, v in os.environ.items() if k not in {"DBUS_SESSION_BUS_ADDRESS", "DISPLAY"}}
    env["XDG_CONFIG_HOME"] = str(folder / "config")  # an activated dunst reads no dunstrc of the developer's
    async with virtual_screen(folder, 800, 600, env) as display:
        env["DISPLAY"] = display
        bus = await spawn("dbus", folder, "dbus-daemon", "--session", "--nofork", "--print-address=1", env=env)
        started = [bus]
        try:
            env["DBUS_SESSION_BUS_ADDRESS"] = await first_line(bus)
            if start:
                started.append(await spawn("dunst", folder, "dunst", "-config", str(config), env=env))
                await wait_for_service(env["DBUS_SESSION_BUS_ADDRESS"])
            yield Dunst(folder, env)
        finally:
            for proc in reversed(started):
                await stop(proc)
