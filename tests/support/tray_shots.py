"""The tray app under Xvfb for the screenshot tests: signed in to the stand-in hub with toasts that stay
long enough to be photographed, and a wait for a notification's toast on screen."""

from __future__ import annotations

from typing import Any

from desktop.net.http import login
from tests.support.e2e import Reports
from tests.support.fakehub import FakeHub
from tests.support.shots import Shots

TOAST_MARGIN = 6
LONG_TOASTS = {f"duration\\{ntype}": 600 for ntype in ("info", "success", "warning", "message")}


async def start(shots: Shots, fake: FakeHub) -> tuple[Any, Reports]:
    token = (await login(fake.url, "alice", "wonderland", device="screenshots")).token
    await shots.desktop.signed_in_device(fake.url, token, **LONG_TOASTS)
    app, reports = await shots.desktop.launch_app(shots.desktop.home / "data")
    await reports.until({"event": "state", "state": "connected"})
    return app, reports


async def painted(reports: Reports, notification_id: int) -> dict[str, Any]:
    return await reports.until({"event": "toast_painted", "notification_id": notification_id})
