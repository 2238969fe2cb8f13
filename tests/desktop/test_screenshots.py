"""`make screenshots`: the real tray app under Xvfb, pictured for docs/desktop.md and the README.

Not in the default run (marker `screenshots`). Each test drives the app as a person would and saves what it
shows (tests/support/shots.py says how, and how to add a picture). What it checks is only that each scene
was reached; the pictures are for people to look at.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.support.clients import Client
from tests.support.dunst import READABLE, dunst_on
from tests.support.e2e import Reports, needs_xdotool, quit_app, second_start, xdotool
from tests.support.hubs import Hub
from tests.support.shots import Shots, around, open_tray_menu, tray_box

pytestmark = [pytest.mark.screenshots, needs_xdotool]  # and dunst for the last one (bootstrap installs it)

#: One notification of each type, as a team would send them (emoji and a long body included).
SAMPLES: dict[str, dict[str, str]] = {
    "info": {"title": "Nightly backup finished", "message": "1.2 GB copied to nas-01 in 4 min."},
    "success": {"title": "Deployed to staging 🎉", "message": "api v2.14.0 is live on staging-3."},
    "warning": {"title": "Disk almost full on build-7",
                "message": "/var is at 91 %. Artifacts older than a week are removed tonight at 02:00."},
    "error": {"title": "Build #1482 failed on main",
              "message": "test_payments.py::test_refund_in_two_currencies FAILED\n"
                         + "AssertionError: expected 12.50 EUR, got 12.49 EUR " * 12},
    "message": {"message": "Lunch at 12:30? 🍕 The new place on Main Street has a table for six."},
    "system": {"title": "Hub maintenance at 18:00",
               "message": "The hub restarts for an upgrade: about a minute offline."},
}  # fmt: skip
TOAST_MARGIN = 6  # less than the gap between toasts: the picture shows one, not a sliver of the next
LONG_TOASTS = {f"duration\\{ntype}": 600 for ntype in SAMPLES}  # nothing leaves while the pictures are taken


async def send(bob: Client, ntype: str, **fields: str) -> int:
    ack = await bob.call("send_notification", {"to": "alice", "type": ntype, **fields})
    assert ack["ok"], ack
    return int(ack["id"])


async def painted(reports: Reports, notification_id: int) -> dict[str, Any]:
    return await reports.until({"event": "toast_painted", "notification_id": notification_id})


async def test_the_tray_menu_each_toast_and_do_not_disturb(hub: Hub, shots: Shots) -> None:
    bob = await hub.client(await hub.user("bob", admin=True))  # an admin: he may send `system` too
    app, reports = await shots.app(hub, toasts={"burst_threshold": 6, **LONG_TOASTS})

    # The tray menu, opened with a right click on the icon.
    centre, menu = await open_tray_menu(shots, reports)
    await shots.around("tray-menu", tray_box(centre), menu["geometry"])
    await xdotool(shots.desktop, "key", "Escape")

    # Do not disturb on: the icon wears a moon, the menu says until when.
    await second_start(shots.desktop, shots.desktop.home / "data", "--dnd", "hour")
    await reports.until({"event": "dnd", "active": True})
    await shots.region("tray-icon-dnd", around([tray_box(centre)], margin=8), scale=4)
    centre, main = await open_tray_menu(shots, reports)
    mark = len(reports.events)
    await xdotool(shots.desktop, "key", "Down", "Down", "Down", "Down", "Right")  # to "Do not disturb", open it
    sub = await reports.until({"event": "painted", "what": "menu:dnd"}, after=mark)
    await shots.around("dnd-on", tray_box(centre), main["geometry"], sub["geometry"])
    await xdotool(shots.desktop, "key", "Escape", "Escape")
    await second_start(shots.desktop, shots.desktop.home / "data", "--dnd", "off")
    await reports.until({"event": "dnd", "active": False})

    # Each type, as it pops up; then the column they make ("+2 more" under the newest four).
    first: dict[str, Any] = {}
    for ntype, fields in SAMPLES.items():
        event = await painted(reports, await send(bob, ntype, **fields))
        first = first or event
        await shots.reported(f"toast-{ntype}", event, margin=TOAST_MARGIN)
    newest = event["geometry"]
    column = (newest[0], first["geometry"][1], newest[2], 4 * 120)  # the newest four and the line under them
    await shots.around("toasts", column)
    await quit_app(app, reports)


async def test_a_burst_summary(hub: Hub, shots: Shots) -> None:
    bob = await hub.client(await hub.user("bob"))
    app, reports = await shots.app(hub)
    sent = await asyncio.gather(*(send(bob, "warning" if i % 7 == 0 else "info", title=f"CI job {i} done",
                                       message="passed") for i in range(30)))  # fmt: skip
    summary = await reports.until({"event": "toast", "kind": "summary"})
    assert summary["count"] > 5
    await shots.reported("toast-burst", await painted(reports, max(sent)), margin=TOAST_MARGIN)
    await quit_app(app, reports)


async def test_compose_and_the_history_with_its_detail_pane(hub: Hub, shots: Shots) -> None:
    bob = await hub.client(await hub.user("bob", admin=True))
    app, reports = await shots.app(hub, toasts=LONG_TOASTS)

    # The compose dialog, to bob, as a message (typed for real); Esc closes it.
    await second_start(shots.desktop, shots.desktop.home / "data", "--compose", "bob")
    await reports.until({"event": "painted", "what": "compose"})
    await xdotool(shots.desktop, "search", "--name", "^Send a message$", "windowfocus", "--sync")
    await xdotool(shots.desktop, "type", "--delay", "5", "12:30 works, see you there 👍")
    await shots.window("compose", "Send a message")
    await xdotool(shots.desktop, "key", "Escape")

    ids = {ntype: await send(bob, ntype, **fields) for ntype, fields in SAMPLES.items() if ntype != "error"}
    ids["error"] = await send(bob, "error", **SAMPLES["error"])  # the newest: on top of the toasts

    # A click on the failed build's toast opens the history at it: the whole text shows in the pane below.
    x, y, width, height = (await painted(reports, ids["error"]))["geometry"]
    await xdotool(shots.desktop, "mousemove", str(x + width // 2), str(y + height // 2), "click", "1")
    await reports.until({"event": "history_shown", "notification_id": ids["error"]})
    await shots.reported("history", await reports.until({"event": "painted", "what": "history"}))
    await quit_app(app, reports)


async def test_compose_sending_later(hub: Hub, shots: Shots) -> None:
    await hub.user("bob")
    app, reports = await shots.app(hub)

    # To bob, typed for real; Tab past the receipt box to "When", End picks its last choice ("At a time…"):
    # 17:00 by default.
    await second_start(shots.desktop, shots.desktop.home / "data", "--compose", "bob")
    await reports.until({"event": "painted", "what": "compose"})
    await xdotool(shots.desktop, "search", "--name", "^Send a message$", "windowfocus", "--sync")
    await xdotool(shots.desktop, "type", "--delay", "5", "Stand-up in 5 minutes, room 2")
    await xdotool(shots.desktop, "key", "Tab", "Tab", "Tab", "Tab", "Tab", "Tab", "End")
    await shots.window("compose-later", "Send a message")
    await xdotool(shots.desktop, "key", "Escape")
    await quit_app(app, reports)


async def test_scheduled_sends(hub: Hub, shots: Shots) -> None:
    await hub.user("bob")
    app, reports = await shots.app(hub)
    alice = await hub.client(await hub.token("alice"))
    assert (await alice.call("join_room", {"room": "ops"}))["ok"]
    for body in (
        {"to": "bob", "message": "Stand-up in 5 minutes, room 2", "delay": "25m", "key": "tray-5f0c2a9e41d7"},
        {"room": "ops", "title": "Deploy api 2.14", "message": "Starts now: expect 2 minutes of 503s.",
         "delay": "2h", "key": "deploy-api"},
        {"to": "bob", "title": "Reminder", "message": "Renew the TLS certificate of hub.lan", "delay": "3d"},
    ):  # fmt: skip
        event = "room_message" if "room" in body else "send_notification"
        ack = await alice.call(event, body)
        assert ack["ok"] and ack["scheduled"], ack

    # "Scheduled sends…" (here from a second start: the menu item does the same); the last has no key.
    await second_start(shots.desktop, shots.desktop.home / "data", "--scheduled")
    await reports.until({"event": "scheduled_shown"})
    await shots.reported("scheduled", await reports.until({"event": "painted", "what": "scheduled"}))
    await quit_app(app, reports)


async def test_system_notifications_in_dunst(hub: Hub, shots: Shots, tmp_path: Path) -> None:
    dunst = await dunst_on(shots.desktop, tmp_path / "dunst", READABLE)
    bob = await hub.client(await hub.user("bob"), name="bob")
    app, reports = await shots.app(hub)
    assert (await reports.until({"event": "notifications"}))["show_as"] == "system"  # dunst has buttons

    async def pictured(name: str, bubbles: int) -> None:
        for _ in range(50):  # bounded: dunst shows what it was sent as it comes, and folded bubbles leave
            if await dunst.displayed() == bubbles:
                break
        assert await dunst.displayed() == bubbles
        await shots.around(name, await shots.window_box_of_class("Dunst"))

    # A message, with Reply in dunst's menu ("(A)"), and a failed build: critical, it stays until closed.
    failed = {"title": "Build #1482 failed on main",
              "message": "test_refund_in_two_currencies: expected 12.50 EUR, got 12.49 EUR"}  # fmt: skip
    for ntype, fields in (("message", SAMPLES["message"]), ("error", failed)):
        notification_id = await send(bob, ntype, **fields)
        await reports.until({"event": "system_notification", "notification_id": notification_id})
    await pictured("system-notifications", 2)
    await quit_app(app, reports)  # its bubbles go with it

    # Started again (a burst counts what arrives within a second, and these came just now): a burst, one summary.
    app, reports = await shots.desktop.launch_app(shots.desktop.home / "data")
    await reports.until({"event": "state", "state": "connected"})
    sent = await asyncio.gather(*(send(bob, "warning" if i % 7 == 0 else "info", title=f"CI job {i} done",
                                       message="passed") for i in range(12)))  # fmt: skip
    summary = await reports.until({"event": "system_notification", "kind": "summary", "notification_id": max(sent)})
    assert summary["summary"] == "12 new notifications"
    await pictured("system-burst", 1)
    await quit_app(app, reports)
