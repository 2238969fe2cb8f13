"""End to end: the real `notify-tray` process on a virtual X screen with a tray host and a real keyring.

The device was signed in ahead of time (its token is in gnome-keyring, the hub address and user in
QSettings), so the app starts silently signed in. A notification of each type is sent through the
real hub; the test waits for the app to report each toast, saves a screenshot of the screen as an
artifact (tests/artifacts/, git-ignored) and asserts on what the app reported.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from desktop.net.http import login
from hub.server import RunningHub
from tests.support.clients import Client
from tests.support.e2e import Desktop, needs_desktop, quit_app, second_start
from tests.support.hubs import Hub, make_config
from tests.support.ports import port_of

TYPES = ["info", "success", "warning", "error", "message", "system"]

pytestmark = needs_desktop


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
    config = make_config(tmp_path / "hub")
    hub = RunningHub(config)
    url = await hub.start()
    config = config.with_changes(port=port_of(url))  # the restart comes back where the app knows it
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
        accounts = hub.accounts
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
