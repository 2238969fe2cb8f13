"""The history window offscreen: the detail pane shows a notification whole; rows are marked, deleted, cleared;
the list is a model that takes 10,000 rows and asks for the next page as it scrolls."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.core.history import HistoryEntry, StoredNotification
from desktop.ui.history_window import HistoryWindow
from hub.protocol import Kind
from tests.support.notes import note

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
LONG = "\n".join(f"line {i}: " + "build output " * 20 for i in range(20))  # ~5 KB, 20 lines


@pytest.fixture
def window(qtbot: QtBot) -> HistoryWindow:
    w = HistoryWindow()
    qtbot.addWidget(w)
    w.detail.me = "alice"
    w.set_entries(
        [
            StoredNotification(note(3, "message", title="", message="lunch?", sender="bob"), read=False),
            StoredNotification(
                note(2, "error", title="Build failed", message=LONG, room="ci", sender="jenkins", kind=Kind.ROOM),
                read=False,
            ),
            StoredNotification(note(1, "message", message="note to self", sender="alice"), read=True),
        ],
        NOW,
    )
    w.show()
    return w


def test_the_detail_pane_shows_the_whole_notification(qtbot: QtBot, window: HistoryWindow) -> None:
    detail = window.detail
    assert not detail.content.isVisible() and detail.empty.isVisible()
    with qtbot.waitSignal(window.opened) as opened:
        window.select_notification(2)
    assert opened.args == [2]
    assert detail.title.text() == "Build failed"
    assert detail.body.toPlainText() == LONG  # all of it, not the list's one line
    assert (detail.from_label.text(), detail.room_label.text()) == ("jenkins", "#ci")
    assert detail.time_label.text().startswith("2026-11-25 ") and detail.time_label.text().endswith("(30 min ago)")
    assert detail.body.isReadOnly()
    assert detail.body.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert detail.title.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert detail.read_button.text() == "Mark as read"
    assert not detail.reply_button.isVisibleTo(detail)  # an error: nobody to answer
    with qtbot.waitSignal(detail.copied):
        QTest.mouseClick(detail.copy_button, Qt.MouseButton.LeftButton)
    clipboard = QGuiApplication.clipboard()
    assert clipboard is not None and clipboard.text() == LONG


def test_reply_from_the_detail_pane(qtbot: QtBot, window: HistoryWindow) -> None:
    window.select_notification(3)
    assert window.detail.reply_button.isVisibleTo(window.detail)
    with qtbot.waitSignal(window.reply_requested) as reply:
        QTest.mouseClick(window.detail.reply_button, Qt.MouseButton.LeftButton)
    assert reply.args == ["bob"]
    window.select_notification(1)  # my own note: nobody to answer
    assert not window.detail.reply_button.isVisibleTo(window.detail)


def test_read_marks_and_delete_per_row(qtbot: QtBot, window: HistoryWindow) -> None:
    window.select_notification(1)
    with qtbot.waitSignal(window.read_requested) as marked:
        QTest.mouseClick(window.detail.read_button, Qt.MouseButton.LeftButton)
    assert marked.args == [[1], False]  # read: mark it unread again
    window.set_read([1], False)
    assert window.is_bold(2) and window.detail.read_button.text() == "Mark as read"
    with qtbot.waitSignal(window.delete_requested) as deleted:
        QTest.mouseClick(window.detail.delete_button, Qt.MouseButton.LeftButton)
    assert deleted.args == [[1]]
    window.remove([1])
    assert [row[0] for row in window.rows()] == ["Message", "Build failed"]


def test_the_row_menu_and_the_delete_key_act_on_the_selected_rows(qtbot: QtBot, window: HistoryWindow) -> None:
    window.list.selectAll()
    assert window.selected_ids() == [3, 2, 1]
    with qtbot.waitSignal(window.delete_requested) as deleted:
        QTest.keyClick(window.list, Qt.Key.Key_Delete)
    assert deleted.args == [[3, 2, 1]]
    window.list.customContextMenuRequested.emit(QPoint(10, 10))
    menu = next(m for m in window.findChildren(QMenu) if m.isVisible())
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Mark as read", "Delete"]  # some are unread: mark them all read
    with qtbot.waitSignal(window.read_requested) as marked:
        menu.actions()[0].trigger()
    assert marked.args == [[3, 2, 1], True]
    menu.close()


def test_clear_asks_first(qtbot: QtBot, window: HistoryWindow) -> None:
    window.set_counts(3, 2)
    with qtbot.assertNotEmitted(window.clear_requested):
        QTest.mouseClick(window.clear_button, Qt.MouseButton.LeftButton)
        box = window.clear_box
        assert box.isVisible() and "will not come back" in box.text()
        QTest.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.clear_requested):
        QTest.mouseClick(window.clear_button, Qt.MouseButton.LeftButton)
        clear = next(b for b in window.clear_box.buttons() if b.text() == "Clear history")
        QTest.mouseClick(clear, Qt.MouseButton.LeftButton)


def test_arrivals_fetched_twice_show_once(window: HistoryWindow) -> None:
    """Two arrivals close together each fetch what came after the same top row: each shows once."""
    four, five = (StoredNotification(note(n, "info", message=f"#{n}"), read=False) for n in (4, 5))
    window.add_newer([four], NOW)
    window.add_newer([five, four], NOW)
    shown = [window.model.entry(row) for row in range(window.model.rowCount())]
    assert [e.notification.id for e in shown if isinstance(e, StoredNotification)] == [5, 4, 3, 2, 1]


def test_ten_thousand_rows_and_the_next_page_as_it_scrolls(qtbot: QtBot, window: HistoryWindow) -> None:
    entries: list[HistoryEntry] = [StoredNotification(note(i, "info"), read=i % 3 == 0) for i in range(10_000, 0, -1)]
    window.set_entries(entries, NOW, has_more=True)
    assert window.model.rowCount() == 10_000
    assert window.rows()[-1][0] == "Title 1"
    with qtbot.waitSignal(window.model.more_wanted):
        window.list.scrollToBottom()  # the view asks for more at the end of what it has
    window.add_page([StoredNotification(note(0, "info"), read=False)], has_more=False)
    assert window.model.rowCount() == 10_001 and not window.model.canFetchMore(window.list.rootIndex())
    assert window.select_notification(5_000)
    assert window.detail.title.text() == "Title 5000"
