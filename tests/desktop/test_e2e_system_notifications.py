"""End to end: the real `notify-tray` process showing system notifications through a real dunst, on a virtual X
screen with a tray host and a session bus of the test's own. A teammate's python-socketio client sends; the
notifications arrive in dunst with the urgency their type asks for; Reply, picked in dunst's own menu for the
bubble, opens the app's compose dialog addressed to the sender, and what is typed there reaches him.
What the app did is read from its `--report` lines; what dunst showed, from dunst (`dunstctl`)."""

from __future__ import annotations

from pathlib import Path

from desktop.net.http import login
from tests.support.dunst import dunst_on, needs_dunst
from tests.support.e2e import Desktop, needs_xdotool, quit_app, xdotool
from tests.support.hubs import Hub

pytestmark = [needs_xdotool, needs_dunst]


async def test_the_apps_notifications_arrive_in_dunst_and_reply_there_opens_compose_to_the_sender(
    hub: Hub, desktop: Desktop, tmp_path: Path
) -> None:
    dunst = await dunst_on(desktop, tmp_path / "dunst")
    await hub.user("alice", password="wonderland")
    bob = await hub.client(await hub.user("bob"), name="bob")
    token = (await login(hub.url, "alice", "wonderland", device="e2e")).token
    await desktop.signed_in_device(hub.url, token)
    app, reports = await desktop.launch_app(tmp_path / "data")

    # Nothing chosen in the settings: the desktop runs a service with buttons, so system notifications it is.
    chosen = await reports.until({"event": "notifications"})
    assert (chosen["show_as"], chosen["service"]) == ("system", "dunst")
    await reports.until({"event": "state", "state": "connected"})

    lunch = await bob.call("send_notification", {"to": "alice", "type": "message", "title": "Lunch?",
                                                 "message": "At noon, downstairs"})  # fmt: skip
    assert lunch["ok"], lunch
    sent = await reports.until({"event": "system_notification", "notification_id": lunch["id"]})
    assert sent["actions"] == ["default", "reply"]
    assert await dunst.displayed() == 1
    assert not reports.matching({"event": "toast"})  # not lan-notify's own toast as well

    # Reply, in dunst's menu for the bubble, as a person picks it: compose opens, addressed to bob.
    await dunst.choose("Reply")
    assert (await reports.until({"event": "notification_action"}))["to"] == "bob"
    assert any(line.startswith("#Reply (Lunch?)") for line in dunst.menu())
    opened = await reports.until({"event": "compose_opened"})
    assert opened["to"] == "bob"
    await reports.until({"event": "painted", "what": "compose"})
    await xdotool(desktop, "search", "--name", "^Send a message$", "windowfocus", "--sync")
    await xdotool(desktop, "type", "--delay", "5", "Noon works")
    await xdotool(desktop, "key", "Return")
    assert (await reports.until({"event": "sent"}))["to"] == "bob"
    reply = await bob.next("notification")
    assert (reply["from"], reply["type"], reply["title"], reply["message"]) == ("alice", "message", "", "Noon works")

    # An error is critical in dunst and stays until closed; the message was normal.
    failed = await bob.call("send_notification", {"to": "alice", "type": "error", "title": "Build failed",
                                                  "message": "main is red"})  # fmt: skip
    assert failed["ok"], failed
    await reports.until({"event": "system_notification", "notification_id": failed["id"]})
    shown = {entry.summary: entry for entry in await dunst.history()}
    assert (shown["Build failed"].urgency, shown["Build failed"].timeout_ms) == ("critical", 0)
    assert shown["Build failed"].body == "main is red\n— bob"
    assert (shown["Lunch?"].urgency, shown["Lunch?"].category) == ("normal", "im.received")
    assert all(entry.appname == "lan-notify" for entry in shown.values())
    await quit_app(app, reports)
