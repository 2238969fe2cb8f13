"""The app (offscreen, on a qasync loop) says what is true, in words: the settings dialog against a hosted hub
and a locked keyring, and the sign-in dialog against a used one-time password."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.app import TrayApp
from desktop.core.preferences import Preferences
from desktop.system.credentials import KeyringCredentialStore, SessionFallbackStore
from tests.support.apps import RecordingReporter, app_running, hub_with, make_tray_app, run_on_qasync
from tests.support.keyrings import LockedKeyring


def test_settings_show_what_runs_and_save_only_what_changed(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    async def scenario() -> None:
        reporter = RecordingReporter()
        # As `notify-tray --host-interface 127.0.0.1` starts it: this computer only, for this run.
        app = make_tray_app(qapp, tmp_path, prefs, reporter, host=True, host_interface="127.0.0.1", host_port=0)
        async with app_running(app):
            await reporter.until(lambda: reporter.last_state() == "connected")
            (hosting,) = [t for t in app.toasts.view().visible if t.title == "Your hub runs on this computer"]
            assert hosting.message.startswith("Other computers cannot reach this hub: it listens on 127.0.0.1")
            app.settings.open()
            dialog = app.settings.dialog
            assert dialog.host_interface.currentText() == "Every network interface (teammates can join)"  # saved
            port = app.host.hosted.local_url.rsplit(":", 1)[1]  # type: ignore[union-attr]
            assert dialog.host_now.text() == (
                f"The hub hosted here listens on 127.0.0.1, port {port}, until you quit (chosen when it started). "
                "What you choose here applies the next time it starts."
            )
            corners = [dialog.corner.itemText(i) for i in range(dialog.corner.count())]
            assert corners == ["Top right", "Top left", "Bottom right", "Bottom left"]  # words, not keys
            assert dialog.show_as.currentText() == "lan-notify toasts"  # no notification service here
            QTest.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)  # Save, nothing touched
            assert reporter.named("settings_saved")[-1]["keys"] == []
            assert "host/interface" not in prefs.keys() and "host/port" not in prefs.keys()

            app.settings.open()
            dialog.corner.setCurrentText("Bottom left")
            dialog.host_interface.setCurrentText("This computer only")
            dialog.submit()
            assert reporter.named("settings_saved")[-1]["keys"] == ["host/interface", "toasts/corner"]
            assert (prefs.toast_corner, prefs.host_interface) == ("bottom-left", "127.0.0.1")
            app.settings.open()
            dialog.host_interface.setCurrentText("192.168.1.20")  # an address of this computer's, typed
            dialog.submit()
            assert prefs.host_interface == "192.168.1.20"

    run_on_qasync(qapp, scenario)


def test_a_locked_keyring_can_be_tried_again_from_the_settings(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    keyring = LockedKeyring()

    async def scenario() -> None:
        reporter = RecordingReporter()
        app = TrayApp(qapp, data_dir=tmp_path / "data", preferences=prefs, reporter=reporter, use_tray=False,
                      credentials=SessionFallbackStore(KeyringCredentialStore(keyring)))  # fmt: skip
        async with hub_with(tmp_path / "hub", alice="wonderland") as (url, _), app_running(app):
            await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
            await app.signin.sign_in(url, "alice", "wonderland")
            notice = reporter.named("notice")[-1]
            assert notice["title"] == "Signed in for this session only"
            assert notice["message"].startswith("The system keyring is locked, and it was not unlocked when asked.")
            assert "Failed to unlock" not in notice["message"]  # the library's words stay in the log

            app.settings.open()
            dialog = app.settings.dialog
            assert dialog.keyring.text() == (
                "Kept for this session only. The system keyring is locked, and it was not unlocked when asked."
            )
            assert dialog.keyring_retry.isVisibleTo(dialog)
            keyring.locked = False  # unlocked meanwhile (the user typed its password somewhere)
            QTest.mouseClick(dialog.keyring_retry, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: bool(reporter.named("keyring")))
            assert reporter.named("keyring")[-1] == {"event": "keyring", "kept": True, "reason": ""}
            assert dialog.keyring.text() == "Kept in the system keyring."
            assert not dialog.keyring_retry.isVisibleTo(dialog)
            assert list(keyring.entries) == [("lan-notify", f"alice@{url}")]  # the next start signs in silently

    run_on_qasync(qapp, scenario)


def test_a_used_one_time_password_says_so_and_what_to_do(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    async def scenario() -> None:
        reporter = RecordingReporter()
        app = make_tray_app(qapp, tmp_path, prefs, reporter)
        async with hub_with(tmp_path / "hub") as (url, accounts), app_running(app):
            await accounts.add_user("bob", None, admin=False, token_only=True)
            password = await accounts.one_time_password("bob")
            await accounts.login("bob", password, "bob's first laptop")  # used once, on another computer
            await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
            await app.signin.sign_in(url, "bob", password)
            used = "This one-time password was already used. Ask your hub's admin for a new one."
            assert app.dialog.error.text() == used
            await app.signin.sign_in(url, "bob", "a guess")
            assert app.dialog.error.text() == "The user name or password is wrong."
            assert [e["code"] for e in reporter.named("sign_in_failed")] == ["password_expired", "unauthorized"]

    run_on_qasync(qapp, scenario)
