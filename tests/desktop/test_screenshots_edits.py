"""`make screenshots`: a notification updated by its sender's key, in the real tray app under Xvfb, for
docs/desktop.md: the toast of "Build 119 running…" becomes "Build 119 passed" in place (no second
toast), and the history lists the new version, marked edited.

The hub is the stand-in of tests/support/fakehub.py, sending the wire format docs/protocol.md
describes in "Update and retract by key"; the app is the real `notify-tray`.
"""

from __future__ import annotations

import pytest

from tests.support.e2e import needs_xdotool, quit_app, xdotool
from tests.support.fakehub import FakeHub
from tests.support.shots import Shots
from tests.support.tray_shots import TOAST_MARGIN, painted, start

pytestmark = [pytest.mark.screenshots, needs_xdotool]

BUILD = {"title": "Build 119 · api", "from": "ci", "sender": "ci", "key": "build-119"}


async def test_an_edited_toast_and_its_history_entry(fake_hub: FakeHub, shots: Shots) -> None:
    fake = fake_hub
    app, reports = await start(shots, fake)
    await fake.send("alice", "message", title="Lunch?", message="Noodles at 12:30, anyone?")
    running = await fake.send("alice", "info", message="Running: 312 of 412 tests done…", **BUILD)
    first = await painted(reports, running["id"])

    passed = await fake.send(
        "alice", "success", message="Passed: 412 tests in 3 min 12 s.", replaces=running["id"], edited=True, **BUILD
    )
    edited = await painted(reports, passed["id"])
    assert edited["geometry"] == first["geometry"]  # the same toast, in place
    await shots.reported("toast-edited", edited, margin=TOAST_MARGIN)

    x, y, width, _ = edited["geometry"]
    await xdotool(shots.desktop, "mousemove", str(x + width // 3), str(y + 18), "click", "1")
    await reports.until({"event": "history_opened", "notification_id": passed["id"]})
    await shots.reported("history-edited", await reports.until({"event": "painted", "what": "history"}))
    await quit_app(app, reports)
