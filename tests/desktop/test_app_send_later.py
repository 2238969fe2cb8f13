"""The tray app's "Send later" against a real hub, on a qasync loop: the hub keeps the send, the dialog says
when it will be delivered, the hub's list of pending sends has it, and "Scheduled sends…" lists and
cancels it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.app.tray_app import TrayApp
from desktop.core.later import When
from desktop.core.preferences import Preferences
from hub.auth import Accounts
from tests.support.apps import RecordingReporter, app_running, hub_with, make_tray_app, run_on_qasync


@asynccontextmanager
async def sent_later(
    qapp: QApplication, folder: Path, prefs: Preferences, when: When
) -> AsyncIterator[tuple[TrayApp, RecordingReporter, Accounts]]:
    """alice's app, signed in to a real hub, once compose sent "stand-up in 5" to bob `when` said."""
    async with hub_with(folder / "hub", alice="pw-alice", bob="pw-bob") as (url, accounts):
        reporter = RecordingReporter()
        async with app_running(make_tray_app(qapp, folder, prefs, reporter)) as app:
            await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
            await app.signin.sign_in(url, "alice", "pw-alice")
            await reporter.until(lambda: reporter.last_state() == "connected")
            app.compose.open("bob")
            QTest.keyClicks(app.compose.dialog.text, "stand-up in 5")
            app.compose.dialog.when.setCurrentText(when.value)
            QTest.keyClick(app.compose.dialog.text, Qt.Key.Key_Return)
            await reporter.until(lambda: bool(reporter.named("sent")))
            yield app, reporter, accounts


def test_a_message_sent_later_is_scheduled_at_the_hub_and_the_dialog_says_when(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    async def scenario() -> None:
        async with sent_later(qapp, tmp_path, prefs, When.TOMORROW_MORNING) as (app, _, accounts):
            dialog = app.compose.dialog
            alice = await accounts.store.get_user("alice")
            assert alice is not None
            [pending] = await accounts.store.schedule.pending(alice.id)
            morning = datetime.combine(datetime.now().date() + timedelta(days=1), datetime.min.time())
            due = datetime.fromtimestamp(pending.new.deliver_at / 1000)
            assert due == morning.replace(hour=9)
            assert pending.new.message == "stand-up in 5"
            assert dialog.answer.text().startswith("Scheduled for bob: delivered at tomorrow 09:00")
            assert dialog.when.currentText() == When.NOW.value

    run_on_qasync(qapp, scenario)


def test_a_send_later_from_compose_is_listed_in_scheduled_sends_and_cancelled_there(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    async def scenario() -> None:
        async with sent_later(qapp, tmp_path, prefs, When.IN_1_HOUR) as (app, reporter, accounts):
            app.menu.scheduled_action.trigger()  # "Scheduled sends…" in the tray menu
            await reporter.until(lambda: bool(reporter.named("scheduled_shown")))
            window = app.scheduled.window
            assert window.isVisible()
            [row] = reporter.named("scheduled_shown")[-1]["rows"]
            assert row[1:3] == ["bob", "stand-up in 5"] and row[3].startswith("tray-")
            assert window.shown()[0][1:] == ["bob", "stand-up in 5"]

            # another one from compose while the window is open: it is listed at once
            app.compose.open("bob")
            QTest.keyClicks(app.compose.dialog.text, "retro at 4")
            app.compose.dialog.when.setCurrentText(When.TOMORROW_MORNING.value)
            QTest.keyClick(app.compose.dialog.text, Qt.Key.Key_Return)
            await reporter.until(lambda: len(reporter.named("scheduled_shown")) == 2)
            assert [r[2] for r in reporter.named("scheduled_shown")[-1]["rows"]] == ["stand-up in 5", "retro at 4"]

            QTest.mouseClick(window.cancel_buttons[row[3]], Qt.MouseButton.LeftButton)
            await reporter.until(lambda: len(reporter.named("scheduled_shown")) == 3)
            assert reporter.named("scheduled_cancelled")[-1]["count"] == 1
            assert [r[2] for r in reporter.named("scheduled_shown")[-1]["rows"]] == ["retro at 4"]
            assert window.summary.text() == "1 scheduled send, soonest first."
            alice = await accounts.store.get_user("alice")
            assert alice is not None
            assert [p.new.message for p in await accounts.store.schedule.pending(alice.id)] == ["retro at 4"]

    run_on_qasync(qapp, scenario)
