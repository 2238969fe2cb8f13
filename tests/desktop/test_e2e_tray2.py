"""End to end, part two: `make run`'s script under Xvfb starts the real tray app hosting its own hub,
signed in as the local user. A teammate joins over the LAN address; commands for the running app
(`notify-tray --compose bob`, `--show-menu online`, `--dnd on|off`) open the compose dialog, pop up
the menu with rooms and online users, and end a do-not-disturb period with its summary toast; messages
are typed into the compose dialog for real (xdotool), to a teammate and to yourself.
Each is saved as a screenshot in tests/artifacts/ and checked against what the app reports.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from desktop.net.http import login
from tests.support.clients import Client
from tests.support.e2e import ROOT, Desktop, Reports, needs_xdotool, quit_app, second_start, xdotool
from tests.support.waiting import WAIT

pytestmark = needs_xdotool


async def hub_cli(desktop: Desktop, data_dir: Path, *args: str) -> str:
    """`notify-hub` against the hosted hub's store (what the join hint tells the host to use)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hub", "--data-dir", str(data_dir / "hub"), *args, env=desktop.env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), WAIT * 3)
    assert proc.returncode == 0, err
    return out.decode().strip().splitlines()[-1]


async def test_make_run_hosts_a_hub_compose_menu_and_dnd_summary(desktop: Desktop, tmp_path: Path) -> None:
    data = tmp_path / "data"
    desktop.env["LAN_NOTIFY_PORT"] = "0"  # any free port: the test must not depend on 8765 being free
    app = await desktop.spawn("make-run", "bash", "scripts/run.sh", "--data-dir", str(data), "--report", "-",
                              stdout=asyncio.subprocess.PIPE)  # fmt: skip
    assert app.proc.stdout is not None
    reports = Reports(app.proc.stdout)
    started = await reports.until({"event": "started"})
    assert started["tray"] is True
    hosting = await reports.until({"event": "hosting"})
    me, lan = hosting["user"], hosting["lan_url"]
    await reports.until({"event": "signed_in", "user": me, "keyring": True})
    await reports.until({"event": "state", "state": "connected"})
    await reports.until({"event": "directory", "admin": True})
    camera = await desktop.camera()

    # A teammate made with notify-hub on the host joins over the LAN address; rooms exist on the hub.
    password = await hub_cli(desktop, data, "user", "add", "bob")
    bob = Client(lan, "bob")
    mine = Client(lan, me)
    try:
        await bob.connect({"token": (await login(lan, "bob", password)).token})
        await bob.next("welcome")
        for room in ("ops", "design"):
            assert (await bob.call("join_room", {"room": room}))["ok"]
        await mine.connect({"token": await hub_cli(desktop, data, "token", "create", me, "--label", "e2e")})
        assert (await mine.call("join_room", {"room": "ops"}))["ok"]  # membership is per user: the app's too
        await mine.close()
        await reports.until({"event": "directory", "online": ["bob"]})

        # The menu with its Online part, then its Rooms part (opening it asks the hub: my rooms are the hub's).
        await second_start(desktop, data, "--show-menu", "online")
        menu = await reports.until({"event": "menu"})
        assert menu["online"][0] == "Message bob…"
        assert menu["rooms"] == ["Leave #ops", "Join #design", "Join room…"]
        assert f"Hosting the hub at {lan}" in menu["entries"]
        await reports.until({"event": "painted", "what": "menu:online"})
        await camera.shot("menu-online")
        await second_start(desktop, data, "--show-menu", "rooms")
        mark = len(reports.events)
        await reports.until({"event": "menu"}, after=mark)
        await reports.until({"event": "painted", "what": "menu:rooms"}, after=mark)
        await camera.shot("menu-rooms")

        # The compose dialog, addressed to bob (the menu closes first).
        await second_start(desktop, data, "--compose", "bob")
        opened = await reports.until({"event": "compose_opened", "to": "bob"})
        assert opened["recipients"][0] == "bob"  # online first
        assert "#ops" in opened["recipients"] and "Everyone" in opened["recipients"]  # the host is an admin
        assert "system" in opened["types"]
        await reports.until({"event": "painted", "what": "compose"})  # on screen, not just shown
        await camera.shot("compose-dialog")

        # Typed for real: Enter sends, bob gets it as typed (plain text), the dialog says so.
        await xdotool(desktop, "search", "--name", "^Send a message$", "windowfocus", "--sync")
        await xdotool(desktop, "type", "--delay", "5", "Lunch at <b>noon</b>?")
        await xdotool(desktop, "key", "Return")
        sent = await reports.until({"event": "sent", "to": "bob"})
        assert sent["text"] == "Sent to bob (1 recipient)."
        got = await bob.next("notification")
        while got["kind"] == "notice":  # "root joined ops" came first
            got = await bob.next("notification")
        assert (got["from"], got["type"], got["message"]) == (me, "message", "Lunch at <b>noon</b>?")

        # make run's promise: send yourself a message, see it as a toast.
        await second_start(desktop, data, "--compose", me)
        await reports.until({"event": "compose_opened", "to": me})
        await xdotool(desktop, "type", "--delay", "5", "note to self")
        await xdotool(desktop, "key", "Return")
        mine_sent = await reports.until({"event": "sent", "to": me})
        toast = await reports.until({"event": "toast", "notification_id": mine_sent["id"]})
        assert (toast["style"], toast["message"]) == ("message", "note to self")
        await reports.until({"event": "toast_painted", "notification_id": mine_sent["id"]})
        await camera.shot("compose-sent")

        # Do not disturb: bob's notifications are held (counted), then one summary toast.
        await second_start(desktop, data, "--dnd", "on")
        await reports.until({"event": "dnd", "active": True})
        mark = len(reports.events)
        for ntype in ("info", "success", "message"):
            ack = await bob.call("send_notification", {"to": me, "type": ntype, "title": ntype, "message": "m"})
            assert ack["ok"], ack
        await reports.until({"event": "dnd", "active": True, "held": 3})
        assert not [e for e in reports.events[mark:] if e["event"] == "toast" and e["kind"] == "notification"]
        await second_start(desktop, data, "--dnd", "off")
        summary = await reports.until({"event": "toast", "title": "3 notifications while you were away"})
        assert summary["message"] == "1 info, 1 success, 1 message"
        await reports.until({"event": "toast_painted", "notification_id": None}, after=reports.events.index(summary))
        await camera.shot("dnd-summary")

        await quit_app(app, reports)
        await reports.until({"event": "hub_stopped"})
        await asyncio.wait_for(bob.disconnected.wait(), WAIT)
    finally:
        await bob.close()
        await mine.close()
