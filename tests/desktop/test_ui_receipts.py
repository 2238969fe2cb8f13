"""Receipts and read state in the tray app's widgets (offscreen): compose asks for a receipt, and the
history's detail pane shows "Delivered to … · Seen by …" for what the user sent."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop.core.compose import recipients_for, types_for
from desktop.core.history import StoredNotification
from desktop.core.readstate import Receipt, ReceiptState
from desktop.ui.compose import ComposeDialog
from desktop.ui.history_window import HistoryWindow
from tests.support.notes import note
from tests.support.shots import output_dir

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def test_compose_asks_for_a_receipt_when_ticked(qtbot: QtBot) -> None:
    dialog = ComposeDialog()
    qtbot.addWidget(dialog)
    dialog.set_recipients(recipients_for(me="alice", users=["alice", "bob"], online=[], my_rooms=[], admin=False))
    dialog.set_types(types_for(False))
    dialog.start("bob")
    dialog.show()
    QTest.keyClicks(dialog.text, "Did you see the page?")
    assert dialog.receipt.text() == "Ask for a receipt" and not dialog.receipt.isChecked()
    box = dialog.receipt  # a click on its box (the middle of its row is past its short text)
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(box.height() // 2, box.height() // 2))
    with qtbot.waitSignal(dialog.send_requested) as sent:
        QTest.keyClick(dialog.text, Qt.Key.Key_Return)

    assert sent.args[0].receipt is True


def delivered_and_seen() -> ReceiptState:
    events = [
        {"id": 51, "status": "delivered", "user": "bob", "delivered_devices": 1, "seen": 0},
        {"id": 52, "status": "delivered", "user": "bob", "delivered_devices": 2, "seen": 0},
        {"id": 53, "status": "seen", "user": "bob", "delivered_devices": 2, "seen": 1},
    ]
    state = ReceiptState(50)
    for e in events:
        state = state.with_receipt(Receipt.from_wire({"notification_id": 50, "addressees": 1, "delivered": 1, **e}))
    return state


@pytest.fixture
def window(qtbot: QtBot) -> HistoryWindow:
    w = HistoryWindow()
    qtbot.addWidget(w)
    w.detail.me = "alice"
    page = "db-1 is down: replication stopped at 09:12. Please look before the nightly backup."
    w.set_entries(
        [
            StoredNotification(note(50, "error", title="db-1 is down", message=page, sender="alice"), read=True),
            StoredNotification(
                note(44, "info", title="Nightly backup finished", message="1.2 GB copied to nas-01.", sender="backup"),
                read=True,
            ),
            StoredNotification(
                note(41, "warning", title="Disk almost full on build-7", message="/var is at 91 %.", sender="ci"),
                read=False,
            ),
        ],
        NOW,
    )
    w.set_counts(3, 1)
    w.resize(900, 640)
    w.show()
    return w


def test_the_detail_pane_shows_the_receipts_of_what_was_sent(qtbot: QtBot, window: HistoryWindow) -> None:
    detail = window.detail
    window.select_notification(50)
    detail.set_receipt(50, delivered_and_seen().text())
    assert detail.receipt.isVisible() and detail.receipt.text() == "Delivered to bob (2 devices) · Seen by bob"

    detail.set_receipt(44, "Delivered to 1 of 1 · Not seen yet")  # not the one shown: nothing
    assert detail.receipt.text() == "Delivered to bob (2 devices) · Seen by bob"
    window.select_notification(44)
    assert not detail.receipt.isVisible()


def meta(window: HistoryWindow) -> dict[str, str]:
    """The detail pane's rows as shown: {"From": "backup", "Time": ...}, or {"To": "bob", ...}."""
    form, shown = window.detail.form, {}
    for field in (window.detail.from_label, window.detail.room_label):
        label = form.labelForField(field)
        if field.isVisible() and isinstance(label, QLabel):
            shown[label.text()] = field.text()
    return shown


def test_what_the_user_sent_reads_to_its_addressee_and_what_came_reads_from_its_sender(
    qtbot: QtBot, window: HistoryWindow
) -> None:
    window.select_notification(50)
    window.detail.set_sent(50, "bob")
    assert meta(window) == {"To": "bob"}
    window.select_notification(44)
    window.detail.set_sent(50, "bob")  # about another one: what is shown stays
    assert meta(window) == {"From": "backup"}


def test_a_room_send_reads_to_the_room_with_its_counts(qtbot: QtBot) -> None:
    w = HistoryWindow()
    qtbot.addWidget(w)
    w.detail.me = "alice"
    sent = note(60, "info", title="Deploy api 2.14", message="Starts at 17:00.", sender="alice", room="ops")
    w.set_entries([StoredNotification(sent, read=True)], NOW)
    w.show()
    w.select_notification(60)
    w.detail.set_sent(60, "#ops")
    w.detail.set_receipt(60, "Delivered to 3 of 12 · Seen by 2 of 12")
    assert meta(w) == {"To": "#ops"}  # no Room row besides: "To #ops" says it
    assert w.detail.receipt.isVisible() and w.detail.receipt.text() == "Delivered to 3 of 12 · Seen by 2 of 12"


@pytest.mark.screenshots
def test_screenshot_of_a_sent_page_with_its_receipts(qtbot: QtBot, window: HistoryWindow) -> None:
    window.select_notification(50)
    window.detail.set_sent(50, "bob")
    window.detail.set_receipt(50, delivered_and_seen().text())
    qtbot.waitUntil(lambda: window.detail.receipt.isVisible())
    assert window.grab().save(str(output_dir() / "history-receipt.png"))
