"""Part two of the tray app on a qasync loop against a real hub: compose and send, quick replies, the rooms
and online menus following the hub, do-not-disturb with an injected clock, settings applied at once.

Like tests/desktop/test_app.py, each scenario runs on a `qasync.QEventLoop` it builds itself.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.app import TrayApp
from desktop.core.preferences import Preferences
from desktop.system.credentials import MemoryCredentialStore
from hub.app_keys import SERVICE
from hub.server import RunningHub
from hub.store import TokenKind
from tests.support.apps import RecordingReporter, app_running, connected_client, hub_with, make_tray_app, run_on_qasync
from tests.support.hubs import make_config
from tests.support.ports import port_of
from tests.support.waiting import WAIT


class Wall:
    """The app's wall clock, moved by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 14, 0).astimezone()

    def __call__(self) -> datetime:
        return self.now


def answers(reporter: RecordingReporter) -> int:
    return len(reporter.named("sent")) + len(reporter.named("send_failed"))


def directory_has(reporter: RecordingReporter, **wanted: Any) -> bool:
    events = reporter.named("directory")
    return bool(events) and all(events[-1][k] == v for k, v in wanted.items())


def test_compose_send_reply_and_the_menus_follow_the_hub(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    async def scenario() -> None:
        config = make_config(tmp_path / "hub", rate_burst=8, rate_refill_per_second=0.01)
        running = RunningHub(config)
        url = await running.start()
        config = config.with_changes(port=port_of(url))  # a restart listens where the app knows it
        accounts = running.accounts
        for name in ("alice", "bob", "carol"):
            await accounts.add_user(name, "pw-" + name, admin=False)
        bob = await connected_client(url, accounts, "bob")
        clients = [bob]
        reporter = RecordingReporter()
        app = make_tray_app(qapp, tmp_path, prefs, reporter)
        run = asyncio.ensure_future(app.run())
        try:
            await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
            await app.signin.sign_in(url, "alice", "pw-alice")
            # Online: bob was there at connect; carol comes and goes live.
            await reporter.until(lambda: directory_has(reporter, online=["bob"]))
            assert app.menu.texts(app.menu.online_menu) == ["Message bob…", "Tell me when online"]
            # The app asked for presence in batches: the hub tells it who comes and goes in `presence` events.
            hub_sessions = running.app[SERVICE].presence
            assert [s.user.name for s in hub_sessions.batched.values()] == ["alice"]
            assert "bob" in [s.user.name for s in hub_sessions.plain.values()]  # a client that did not ask
            app.team.watch("carol", True)
            carol = await connected_client(url, accounts, "carol")
            clients.append(carol)
            await reporter.until(lambda: directory_has(reporter, online=["bob", "carol"]))
            await reporter.until(lambda: bool(reporter.named("teammate_online")))
            assert reporter.named("teammate_online")[-1]["user"] == "carol"
            # Its toast has a Message action that writes to her.
            arrived = next(t for t in app.stack.visible_toasts() if t.title.text() == "carol is online")
            assert arrived.reply_button.text() == "Message" and arrived.reply_button.isVisibleTo(arrived)
            QTest.mouseClick(arrived.reply_button, Qt.MouseButton.LeftButton)
            assert app.compose.dialog.isVisible() and app.compose.dialog.recipient.currentText() == "carol"
            app.compose.dialog.reject()
            assert app.menu.texts(app.menu.online_menu)[:2] == ["Message bob…", "Message carol…"]
            await carol.close()
            await reporter.until(lambda: directory_has(reporter, online=["bob"]))
            assert prefs.watched == ["carol"]

            # Choosing bob in the Online menu opens the compose dialog to him; Enter sends; bob gets it.
            action = app.menu.find_action(app.menu.online_menu, "compose:bob")
            assert action is not None
            action.trigger()
            opened = reporter.named("compose_opened")[-1]
            assert opened["to"] == "bob"
            assert "Everyone" not in opened["recipients"] and "system" not in opened["types"]
            dialog = app.compose.dialog
            assert dialog.isVisible()
            QTest.keyClicks(dialog.text, "lunch at <b>noon</b>?")
            QTest.keyClick(dialog.text, Qt.Key.Key_Return)
            await reporter.until(lambda: bool(reporter.named("sent")))
            got = await bob.next("notification")
            assert (got["from"], got["message"], got["type"]) == ("alice", "lunch at <b>noon</b>?", "message")
            assert dialog.answer.text() == "Sent to bob (1 recipient)."
            assert prefs.recent_recipients == ["bob"]

            # An unknown user: the hub's answer in words, the text kept.
            dialog.recipient.setEditText("zed")
            dialog.text.setPlainText("are you there?")
            QTest.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: bool(reporter.named("send_failed")))
            assert dialog.answer.text() == "Unknown user: there is no one named 'zed' on this hub."
            assert dialog.text.toPlainText() == "are you there?"

            # Forbidden: a restricted room alice is not in.
            bob_id = (await accounts.user("bob")).id
            await running.store.create_room("board", restricted=True, members=[bob_id])
            dialog.recipient.setEditText("#board")
            count = answers(reporter)
            QTest.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: answers(reporter) > count)
            assert dialog.answer.text() == "Not allowed: room 'board' is restricted to its members."
            assert dialog.text.toPlainText() == "are you there?"

            # Rate limited: "try again in N s", still without losing the text.
            dialog.recipient.setEditText("bob")
            while not [e for e in reporter.named("send_failed") if e["code"] == "rate_limited"]:
                dialog.text.setPlainText("spam")
                count = answers(reporter)
                dialog.submit()
                await reporter.until(lambda: answers(reporter) > count)  # noqa: B023
            assert re.fullmatch(r"Sending too fast: try again in \d+ s\.", dialog.answer.text())
            assert dialog.text.toPlainText() == "spam"
            QTest.keyClick(dialog.text, Qt.Key.Key_Escape)
            assert not dialog.isVisible()

            # Quick reply: bob's message toast has a Reply action that opens compose to bob. A reply is a
            # message with no title, whatever type and title the dialog was last used with.
            dialog.type.setCurrentText("warning")
            dialog.title.setText("Disk full")
            await bob.call("send_notification", {"to": "alice", "type": "message", "message": "ping"})
            await reporter.until(lambda: any(t.title.text() == "Message" for t in app.stack.visible_toasts()))
            toast = next(t for t in app.stack.visible_toasts() if t.title.text() == "Message")
            assert toast.reply_button.isVisibleTo(toast)
            QTest.mouseClick(toast.reply_button, Qt.MouseButton.LeftButton)
            assert dialog.isVisible() and dialog.recipient.currentText() == "bob"
            assert (dialog.type.currentText(), dialog.title.text()) == ("message", "")
            dialog.reject()

            # Rooms: bob opens #ops; alice sees it among the open rooms, joins, gets its messages, leaves.
            assert (await bob.call("join_room", {"room": "ops"}))["ok"]
            await app.team.refresh_directory()  # what opening the menu does
            assert app.menu.texts(app.menu.rooms_menu) == ["Join #ops", "Join room…"]
            join = app.menu.find_action(app.menu.rooms_menu, "join:ops")
            assert join is not None
            join.trigger()
            await reporter.until(lambda: directory_has(reporter, my_rooms=["ops"]))
            assert app.menu.texts(app.menu.rooms_menu) == ["Leave #ops", "Join room…"]
            await bob.call("room_message", {"room": "ops", "type": "info", "title": "ops news", "message": "m"})
            await reporter.until(lambda: any(t.title.text() == "ops news" for t in app.stack.visible_toasts()))
            leave = app.menu.find_action(app.menu.rooms_menu, "leave:ops")
            assert leave is not None
            leave.trigger()
            await reporter.until(lambda: directory_has(reporter, my_rooms=[], open_rooms=["ops"]))

            # Membership is the hub's, per user: it survives a reconnect and a hub restart.
            join_by_name = app.menu.find_action(app.menu.rooms_menu, "join-by-name")
            assert join_by_name is not None
            join_by_name.trigger()
            assert app.team.room_prompt is not None
            app.team.room_prompt.setTextValue("#dev")
            app.team.room_prompt.accept()
            await reporter.until(lambda: directory_has(reporter, my_rooms=["dev"]))
            await bob.close()
            await running.stop()
            await reporter.until(lambda: reporter.last_state() in {"reconnecting", "offline"})
            mark = len(reporter.named("directory"))
            running = RunningHub(config)
            await running.start()
            app.status.network_changed(True)  # the OS says a network is back: retry now, not after the backoff
            await reporter.until(lambda: reporter.last_state() == "connected")
            await reporter.until(
                lambda: len(reporter.named("directory")) > mark and directory_has(reporter, my_rooms=["dev"])
            )
            bob = await connected_client(url, running.accounts, "bob")
            clients.append(bob)
            await bob.call("room_message", {"room": "dev", "type": "info", "title": "dev news", "message": "m"})
            await reporter.until(lambda: any(t.title.text() == "dev news" for t in app.stack.visible_toasts()))

            await app.quit()
            await asyncio.wait_for(run, WAIT)
        finally:
            for client in clients:
                await client.close()
            await running.stop()

    run_on_qasync(qapp, scenario)


