"""The "Scheduled sends" window (offscreen): one row per pending send (local time, addressee, text), Cancel
asks to cancel that one's key, and a send scheduled without a key has its Cancel disabled, saying why."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop.core.scheduled import NO_KEY_TEXT, PendingRow, summary
from desktop.ui.scheduled_window import ScheduledWindow
from tests.support.layout import problems_at_sizes

ROWS = [
    PendingRow("17:00", "bob", "Stand-up: in 5 minutes", "tray-1a2b"),
    PendingRow("tomorrow 09:00", "#ops", "<b>deploy</b> api 2.14", ""),
]


def test_each_pending_send_shows_as_a_row_and_cancel_asks_for_its_key(qtbot: QtBot) -> None:
    window = ScheduledWindow()
    qtbot.addWidget(window)
    window.set_rows(summary(len(ROWS)), ROWS)
    window.show()

    assert window.shown() == [
        ["17:00", "bob", "Stand-up: in 5 minutes"],
        ["tomorrow 09:00", "#ops", "<b>deploy</b> api 2.14"],  # plain text, as sent
    ]
    assert window.summary.text() == "2 scheduled sends, soonest first."
    first, second = window.cancel_button(0), window.cancel_button(1)
    assert second.isEnabled() is False and second.toolTip() == NO_KEY_TEXT
    with qtbot.waitSignal(window.cancel_requested) as asked:
        QTest.mouseClick(first, Qt.MouseButton.LeftButton)
    assert asked.args == ["tray-1a2b"]


def test_nothing_scheduled_says_so_and_a_problem_shows_under_the_list(qtbot: QtBot) -> None:
    window = ScheduledWindow()
    qtbot.addWidget(window)
    window.show()
    window.set_rows(summary(0), [])
    assert window.table.isHidden() and window.summary.text().startswith("Nothing scheduled")
    window.show_problem("Already delivered or cancelled.")
    assert window.problem.isVisible() and window.problem.text() == "Already delivered or cancelled."
    with qtbot.waitSignal(window.refresh_requested):
        QTest.mouseClick(window.refresh_button, Qt.MouseButton.LeftButton)


def test_the_window_lays_out_with_rows_and_a_problem_as_shown_and_at_its_minimum_size(qtbot: QtBot) -> None:
    window = ScheduledWindow()
    qtbot.addWidget(window)
    window.set_rows(summary(len(ROWS)), ROWS)
    window.show_problem("Not cancelled: Cannot reach the hub at http://hub.lan:8765: check the address.")
    window.show()
    qtbot.waitExposed(window)
    assert problems_at_sizes(window) == []
