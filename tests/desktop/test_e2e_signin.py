"""End to end, the first day of a new user: the real `notify-tray` on a virtual X screen with a tray host and
a real gnome-keyring, driven with real keyboard and mouse input (xdotool). Sign in by typing into the
dialog; the token lands in the keyring, nothing secret on disk; restart without a password; sign out from
the tray icon's menu: the hub revokes the token and the keyring forgets it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import socketio

from tests.support.clients import Client
from tests.support.e2e import ARTIFACTS, Desktop, needs_xdotool, quit_app, tray_icon_centre, xdotool
from tests.support.hubs import Hub

pytestmark = needs_xdotool


async def test_a_new_user_signs_in_restarts_without_a_password_and_signs_out(
    hub: Hub, desktop: Desktop, tmp_path: Path
) -> None:
    await hub.user("alice", password="wonderland")
    data = tmp_path / "data"
    camera = await desktop.camera()

    # First start: nothing saved, the sign-in dialog asks. The user types into it and presses Enter.
    app, reports = await desktop.launch_app(data)
    await reports.until({"event": "sign_in_requested", "reason": ""})
    await reports.until({"event": "painted", "what": "signin"})
    await xdotool(desktop, "search", "--name", "^Sign in to lan-notify$", "windowfocus", "--sync")
    await xdotool(desktop, "type", "--delay", "5", hub.url)
    await xdotool(desktop, "key", "Tab")
    await xdotool(desktop, "type", "--delay", "5", "alice")
    await xdotool(desktop, "key", "Tab")
    await xdotool(desktop, "type", "--delay", "5", "wonderland")
    await camera.shot("sign-in")
    await xdotool(desktop, "key", "Return")
    signed_in = await reports.until({"event": "signed_in"})
    assert signed_in == {"event": "signed_in", "hub": hub.url, "user": "alice", "keyring": True}
    await reports.until({"event": "state", "state": "connected"})
    token = await desktop.keyring_token(hub.url, "alice")  # another process reads it from gnome-keyring
    assert token
    for path in desktop.home.rglob("*"):  # QSettings and the history hold no secret
        if path.is_file() and "keyrings" not in path.parts:
            assert token.encode() not in path.read_bytes() and b"wonderland" not in path.read_bytes(), path
    await quit_app(app, reports)

    # Second start: signed in silently from the keyring, no dialog.
    app, reports = await desktop.launch_app(data)
    await reports.until({"event": "signed_in", "user": "alice", "keyring": True})
    await reports.until({"event": "state", "state": "connected"})
    assert not reports.matching({"event": "sign_in_requested"})

    # Sign out from the tray icon's menu: a right click on the icon, then the second entry from the bottom.
    x, y = await tray_icon_centre(desktop)
    await xdotool(desktop, "mousemove", str(x), str(y), "click", "3")
    await reports.until({"event": "painted", "what": "menu"})
    await camera.shot("tray-menu")
    await xdotool(desktop, "key", "Up", "Up", "Return")  # Quit is last, Sign out just above it
    await reports.until({"event": "signed_out"})
    asked = await reports.until({"event": "sign_in_requested"})
    assert asked["reason"] == ""
    assert await desktop.keyring_token(hub.url, "alice") is None
    revoked = Client(hub.url)
    with pytest.raises(socketio.exceptions.ConnectionError):  # the hub refuses the old token now
        await revoked.connect({"token": token})
    await quit_app(app, reports)
    log = (ARTIFACTS / "notify-tray.log").read_text()  # what the app wrote to its terminal
    assert "signed in as alice" in log
    assert token not in log and "wonderland" not in log
    assert "Emitting event" not in log  # no per-packet chatter without -v