def test_do_not_disturb_holds_toasts_and_summarises_at_the_end(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    wall = Wall()

    async def scenario() -> None:
        running = RunningHub(make_config(tmp_path / "hub"))
        url = await running.start()
        accounts = running.accounts
        await accounts.add_user("alice", "pw", admin=False)
        await accounts.add_user("bob", "pw", admin=True)
        bob = await connected_client(url, accounts, "bob")
        reporter = RecordingReporter()
        app = make_tray_app(qapp, tmp_path, prefs, reporter, clock=wall)
        run = asyncio.ensure_future(app.run())
        try:
            await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
            await app.signin.sign_in(url, "alice", "pw")
            await reporter.until(lambda: reporter.last_state() == "connected")
            app.menu.dnd_actions["hour"].trigger()
            assert reporter.named("dnd")[-1] == {
                "event": "dnd",
                "active": True,
                "held": 0,
                "text": "on until Wed 15:00",
            }
            assert app.dnd_timer.isActive() and app.dnd_timer.remainingTime() > 3_500_000
            assert app.status_window is not None and app.status_window.shown == ("connected", "", True)  # the moon
            for ntype in ("info", "message", "error", "system", "warning"):
                await bob.call("send_notification", {"to": "alice", "type": ntype, "title": ntype, "message": "m"})
            await reporter.until(lambda: app.unread.count == 5)  # counted in the badge...
            await app.history.show(None)
            assert len(app.history_window.rows()) == 5  # ...and the history
            assert [t["title"] for t in reporter.named("toast")] == ["error", "system"]  # these always show
            assert reporter.named("dnd")[-1]["held"] == 3

            wall.now += timedelta(hours=1)
            app.dnd_timer.timeout.emit()  # the timer armed for the end fires
            await reporter.until(lambda: len(reporter.named("toast")) == 3)
            assert reporter.named("toast")[-1]["title"] == "3 notifications while you were away"
            assert reporter.named("dnd")[-1] == {"event": "dnd", "active": False, "held": 0, "text": "off"}
            assert app.status_window.shown == ("connected", "5", False)

            # Quiet hours from the settings do the same on a schedule.
            prefs.save({"dnd/quiet_hours": "15:30-08:00"})
            app.apply_preferences()
            wall.now += timedelta(minutes=30)
            app.dnd_timer.timeout.emit()
            assert reporter.named("dnd")[-1]["text"] == "quiet hours (15:30-08:00)"
            await bob.call("send_notification", {"to": "alice", "type": "info", "title": "late", "message": "m"})
            await reporter.until(lambda: app.unread.count == 6)
            assert len(reporter.named("toast")) == 3
            wall.now = wall.now.replace(hour=8) + timedelta(days=1)
            app.dnd_timer.timeout.emit()
            await reporter.until(lambda: len(reporter.named("toast")) == 4)
            assert reporter.named("toast")[-1]["title"] == "1 notification while you were away"
            await app.quit()
            await asyncio.wait_for(run, WAIT)
        finally:
            await bob.close()
            await running.stop()

    run_on_qasync(qapp, scenario)


def test_a_second_start_opens_the_settings_at_the_tab_it_names(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    app = TrayApp(
        qapp, data_dir=tmp_path, preferences=prefs, credentials=MemoryCredentialStore(), reporter=RecordingReporter(),
        use_tray=False,
    )  # fmt: skip
    dialog = app.settings.dialog
    app.commands.run("settings notifications")  # notify-tray --settings notifications
    assert dialog.isVisible() and dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Notifications"
    app.commands.run("settings hosting")
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Startup and hosting"
    app.commands.run("settings")  # no tab named: the one last shown
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Startup and hosting"
    dialog.hide()


def test_settings_are_saved_and_applied_at_once(
    qapp: QApplication, tmp_path: Path, prefs: Preferences, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))  # the login entry's icon goes there
    app = TrayApp(
        qapp, data_dir=tmp_path, preferences=prefs, credentials=MemoryCredentialStore(), reporter=RecordingReporter(),
        use_tray=False,
    )  # fmt: skip
    app.settings.open()
    dialog = app.settings.dialog
    assert dialog.isVisible() and dialog.account.text() == "Not signed in"
    assert dialog.durations["warning"].value() == 10 and dialog.durations["error"].value() == 0  # 0: until closed
    dialog.corner.setCurrentText("Bottom left")
    dialog.durations["info"].setValue(0)
    dialog.durations["warning"].setValue(3)
    dialog.sounds["info"].setChecked(True)
    dialog.sounds["error"].setChecked(False)
    dialog.autostart.setChecked(True)
    dialog.quiet.setChecked(True)
    QTest.mouseClick(dialog.buttons.buttons()[0], Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert prefs.toast_corner == "bottom-left" and app.stack.corner == "bottom-left"
    assert prefs.toast_duration("info") is None and prefs.toast_duration("warning") == 3
    assert prefs.sound("info") and not prefs.sound("error")
    assert prefs.quiet_hours == "19:00-08:00" and app.dnd.quiet_hours is not None
    entry = tmp_path / "config" / "autostart" / "lan-notify-tray.desktop"
    assert "Exec=" in entry.read_text() and "desktop.app" in entry.read_text()
    from tests.support.notes import note

    app.toasts.push(note(1, "info"))
    app.toasts.push(note(2, "warning"))
    timeouts = {t.style: t.timeout for t in app.toasts.view().visible}
    assert timeouts == {"info": None, "warning": 3.0}
    assert [e["type"] for e in app.report.named("sound")] == ["info", "warning"]  # type: ignore[attr-defined]
    assert app.report.named("sound")[0]["result"] in {"played", "beep", "silent"}  # type: ignore[attr-defined]
    assert app.report.named("sound")[1]["result"] == "off"  # type: ignore[attr-defined]
    app.settings.open()
    dialog.autostart.setChecked(False)
    dialog.hub.setText("http://elsewhere.lan:8765")
    dialog.submit()
    assert not entry.exists()
    assert app.dialog.isVisible() and app.dialog.hub.text() == "http://elsewhere.lan:8765"  # sign in there
    assert app.dialog.reason.text() == "Sign in to the new hub address."
    app.dialog.hide()
    assert all("token" not in key and "password" not in key for key in prefs.keys())
    app.stack.close_all()


def test_a_scripts_account_is_not_offered_nor_counted_as_a_recipient(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    async def scenario() -> None:
        reporter = RecordingReporter()
        app = make_tray_app(qapp, tmp_path, prefs, reporter)
        async with hub_with(tmp_path / "hub", bob="pw-bob") as (url, accounts), app_running(app):
            await accounts.add_user("alice", "pw-alice", admin=True)
            await accounts.add_user("ci", None, admin=False, token_only=True)  # a script's account: it only sends
            await accounts.issue_token("ci", "cron", TokenKind.SEND)
            await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
            await app.signin.sign_in(url, "alice", "pw-alice")
            await reporter.until(lambda: directory_has(reporter, admin=True))
            app.compose.open()
            await app.team.refresh_directory()
            assert [r.label for r in app.compose.dialog.offered] == ["bob", "alice", "Everyone"]
            assert app.menu.find_action(app.menu.online_menu, "watch:bob") is not None
            assert app.menu.find_action(app.menu.online_menu, "watch:ci") is None  # it never comes online
            # To everyone: the hub stored it for 3 accounts, of which 2 are people.
            app.compose.dialog.recipient.setEditText("Everyone")
            app.compose.dialog.text.setPlainText("lunch at noon")
            app.compose.dialog.submit()
            await reporter.until(lambda: bool(reporter.named("sent")))
            assert reporter.named("sent")[-1]["text"] == "Sent to Everyone (2 recipients)."
            # Typed by hand, the script's account is refused in words before anything is sent.
            app.compose.dialog.recipient.setEditText("ci")
            app.compose.dialog.text.setPlainText("hello?")
            app.compose.dialog.submit()
            await reporter.until(lambda: bool(reporter.named("send_failed")))
            assert app.compose.dialog.answer.text() == (
                "ci cannot receive notifications: it is an account that only sends (a script's)."
            )

    run_on_qasync(qapp, scenario)
