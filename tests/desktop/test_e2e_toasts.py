"""End to end: toasts leave on their own after the pointer rested on them, with the real `notify-tray` on a
virtual X screen and the real pointer moved by xdotool. The X server sends its own enter and leave
events as toasts open, move, fold and close under the pointer; nobody hovers again after it leaves.
"""

from __future__ import annotations

from pathlib import Path

from desktop.net.http import login
from tests.support.e2e import Desktop, needs_xdotool, quit_app, xdotool
from tests.support.hubs import Hub

pytestmark = needs_xdotool


async def test_toasts_leave_after_the_pointer_rested_on_them_while_a_burst_folded(
    hub: Hub, desktop: Desktop, tmp_path: Path
) -> None:
    await hub.user("alice", password="wonderland")
    bob = await hub.client(await hub.user("bob"))
    token = (await login(hub.url, "alice", "wonderland", device="e2e")).token
    # Info toasts stay 2 s; more than 2 arrivals within a second fold into a summary (it stays 10 s).
    await desktop.signed_in_device(hub.url, token, burst_threshold=2, **{"duration\\info": 2})
    app, reports = await desktop.launch_app(tmp_path / "data")
    await reports.until({"event": "state", "state": "connected"})

    async def send(i: int) -> int:
        ack = await bob.call("send_notification", {"to": "alice", "type": "info", "title": f"build {i}",
                                                   "message": "passed"})  # fmt: skip
        assert ack["ok"], ack
        return int(ack["id"])

    # The first toast shows where the newest always goes; the pointer waits where the second one will be.
    first = await send(1)
    x, y, width, height = (await reports.until({"event": "toast_painted", "notification_id": first}))["geometry"]
    await xdotool(desktop, "mousemove", str(x + width // 2), str(y + height + 8 + height * 2 // 3))
    # The second pushes the first down under the resting pointer: X says it entered, the clocks stop.
    second = await send(2)
    await reports.until({"event": "toast_painted", "notification_id": second})
    await reports.until({"event": "toasts_paused", "paused": True})
    # A third within the second: all three fold into one summary at the top; the toast under the pointer is
    # hidden and deleted there, with no leave event.
    third = await send(3)
    summary = await reports.until({"event": "toast", "kind": "summary"})
    assert summary["count"] == 3, summary
    await reports.until({"event": "toast_painted", "notification_id": third})
    mark = len(reports.events)

    # The pointer goes away and stays away: the summary leaves once due (10 s), never hovered again.
    await xdotool(desktop, "mousemove", "100", "700")
    closed = await reports.until({"event": "toast_closed", "notification_id": third}, after=mark)
    assert closed
    assert reports.matching({"event": "toasts_paused", "paused": False})
    await quit_app(app, reports)
