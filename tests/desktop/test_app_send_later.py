"""The tray app's "Send later" against a real hub, on a qasync loop: the hub keeps the send, the dialog says
when it will be delivered, and the hub's list of pending sends has it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.core.later import When
from desktop.core.preferences import Preferences
from tests.support.apps import RecordingReporter, app_running, hub_with, make_tray_app, run_on_qasync


def test_a_message_sent_later_is_scheduled_at_the_hub_and_the_dialog_says_when(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    async def scenario() -> None:
        async with hub_with(tmp_path / "hub", alice="pw-alice", bob="pw-bob") as (url, accounts):
            reporter = RecordingReporter()
            async with app_running(make_tray_app(qapp, tmp_path, prefs, reporter)) as app:
                await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
                await app.signin.sign_in(url, "alice", "pw-alice")
                await reporter.until(lambda: reporter.last_state() == "connected")
                app.compose.open("bob")
                dialog = app.compose.dialog
                QTest.keyClicks(dialog.text, "stand-up in 5")
                dialog.when.setCurrentText(When.TOMORROW_MORNING.value)
                QTest.keyClick(dialog.text, Qt.Key.Key_Return)
                await reporter.until(lambda: bool(reporter.named("sent")))

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
