"""The whole tray app (offscreen) on a qasync loop against the real hub: sign in, toasts, history, restart, sign out.

pytest-qt does not drive a qasync loop, so each test builds a `qasync.QEventLoop` on the test's
QApplication and runs its scenario to completion on it; the hub runs on the same loop.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.app import TrayApp, main
from desktop.app.main import handed_command, parse_args, request_for_running_app
from desktop.core.connection import ConnectionState
from desktop.core.preferences import Preferences
from hub.server import RunningHub
from tests.support.apps import RecordingReporter, assert_no_secret_on_disk, make_tray_app, run_on_qasync
from tests.support.clients import Client
from tests.support.hubs import make_config
from tests.support.keyrings import DictKeyring
from tests.support.waiting import WAIT


def test_sign_in_toasts_history_restart_and_sign_out(qapp: QApplication, tmp_path: Path, prefs: Preferences) -> None:
    keyring = DictKeyring()

    def make_app(reporter: RecordingReporter) -> TrayApp:
        return make_tray_app(qapp, tmp_path, prefs, reporter, keyring=keyring)

    async def scenario() -> None:
        running = RunningHub(make_config(tmp_path / "hub"))
        url = await running.start()
        accounts = running.accounts
        await accounts.add_user("alice", "wonderland", admin=False)
        await accounts.add_user("bob", "builder", admin=True)
        bob = Client(url)
        await bob.connect({"token": (await accounts.issue_token("bob", "test")).secret})
        try:
            # First start: nothing saved, so the sign-in dialog asks.
            first = RecordingReporter()
            app = make_app(first)
            run = asyncio.ensure_future(app.run())
            await first.until(lambda: bool(first.named("sign_in_requested")))
            assert app.dialog.isVisible()
            assert app.status_window is not None and app.status_window.isVisible()
            app.dialog.set_values(url, "alice")
            app.dialog.password.setText("wonderland")
            QTest.mouseClick(app.dialog.sign_in_button, Qt.MouseButton.LeftButton)
            await first.until(lambda: first.last_state() == "connected")
            assert not app.dialog.isVisible()
            assert [k for (_, k) in keyring.entries] == [f"alice@{url}"]  # only the token, in the keyring
            (token,) = keyring.entries.values()
            assert_no_secret_on_disk(tmp_path, token, "wonderland")
            assert app.status_window.title.text() == f"alice @ {url}"

            # Notifications become toasts, the badge counts them.
            for ntype, text in (("error", "<b>disk</b> full"), ("info", "backup done")):
                await bob.call("send_notification", {"to": "alice", "type": ntype, "title": ntype, "message": text})
            await first.until(lambda: len(first.named("toast")) == 2)
            toasts = app.stack.visible_toasts()
            assert [t.title.text() for t in toasts] == ["info", "error"]
            assert toasts[1].message.text() == "<b>disk</b> full"
            assert app.status_window.status.text() == "Connected · 2 unread"
            assert app.status_window.shown == ("connected", "2", False)

            # Clicking the error toast opens the history at it (and marks it read).
            QTest.mouseClick(toasts[1].frame, Qt.MouseButton.LeftButton)
            await first.until(lambda: bool(first.named("history_shown")))
            window = app.history_window
            assert window.isVisible()
            assert [row[0] for row in window.rows()] == ["info", "error"]
            assert window.rows()[1][1] == "<b>disk</b> full"
            assert window.selected_id() is not None
            assert app.unread.count == 1
            QTest.mouseClick(window.mark_read_button, Qt.MouseButton.LeftButton)
            await first.until(lambda: app.unread.count == 0)
            assert app.status_window.shown == ("connected", "", False)

            # The open history follows new arrivals.
            await bob.call("send_notification", {"to": "alice", "type": "success", "title": "late", "message": "m"})
            await first.until(lambda: len(window.rows()) == 3)
            assert window.rows()[0][0] == "late"
            assert window.is_bold(0)  # unread
            await app.history.mark_all_read()

            # Filter by type and search: the window asks the local history and shows what matches.
            window.type_filter.setCurrentIndex(window.type_filter.findData("error"))
            await first.until(lambda: [row[0] for row in window.rows()] == ["error"])
            window.type_filter.setCurrentIndex(0)
            await first.until(lambda: len(window.rows()) == 3)
            QTest.keyClicks(window.search, "backup")
            window.flush_search()  # as after the typing pause
            await first.until(lambda: [row[0] for row in window.rows()] == ["info"])
            window.search.clear()
            window.flush_search()
            await first.until(lambda: len(window.rows()) == 3)

            QTest.mouseClick(app.status_window.quit_button, Qt.MouseButton.LeftButton)
            await asyncio.wait_for(run, WAIT)

            # Second start: signs in silently from the keyring, the history is still there.
            second = RecordingReporter()
            app = make_app(second)
            run = asyncio.ensure_future(app.run())
            await second.until(lambda: second.last_state() == "connected")
            assert second.named("sign_in_requested") == []
            await app.history.show(None)
            assert [row[0] for row in app.history_window.rows()] == ["late", "info", "error"]
            assert second.named("toast") == []  # nothing new: nothing pops up again

            # Sign out: the hub revokes the token, the keyring forgets it, the dialog asks again.
            assert app.status_window is not None
            QTest.mouseClick(app.status_window.sign_out_button, Qt.MouseButton.LeftButton)
            await second.until(lambda: bool(second.named("signed_out")))
            assert keyring.entries == {}
            assert app.dialog.isVisible()
            assert app.dialog.username.text() == "alice"
            assert second.last_state() == ConnectionState.SIGNED_OUT.value
            # Closed without signing in, the dialog comes back from the menu's "Sign in…" (or the window's).
            app.dialog.reject()
            assert "Sign in…" in app.menu.texts() and "Sign out" not in app.menu.texts()
            app.menu.sign_in_action.trigger()
            assert app.dialog.isVisible() and app.dialog.hub.text() == url and app.dialog.username.text() == "alice"
            app.dialog.reject()
            assert app.status_window.sign_out_button.text() == "Sign in…"
            QTest.mouseClick(app.status_window.sign_out_button, Qt.MouseButton.LeftButton)
            assert app.dialog.isVisible()
            await app.quit()
            await asyncio.wait_for(run, WAIT)
        finally:
            await bob.close()
            await running.stop()

    run_on_qasync(qapp, scenario)


def test_a_revoked_token_sends_the_user_back_to_sign_in(qapp: QApplication, tmp_path: Path, prefs: Preferences) -> None:
    keyring = DictKeyring()

    async def scenario() -> None:
        running = RunningHub(make_config(tmp_path / "hub"))
        url = await running.start()
        accounts = running.accounts
        await accounts.add_user("alice", "wonderland", admin=False)
        revoked = await accounts.issue_token("alice", "old laptop")
        await running.store.revoke_token(revoked.info.id)
        keyring.set_password("lan-notify", f"alice@{url}", revoked.secret)
        prefs.remember(url, "alice")
        reporter = RecordingReporter()
        app = make_tray_app(qapp, tmp_path, prefs, reporter, keyring=keyring)
        run = asyncio.ensure_future(app.run())
        try:
            await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
            reason = reporter.named("sign_in_requested")[-1]["reason"]
            # Said once, in words: not the hub's "...: sign in again" after "Please sign in again: ".
            assert reason == "The hub no longer accepts this computer's sign-in (it was revoked). Sign in again."
            assert app.dialog.reason.text() == reason
            assert app.dialog.notice.isHidden()  # the keyring works: no stale keyring message under it
            assert keyring.entries == {}  # the dead token is gone
            await app.quit()
            await asyncio.wait_for(run, WAIT)
        finally:
            await running.stop()

    run_on_qasync(qapp, scenario)


def test_no_keyring_signs_in_for_this_session_only(qapp: QApplication, tmp_path: Path, prefs: Preferences) -> None:
    from keyring.backends import fail

    async def scenario() -> None:
        running = RunningHub(make_config(tmp_path / "hub"))
        url = await running.start()
        await running.accounts.add_user("alice", "wonderland", admin=False)
        reporter = RecordingReporter()
        app = make_tray_app(qapp, tmp_path, prefs, reporter, keyring=fail.Keyring())  # type: ignore[no-untyped-call]
        run = asyncio.ensure_future(app.run())
        try:
            await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
            await app.signin.sign_in(url, "alice", "wonderland")
            await reporter.until(lambda: reporter.last_state() == "connected")
            (notice,) = reporter.named("notice")
            assert notice["title"] == "Signed in for this session only"
            assert [t.title.text() for t in app.stack.visible_toasts()] == ["Signed in for this session only"]
            assert "No system keyring is available" in notice["message"]
            assert app.signin.session is not None
            assert_no_secret_on_disk(tmp_path, app.signin.session.token, "wonderland")
            assert reporter.named("signed_in")[-1]["keyring"] is False
            await app.quit()
            await asyncio.wait_for(run, WAIT)
        finally:
            await running.stop()

    run_on_qasync(qapp, scenario)


def test_command_line() -> None:
    args = parse_args(["--data-dir", "/tmp/x", "--no-tray"])
    assert args.data_dir == Path("/tmp/x") and args.no_tray
    assert callable(main)


def test_a_second_start_hands_its_request_to_the_running_app() -> None:
    def handed(*argv: str) -> str:
        return request_for_running_app(parse_args(list(argv)))

    assert handed() == ""  # the running app comes forward
    assert handed("--compose", "bob") == "compose bob" and handed("--show-menu") == "menu"
    assert handed("--settings") == "settings" and handed("--settings", "hosting") == "settings hosting"
    assert handed("--host") == handed("--host-port", "9000") == "host"  # host, or show the hub's window
    assert handed_command(parse_args(["--host"])) == ""  # a first start hosts by itself, as it starts


def test_without_a_system_tray_the_status_window_shows(qapp: QApplication, tmp_path: Path, prefs: Preferences) -> None:
    from desktop.system.credentials import MemoryCredentialStore

    app = TrayApp(
        qapp, data_dir=tmp_path, preferences=prefs, credentials=MemoryCredentialStore(), reporter=RecordingReporter()
    )
    assert app.tray is None  # offscreen has no tray, like a desktop without one
    assert app.status_window is not None
    assert app.status_window.note.text().startswith("No system tray was found")


def test_a_history_from_a_newer_version_is_explained(qapp: QApplication, tmp_path: Path, prefs: Preferences) -> None:
    import sqlite3

    from desktop.core.history import history_path

    keyring = DictKeyring()

    async def scenario() -> None:
        running = RunningHub(make_config(tmp_path / "hub"))
        url = await running.start()
        accounts = running.accounts
        await accounts.add_user("alice", "wonderland", admin=False)
        keyring.set_password("lan-notify", f"alice@{url}", (await accounts.issue_token("alice", "laptop")).secret)
        prefs.remember(url, "alice")
        path = history_path(tmp_path / "data", url, "alice")
        path.parent.mkdir(parents=True)
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA user_version = 99")
        reporter = RecordingReporter()
        app = make_tray_app(qapp, tmp_path, prefs, reporter, keyring=keyring)
        run = asyncio.ensure_future(app.run())
        try:
            await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
            (notice,) = reporter.named("notice")
            assert notice["title"] == "The local history could not be opened"
            assert "newer lan-notify" in notice["message"]
            app.status.network_changed(True)  # nothing to retry: no session
            assert reporter.named("network") == [{"event": "network", "online": True}]
            await app.quit()
            await asyncio.wait_for(run, WAIT)
        finally:
            await running.stop()

    run_on_qasync(qapp, scenario)


def test_sign_out_with_the_hub_down_still_forgets_the_token(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    keyring = DictKeyring()

    async def scenario() -> None:
        running = RunningHub(make_config(tmp_path / "hub"))
        url = await running.start()
        await running.accounts.add_user("alice", "wonderland", admin=False)
        reporter = RecordingReporter()
        app = make_tray_app(qapp, tmp_path, prefs, reporter, keyring=keyring)
        run = asyncio.ensure_future(app.run())
        await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
        await app.signin.sign_in(url, "alice", "wonderland")
        await reporter.until(lambda: reporter.last_state() == "connected")
        await running.stop()
        await reporter.until(lambda: reporter.last_state() in {"reconnecting", "offline"})
        await app.signin.sign_out()
        assert keyring.entries == {}
        (notice,) = reporter.named("notice")
        assert notice["title"] == "Signed out on this computer only"
        assert [t.title.text() for t in app.stack.visible_toasts()] == ["Signed out on this computer only"]
        assert app.dialog.isVisible()
        await app.quit()
        await asyncio.wait_for(run, WAIT)

    run_on_qasync(qapp, scenario)
