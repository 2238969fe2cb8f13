"""Pictures of the real app for the docs: what `make screenshots` uses (tests marked `screenshots`).

Each such test drives the real `notify-tray` on a virtual X screen (the `Desktop` of tests/support/e2e.py, with
a plain backdrop) and saves what it shows through the `shots` fixture (tests/desktop/conftest.py), cropped to
what the picture is about:

    await shots.reported("history", await reports.until({"event": "painted", "what": "history"}))
    await shots.window("compose", "Send a message")       # a window found by its title
    await shots.around("tray-menu", tray_panel, menu)       # the box around several things on screen
    await shots.region("corner", (880, 0, 400, 300))        # a part of the screen (`scale`: enlarged)
    await shots.around("bubbles", await shots.window_box_of_class("Dunst"))   # another program's window

The app reports where it draws things (`geometry` in its `painted` and `toast_painted` events), so a shot
needs no guessing. Pictures go to $SCREENSHOTS_DIR (docs/screenshots/ under `make screenshots`), else to
tests/artifacts/screenshots/ (git-ignored). Look at each one before committing it.

A scene that needs a LAN (hubs announcing themselves, the app hosting on every interface) runs its processes
in a network namespace of the test's own (tests/support/netns.py), as tests/desktop/test_screenshots_dialogs.py
does; one with the desktop's notification service starts dunst on the same screen (tests/support/dunst.py,
`dunst_on(desktop, folder, READABLE)`).

To add a picture: write an `async def test_...` marked `@pytest.mark.screenshots` that takes `shots` (and
`hub`), starts the app with `shots.app(...)`, drives it and calls one of the methods above; then show the
PNG in docs/desktop.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from desktop.net.http import login
from tests.support.e2e import ARTIFACTS, Camera, Desktop, Reports, tray_icon_centre, xdotool
from tests.support.hubs import Hub

SCREEN = (1280, 800)
MARGIN = 12  # around what a picture shows, so borders and shadows are not cut

Box = Sequence[int]  # x, y, width, height


def output_dir() -> Path:
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or ARTIFACTS / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def around(boxes: Iterable[Box], margin: int = MARGIN) -> tuple[int, int, int, int]:
    """The box holding all of `boxes`, `margin` wider on each side, kept on the screen."""
    boxes = list(boxes)
    left = max(0, min(b[0] for b in boxes) - margin)
    top = max(0, min(b[1] for b in boxes) - margin)
    right = min(SCREEN[0], max(b[0] + b[2] for b in boxes) + margin)
    bottom = min(SCREEN[1], max(b[1] + b[3] for b in boxes) + margin)
    return left, top, right - left, bottom - top


class Shots:
    """Saves named pictures of the virtual screen, cropped, into `folder`."""

    def __init__(self, desktop: Desktop, camera: Camera, folder: Path) -> None:
        self.desktop = desktop
        self.camera = camera
        self.folder = folder
        self.saved: list[Path] = []

    async def app(self, hub: Hub, *extra: str, toasts: Mapping[str, int] | None = None) -> tuple[Any, Reports]:
        """The app (with `extra` flags), signed in as alice (made here) and connected; its process and reports.
        `toasts` are settings of its [toasts] group (`burst_threshold`, `duration\\TYPE`...)."""
        await hub.user("alice", password="wonderland")
        token = (await login(hub.url, "alice", "wonderland", device="screenshots")).token
        await self.desktop.signed_in_device(hub.url, token, **(toasts or {}))
        app, reports = await self.desktop.launch_app(self.desktop.home / "data", *extra)
        await reports.until({"event": "state", "state": "connected"})
        return app, reports

    async def region(self, name: str, box: Box, *, scale: int = 1) -> Path:
        """That part of the screen (x, y, width, height), enlarged `scale` times (a tray icon is small)."""
        x, y, width, height = box
        path = await self.camera.shot(name, folder=self.folder, region=(x, y, width, height), scale=scale)
        self.saved.append(path)
        return path

    async def around(self, name: str, *boxes: Box, margin: int = MARGIN) -> Path:
        return await self.region(name, around(boxes, margin))

    async def reported(self, name: str, *events: dict[str, Any], margin: int = MARGIN) -> Path:
        """What the app reported drawing (`painted`, `toast_painted`: their `geometry`)."""
        return await self.around(name, *(e["geometry"] for e in events), margin=margin)

    async def window(self, name: str, title: str, margin: int = MARGIN) -> Path:
        return await self.around(name, await self.window_box(title), margin=margin)

    async def window_box(self, title: str) -> tuple[int, int, int, int]:
        """Where the window with this exact title is on screen (xdotool)."""
        return await self._box("--name", f"^{title}$")

    async def window_box_of_class(self, name: str) -> tuple[int, int, int, int]:
        """Where the window of another program (its X class, e.g. "Dunst") is on screen."""
        return await self._box("--class", f"^{name}$")

    async def _box(self, *search: str) -> tuple[int, int, int, int]:
        window = (await xdotool(self.desktop, "search", "--onlyvisible", *search)).split()[0]
        shell = await xdotool(self.desktop, "getwindowgeometry", "--shell", window)
        geometry = dict(line.split("=", 1) for line in shell.splitlines())
        return int(geometry["X"]), int(geometry["Y"]), int(geometry["WIDTH"]), int(geometry["HEIGHT"])


def tray_box(centre: tuple[int, int]) -> tuple[int, int, int, int]:
    """The tray host's panel around our icon (trayer: 24 x 32 pixels)."""
    x, y = centre
    return x - 12, y - 16, 24, 32


async def open_tray_menu(shots: Shots, reports: Reports) -> tuple[tuple[int, int], dict[str, Any]]:
    """A right click on the tray icon, near its bottom edge (the menu opens where the pointer is: below the
    icon, not over it): where the icon is, and the menu's `painted` report."""
    centre = await tray_icon_centre(shots.desktop)
    mark = len(reports.events)
    await xdotool(shots.desktop, "mousemove", str(centre[0]), str(centre[1] + 10), "click", "3")
    return centre, await reports.until({"event": "painted", "what": "menu"}, after=mark)
