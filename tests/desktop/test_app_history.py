"""The history window in the whole app on a qasync loop against a real hub: opened at a toast's notification it
shows it whole and marks it read; read marks per row and for what a filter shows; Reply; delete and clear
for good; a long history paged through to an old notification.

Like tests/desktop/test_app.py, each scenario runs on a `qasync.QEventLoop` it builds itself.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.app.tray_app import TrayApp
from desktop.core.history import PAGE, HistoryStore, StoredNotification, history_path
from desktop.core.preferences import Preferences
from hub.server import RunningHub
from tests.support.apps import RecordingReporter, connected_client, make_tray_app, run_on_qasync
from tests.support.hubs import make_config
from tests.support.notes import note
from tests.support.waiting import WAIT

LONG = "\n".join(f"step {i}: " + "compiling module " * 15 for i in range(14))  # ~3.7 KB: near the hub's 4 KB limit


def unread_in(app: TrayApp, row: int) -> bool:
    return app.history_window.is_bold(row)


def test_history_rows_open_whole_mark_reply_delete_and_clear(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    async def scenario() -> None:
        running = RunningHub(make_config(tmp_path / "hub"))
        url = await running.start()
        accounts = running.accounts
        await accounts.add_user("alice", "pw", admin=False)
        await accounts.add_user("bob", "pw", admin=False)
        bob = await connected_client(url, accounts, "bob")
        reporter = RecordingReporter()
        app = make_tray_app(qapp, tmp_path, prefs, reporter)
        run = asyncio.ensure_future(app.run())
        try:
            await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
            await app.signin.sign_in(url, "alice", "pw")
            await reporter.until(lambda: reporter.last_state() == "connected")
            ids = {}
            for key, ntype, message in (("disk", "error", "disk full"), ("build", "error", LONG),
                                        ("backup", "info", "done"), ("lunch", "message", "lunch?"),
                                        ("db", "error", "db down")):  # fmt: skip
                ack = await bob.call("send_notification", {"to": "alice", "type": ntype, "title": key if
                                                           ntype != "message" else "", "message": message})  # fmt: skip
                ids[key] = ack["id"]
            await reporter.until(lambda: app.unread.count == 5)

            # A toast's click opens the history at that notification: all of it shows, and it is read now.
            await app.history.show(ids["build"])
            window = app.history_window
            assert window.detail.body.toPlainText() == LONG
            assert window.selected_id() == ids["build"]
            assert app.unread.count == 4
            assert window.count_label.text() == "5 notifications · 4 unread"

            # Mark read what the Error filter shows: the errors, not the info nor the message.
            window.type_filter.setCurrentIndex(window.type_filter.findData("error"))
            await reporter.until(lambda: len(window.rows()) == 3)
            assert window.mark_read_button.text() == "Mark these read"
            QTest.mouseClick(window.mark_read_button, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: window.count_label.text() == "3 shown · all read")
            assert app.unread.count == 2
            window.type_filter.setCurrentIndex(0)
            await reporter.until(lambda: len(window.rows()) == 5)
            titles = [row[0] for row in window.rows()]
            assert [unread_in(app, row) for row in range(5)] == [t in {"Message", "backup"} for t in titles]

            # Opening the message marks it read; Reply answers bob with a message; marking it unread again counts.
            window.select_notification(ids["lunch"])
            await reporter.until(lambda: window.detail.read_button.text() == "Mark as unread")
            assert app.unread.count == 1
            compose = app.compose.dialog
            compose.type.setCurrentText("warning")
            QTest.mouseClick(window.detail.reply_button, Qt.MouseButton.LeftButton)
            assert compose.isVisible() and compose.recipient.currentText() == "bob"
            assert (compose.type.currentText(), compose.title.text()) == ("message", "")
            compose.reject()
            QTest.mouseClick(window.detail.read_button, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: app.unread.count == 2)

            # Delete one: gone from the list and the badge; then clear everything, after asking.
            window.select_notification(ids["backup"])
            await reporter.until(lambda: app.unread.count == 1)
            QTest.mouseClick(window.detail.delete_button, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: len(window.rows()) == 4)
            assert ids["backup"] not in window.model.ids()
            QTest.mouseClick(window.clear_button, Qt.MouseButton.LeftButton)
            clear = next(b for b in window.clear_box.buttons() if b.text() == "Clear history")
            QTest.mouseClick(clear, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: bool(reporter.named("history_cleared")))
            assert window.rows() == [] and app.unread.count == 0
            assert window.empty_label.text() == "No notifications yet."

            # What was cleared stays gone after a reconnect (the hub replays after it); what is new shows.
            await app.signin.close_session()
            await app.signin.sign_in(url, "alice", "pw")
            await reporter.until(lambda: reporter.named("state")[-1]["state"] == "connected")
            await bob.call("send_notification", {"to": "alice", "type": "success", "title": "later", "message": "m"})
            await reporter.until(lambda: app.unread.count == 1)
            await app.history.show(None)
            assert [row[0] for row in window.rows()] == ["later"]
            await app.quit()
            await asyncio.wait_for(run, WAIT)
        finally:
            await bob.close()
            await running.stop()

    run_on_qasync(qapp, scenario)


def test_a_long_history_opens_at_an_old_notification_page_by_page(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    async def scenario() -> None:
        running = RunningHub(make_config(tmp_path / "hub"))
        url = await running.start()
        await running.accounts.add_user("alice", "pw", admin=False)
        store = HistoryStore(history_path(tmp_path / "data", url, "alice"))  # a history kept from earlier days
        store.add_many([note(i, "warning" if i % 100 == 0 else "info") for i in range(1, 2001)])
        store.close()
        reporter = RecordingReporter()
        app = make_tray_app(qapp, tmp_path, prefs, reporter)
        run = asyncio.ensure_future(app.run())
        try:
            await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
            await app.signin.sign_in(url, "alice", "pw")
            await app.history.show(None)
            window = app.history_window
            assert window.model.rowCount() == PAGE  # a page, not the whole history
            assert window.count_label.text() == "2,000 notifications · 2,000 unread"
            await app.history.show(7)  # far down: pages load until it is there
            assert window.selected_id() == 7 and window.detail.title.text() == "Title 7"
            assert window.model.rowCount() >= 1994
            window.search.setText("Title 1234")
            window.flush_search()
            await reporter.until(lambda: [row[0] for row in window.rows()] == ["Title 1234"])
            window.search.clear()
            window.type_filter.setCurrentIndex(window.type_filter.findData("warning"))
            await reporter.until(lambda: len(window.rows()) == 20)
            assert all(isinstance(e, StoredNotification) for e in window.model.entries)
            await app.quit()
            await asyncio.wait_for(run, WAIT)
        finally:
            await running.stop()

    run_on_qasync(qapp, scenario)
