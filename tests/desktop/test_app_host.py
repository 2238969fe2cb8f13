"""Host mode: the app runs the real hub in-process on its own qasync loop, signs itself in as the local
admin, and a separate python-socketio client joins over the LAN address with an invite made from the app.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.errors import LoginRefusedError
from desktop.hosting import Hosted, LocalHub, default_hub_dir, lan_address, local_username
from desktop.net.http import login
from desktop.ui.settings import Preferences
from hub.config import load_config
from tests.conftest import WAIT, Client
from tests.desktop.test_app import RecordingReporter, assert_no_secret_on_disk, prefs, run_on_qasync
from tests.desktop.test_app_team import make_app

__all__ = ["prefs"]


def test_host_mode_a_teammate_joins_over_the_lan_and_messages_go_both_ways(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    async def scenario() -> None:
        reporter = RecordingReporter()
        app = make_app(qapp, tmp_path, prefs, reporter, host_interface="0.0.0.0", host_port=0)
        run = asyncio.ensure_future(app.run())
        bob: Client | None = None
        try:
            # Nothing saved yet: the sign-in dialog offers to host a hub here instead.
            await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
            QTest.mouseClick(app.dialog.host_button, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: reporter.last_state() == "connected")
            assert not app.dialog.isVisible() and prefs.host_enabled
            (hosting,) = reporter.named("hosting")
            me = hosting["user"]
            assert me == local_username() and hosting["created_user"] is True
            assert hosting["local_url"].startswith("http://127.0.0.1:")
            assert hosting["lan_url"] == f"http://{lan_address()}:{hosting['local_url'].rsplit(':', 1)[1]}"
            assert hosting["lan_url"] in hosting["hint"]
            # The notify-hub command in the hint works on this hub's store as shown.
            assert f"notify-hub --data-dir {tmp_path / 'data' / 'hub'} user add NAME" in hosting["hint"]
            assert len(reporter.named("sign_in_requested")) == 1  # signed in without a password
            assert reporter.named("signed_in")[-1]["user"] == me
            assert f"Hosting the hub at {hosting['lan_url']}" in app.menu.texts()
            await reporter.until(lambda: bool(reporter.named("directory")) and reporter.named("directory")[-1]["admin"])

            # Invite teammate…: a user with a one-time password, shown to copy, never reported.
            app.menu.invite_action.trigger()
            window = app.host.window
            assert window.isVisible() and window.address.text() == hosting["lan_url"]
            window.invite_name.setText("bob")
            QTest.mouseClick(window.invite_button, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: bool(reporter.named("invited")))
            password = window.password.text()
            assert len(password) >= 12 and window.copy_password.isVisibleTo(window)
            assert all(password not in str(event) for event in reporter.events)
            assert prefs.pending_invites == ["bob"]  # a name to watch for, never the password
            assert "one-time password" in window.invite_result.text()
            window.invite_name.setText("bob")
            QTest.mouseClick(window.invite_button, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: bool(reporter.named("invite_failed")))
            assert "already exists" in window.error.text()

            # bob, a separate client, signs in and connects over the LAN address.
            lan = hosting["lan_url"]
            token = (await login(lan, "bob", password, device="bob's laptop")).token
            bob = Client(lan, "bob")
            await bob.connect({"token": token})
            await bob.next("welcome")
            await reporter.until(lambda: "bob" in reporter.named("directory")[-1]["online"])

            # bob has signed in: his one-time password stops working, his device stays signed in.
            await reporter.until(lambda: bool(reporter.named("invite_used")))
            assert prefs.pending_invites == []
            assert reporter.named("invite_used") == [{"event": "invite_used", "user": "bob"}]
            with pytest.raises(LoginRefusedError):
                await login(lan, "bob", password, device="bob's second laptop")

            # bob -> the host's user: a toast in the app.
            ack = await bob.call("send_notification", {"to": me, "type": "message", "message": "hi from bob"})
            assert ack["ok"], ack
            await reporter.until(lambda: any(t.get("title") == "Message" for t in reporter.named("toast")))
            # the host's user -> bob, from the compose dialog; an admin may also address everyone.
            app.open_compose("bob")
            opened = reporter.named("compose_opened")[-1]
            assert "Everyone" in opened["recipients"] and "system" in opened["types"]
            app.compose.dialog.text.setPlainText("welcome aboard")
            app.compose.dialog.submit()
            await reporter.until(lambda: bool(reporter.named("sent")))
            got = await bob.next("notification")
            assert (got["from"], got["message"]) == (me, "welcome aboard")
            assert_no_secret_on_disk(tmp_path, token, password)

            # Signing out of the hosted hub keeps it running but ends the silent sign-in at the next start.
            await app.sign_out()
            assert not prefs.host_enabled and app.dialog.isVisible()
            assert app.host.hosted is not None

            # Quit stops the hub cleanly: bob is disconnected, the port is closed.
            await app.quit()
            await asyncio.wait_for(run, WAIT)
            assert reporter.named("hub_stopped")
            await asyncio.wait_for(bob.disconnected.wait(), WAIT)
            with pytest.raises(aiohttp.ClientError):
                async with aiohttp.ClientSession() as http, http.get(f"{hosting['local_url']}/api/health") as _:
                    pass
        finally:
            if bob is not None:
                await bob.close()
            await app.host.stop()

    run_on_qasync(qapp, scenario)


def test_the_default_hub_dir_expands_a_tilde_in_the_environment_as_notify_hub_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("LAN_NOTIFY_DATA_DIR", "~/hub-data")

    assert default_hub_dir() == tmp_path / "hub-data" == load_config().data_dir
    hosted = Hosted("http://127.0.0.1:1", "http://127.0.0.1:1", "me", False, default_hub_dir())
    assert hosted.user_add_command == "notify-hub user add NAME"  # the same store: no --data-dir


def test_the_second_start_reuses_the_local_user_and_a_busy_port_is_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAN_NOTIFY_DATA_DIR", str(tmp_path / "hub"))  # as notify-hub on this computer sees it

    async def scenario() -> None:
        first = LocalHub(tmp_path / "hub", host="127.0.0.1", port=0, username="me")
        hosted = await first.start()
        assert hosted.created_user and hosted.local_url == hosted.lan_url
        assert "`notify-hub user add NAME` on this computer" in hosted.join_hint  # the same store: no --data-dir
        port = int(hosted.local_url.rsplit(":", 1)[1])
        busy = LocalHub(tmp_path / "other", host="127.0.0.1", port=port, username="me")
        from desktop.errors import HostError

        with pytest.raises(HostError, match="another hub"):
            await busy.start()
        await first.stop()
        again = LocalHub(tmp_path / "hub", host="127.0.0.1", port=0, username="me")
        assert (await again.start()).created_user is False
        with pytest.raises(HostError, match="user name"):
            await again.invite("not a name!")
        await again.stop()

    asyncio.run(scenario())
