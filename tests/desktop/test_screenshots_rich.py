"""`make screenshots`: rich notifications in the real tray app under Xvfb, for docs/desktop.md: a toast with
the sender's buttons, a Markdown toast, an urgent one, an answer to what alice sent, and the history's detail
pane with the buttons and the answers so far.

The hub here is the stand-in of tests/support/fakehub.py, which speaks the wire format docs/protocol.md
describes for rich notifications (it stages bob's answer on cue, with no client of bob's); the app is the
real `notify-tray`, driven as a person would.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.e2e import needs_xdotool, quit_app, xdotool
from tests.support.fakehub import FakeHub
from tests.support.shots import Shots
from tests.support.tray_shots import TOAST_MARGIN, painted, start

pytestmark = [pytest.mark.screenshots, needs_xdotool]

DEPLOY: dict[str, Any] = {
    "title": "Deploy api 2.14 to prod?",
    "message": "Staging is **green**: 412 tests passed, p95 at *180 ms*.\n\n"
    "See the [changelog](https://git.lan/api/releases/2.14).",
    "format": "markdown",
    "priority": "high",
    "actions": [
        {"action": "respond", "label": "Approve"},
        {"action": "respond", "label": "Reject"},
        {"action": "view", "label": "Pipeline", "url": "https://ci.lan/pipelines/118"},
    ],
}
NOTES: dict[str, Any] = {
    "title": "Release notes: api 2.14",
    "message": "**api 2.14** is out:\n\n- `POST /refunds` takes a *currency*\n- search is twice as fast\n\n"
    "> Thanks to the payments team!",
    "format": "markdown",
}
URGENT: dict[str, Any] = {
    "title": "Replica lag 45 s on db-2",
    "message": "Reads from db-2 are stale. Failover starts in 5 min unless someone acks.",
    "priority": "urgent",
    "click": "https://grafana.lan/d/db-replicas",
}


async def test_rich_toasts_an_answer_and_the_history_detail(fake_hub: FakeHub, shots: Shots) -> None:
    fake = fake_hub
    app, reports = await start(shots, fake)

    notes = await fake.send("alice", "info", **NOTES)
    await shots.reported("toast-markdown", await painted(reports, notes["id"]), margin=TOAST_MARGIN)

    urgent = await fake.send("alice", "error", **URGENT)
    urgent_toast = await painted(reports, urgent["id"])
    await shots.reported("toast-urgent", urgent_toast, margin=TOAST_MARGIN)

    # A click on it: it has a click target, so the app first says where the link goes (Cancel is the default).
    x, y, width, _ = urgent_toast["geometry"]
    await xdotool(shots.desktop, "mousemove", str(x + width // 3), str(y + 18), "click", "1")
    await reports.until({"event": "link_asked", "notification_id": urgent["id"], "where": "grafana.lan"})
    await xdotool(shots.desktop, "search", "--sync", "--onlyvisible", "--name", "^Open a link$")
    await shots.window("link-question", "Open a link")
    await xdotool(shots.desktop, "search", "--onlyvisible", "--name", "^Open a link$", "windowfocus", "--sync")
    await xdotool(shots.desktop, "key", "Escape")
    await reports.until({"event": "link_declined", "notification_id": urgent["id"]})

    # What alice asked carol earlier: carol's answer pops up as a toast of its own.
    asked = fake.make("carol", "message", title="Can you take the 14:00 on-call swap?", message="Thursday only.")
    asked.update({"from": "alice", "sender": "alice", "actions": [{"action": "respond", "label": "Yes"}]})
    fake.stored.append(asked)
    await fake.answer(asked, by="carol", label="Yes")
    toast = await reports.until(
        {"event": "toast", "kind": "notice", "title": "carol: Yes — Can you take the 14:00 on-call swap?"}
    )
    await shots.reported("toast-answer", await reports.until({"event": "toast_painted", "notification_id": None}),
                         margin=TOAST_MARGIN)  # fmt: skip
    assert toast["message"] == "carol answered your notification: Can you take the 14:00 on-call swap?"

    # The newest, nearest the corner: a question with the sender's buttons.
    deploy = await fake.send("alice", "warning", **DEPLOY)
    shown = await painted(reports, deploy["id"])
    await shots.reported("toast-buttons", shown, margin=TOAST_MARGIN)

    # dave, in the same team, answered it; then alice opens it from its toast (a click on its title).
    answer = {"id": fake.next_id(), "notification_id": deploy["id"], "label": "Approve", "from": "dave",
              "to": "bob", "title": DEPLOY["title"], "room": None, "timestamp": "2026-12-07T09:14:02.000Z"}  # fmt: skip
    await fake.emit_all("response", answer)
    x, y, width, _ = shown["geometry"]
    await xdotool(shots.desktop, "mousemove", str(x + width // 3), str(y + 18), "click", "1")
    await reports.until({"event": "history_opened", "notification_id": deploy["id"]})
    await shots.reported("history-buttons", await reports.until({"event": "painted", "what": "history"}))
    await quit_app(app, reports)
