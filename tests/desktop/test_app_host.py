"""Host mode: the app runs the real hub in-process on its own qasync loop, signs itself in as the local
admin, and a separate python-socketio client joins over the LAN address with an invite made from the app.
"""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.core.preferences import Preferences
from desktop.errors import HostError, LoginRefusedError, PortInUseError
from desktop.net.http import login
from desktop.system.hosting import Hosted, LocalHub, cannot_host_text, default_hub_dir, lan_address, local_username
from hub.config import load_config
from hub.store.sqlite.inuse import StoreLock
from tests.support.apps import RecordingReporter, assert_no_secret_on_disk, make_tray_app, run_on_qasync
from tests.support.clients import Client
from tests.support.layout import layout_problems
from tests.support.waiting import WAIT


def test_host_mode_a_teammate_joins_over_the_lan_and_messages_go_both_ways(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    async def scenario() -> None:
        reporter = RecordingReporter()
        app = make_tray_app(qapp, tmp_path, prefs, reporter, host_interface="0.0.0.0", host_port=0)
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
            assert hosting["warning"] == ""  # every interface, and this computer has a LAN address
            # The notify-hub command in the hint works on this hub's store as shown.
            assert f"“notify-hub --data-dir {tmp_path / 'data' / 'hub'} user add NAME”" in hosting["hint"]
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
            first = window.password.text()
            assert len(first) >= 12 and window.copy_password.isVisibleTo(window)
            assert "one-time password" in window.outcome.text() and hosting["lan_url"] in window.outcome.text()
            assert layout_problems(window) == []  # it grew to show the password: nothing squeezed or cut off
            # Inviting bob again offers him a new password instead of a dead end.
            window.invite_name.setText("bob")
            QTest.mouseClick(window.invite_button, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: bool(reporter.named("invite_failed")))
            assert window.error.text() == "There is already a user named 'bob' on this hub."
            assert not window.password.isVisibleTo(window) and window.offer_reset.isVisibleTo(window)
            assert window.offer_reset.text() == "Give bob a new one-time password"
            QTest.mouseClick(window.offer_reset, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: bool(reporter.named("password_reset")))
            password = window.password.text()
            assert password != first and "bob's new one-time password" in window.outcome.text()
            assert all(p not in str(event) for event in reporter.events for p in (first, password))
            lan = hosting["lan_url"]
            with pytest.raises(LoginRefusedError) as replaced:
                await login(lan, "bob", first)
            assert replaced.value.code == "unauthorized"

            # bob, a separate client, signs in and connects over the LAN address.
            token = (await login(lan, "bob", password, device="bob's laptop")).token
            bob = Client(lan, "bob")
            await bob.connect({"token": token})
            await bob.next("welcome")
            await reporter.until(lambda: "bob" in reporter.named("directory")[-1]["online"])

            # bob has signed in: his one-time password is used; his device stays signed in.
            with pytest.raises(LoginRefusedError) as used:
                await login(lan, "bob", password, device="bob's second laptop")
            assert used.value.code == "password_expired"

            # "Reset password…" in the hub window: choose bob, give him a new one.
            QTest.mouseClick(window.reset_button, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: bool(reporter.named("reset_prompt")))
            prompt = window.reset_prompt
            assert prompt is not None and prompt.isVisible()
            assert prompt.comboBoxItems() == ["bob"]  # everyone but the admin
            prompt.setTextValue("bob")
            prompt.accept()
            await reporter.until(lambda: len(reporter.named("password_reset")) == 2)
            assert (await login(lan, "bob", window.password.text(), device="bob's second laptop")).username == "bob"

            # bob -> the host's user: a toast in the app.
            ack = await bob.call("send_notification", {"to": me, "type": "message", "message": "hi from bob"})
            assert ack["ok"], ack
            await reporter.until(lambda: any(t.get("title") == "Message" for t in reporter.named("toast")))
            # the host's user -> bob, from the compose dialog; an admin may also address everyone.
            app.compose.open("bob")
            opened = reporter.named("compose_opened")[-1]
            assert "Everyone" in opened["recipients"] and "system" in opened["types"]
            app.compose.dialog.text.setPlainText("welcome aboard")
            app.compose.dialog.submit()
            await reporter.until(lambda: bool(reporter.named("sent")))
            got = await bob.next("notification")
            assert (got["from"], got["message"]) == (me, "welcome aboard")
            assert_no_secret_on_disk(tmp_path, token, password)

            # Signing out of the hosted hub keeps it running but ends the silent sign-in at the next start.
            await app.signin.sign_out()
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
        assert "“notify-hub user add NAME”" in hosted.join_hint  # the same store: no --data-dir
        assert "it listens on 127.0.0.1, which is this computer only" in hosted.lan_warning
        port = int(hosted.local_url.rsplit(":", 1)[1])
        busy = LocalHub(tmp_path / "other", host="127.0.0.1", port=port, username="me")

        with pytest.raises(PortInUseError, match=f"Port {port} is already in use on this computer"):
            await busy.start()
        await first.stop()
        again = LocalHub(tmp_path / "hub", host="127.0.0.1", port=0, username="me")
        assert (await again.start()).created_user is False
        with pytest.raises(HostError, match="user name"):
            await again.invite("not a name!")
        await again.stop()

    asyncio.run(scenario())


def test_a_store_being_restored_is_explained_not_raised(tmp_path: Path) -> None:
    """While `notify-hub restore` holds the store, hosting says so, as it says a data folder it cannot use."""
    hub_dir = tmp_path / "hub"

    async def scenario() -> None:
        with StoreLock(hub_dir / "hub.sqlite3", exclusive=True):
            with pytest.raises(HostError, match=r"cannot be used: the store in .* is being restored"):
                await LocalHub(hub_dir, host="127.0.0.1", port=0, username="me").start()

    asyncio.run(scenario())


def test_hosting_on_a_busy_port_says_once_where_to_choose_another(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    async def scenario() -> None:
        with socket.socket() as taken:
            taken.bind(("0.0.0.0", 0))
            taken.listen()
            port = taken.getsockname()[1]
            reporter = RecordingReporter()
            app = make_tray_app(qapp, tmp_path, prefs, reporter, host=True, host_port=port)  # as make run starts it
            run = asyncio.ensure_future(app.run())
            await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
        assert app.dialog.reason.text() == (
            f"Could not host a hub here. Port {port} is already in use on this computer, by another hub or another "
            f"program. Start lan-notify with another one: notify-tray --host-port {port + 1}, or "
            f"LAN_NOTIFY_PORT={port + 1} make run."
        )
        assert reporter.named("notice") == []  # said once, where the user is asked what to do next
        await app.quit()
        await asyncio.wait_for(run, WAIT)

    run_on_qasync(qapp, scenario)


def test_a_busy_port_chosen_in_settings_is_changed_in_settings() -> None:
    text = cannot_host_text(PortInUseError("0.0.0.0", 8765), port_from_command_line=False)

    assert text.endswith("Choose another one in Settings (Startup and hosting), then host again.")


def test_the_hub_window_says_why_teammates_cannot_reach_a_loopback_address(tmp_path: Path) -> None:
    def hosted(lan_url: str, interface: str) -> Hosted:
        return Hosted("http://127.0.0.1:8765", lan_url, "me", False, tmp_path, interface)

    assert hosted("http://192.168.1.20:8765", "0.0.0.0").lan_warning == ""
    assert hosted("http://192.168.1.20:8765", "192.168.1.20").lan_warning == ""
    assert hosted("http://127.0.0.1:8765", "127.0.0.1").lan_warning.startswith(
        "Other computers cannot reach this hub: it listens on 127.0.0.1, which is this computer only. To let "
        "teammates join, set “Listen on” to every interface in Settings (Startup and hosting)"
    )
    assert hosted("http://127.0.0.1:8765", "0.0.0.0").lan_warning.startswith(
        "Other computers cannot reach http://127.0.0.1:8765: this computer has no address on a network right now."
    )
