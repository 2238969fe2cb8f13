"""The "Scheduled sends" window: what the user scheduled and not yet delivered, with Cancel for each.

A thin widget: `set_rows()` shows what `desktop.core.scheduled.rows` made of the hub's list,
`cancel_requested(key)` and `refresh_requested()` say what the user asked. Texts come from the
network, so they are shown as plain text.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.scheduled import NO_KEY_TEXT, PendingRow
from desktop.ui.fit import keep_fitted

HEADERS = ("When", "To", "Message", "")


class ScheduledWindow(QDialog):
    #: The key of the pending send(s) to cancel.
    cancel_requested = Signal(str)
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Scheduled sends")
        self.setObjectName("scheduledWindow")
        self.summary = QLabel("Loading…")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.problem = QLabel()
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b91c1c;")
        self.problem.hide()
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh_requested)
        close = QPushButton("Close")
        close.clicked.connect(self.hide)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self.cancel_buttons: dict[str, QPushButton] = {}
        self.table.setMinimumHeight(120)  # a header and a few rows, however small the window is dragged
        self.setMinimumWidth(480)
        self.resize(680, 280)
        keep_fitted(self)  # a problem shown under the list wraps without squeezing it

    def set_rows(self, summary: str, rows: Sequence[PendingRow]) -> None:
        self.summary.setText(summary)
        self.table.setRowCount(len(rows))
        self.cancel_buttons = {}
        for index, row in enumerate(rows):
            for column, text in enumerate((row.when, row.to, row.text)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(index, column, item)
            button = QPushButton("Cancel")
            if row.key:
                button.clicked.connect(lambda _=False, key=row.key: self.cancel_requested.emit(key))
                self.cancel_buttons.setdefault(row.key, button)
            else:
                button.setEnabled(False)
                button.setToolTip(NO_KEY_TEXT)
            cell = QWidget()  # the button inside its cell, clear of the grid lines
            inner = QHBoxLayout(cell)
            inner.setContentsMargins(4, 2, 4, 2)
            inner.addWidget(button)
            self.table.setCellWidget(index, 3, cell)
            self.table.setRowHeight(index, cell.sizeHint().height())
        self.table.setVisible(bool(rows))

    def cancel_button(self, row: int) -> QPushButton:
        """The Cancel of a row."""
        cell = self.table.cellWidget(row, 3)
        button = cell.findChild(QPushButton) if cell is not None else None
        assert button is not None
        return button

    def shown(self) -> list[list[str]]:
        """What the list shows, row by row: [when, to, message]."""
        table = self.table
        return [
            [item.text() if (item := table.item(r, c)) is not None else "" for c in range(3)]
            for r in range(table.rowCount())
        ]

    def show_problem(self, text: str) -> None:
        """A sentence under the list ("" hides it): the hub could not be reached, the cancel was refused..."""
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        self.refresh_button.setEnabled(not busy)
        for button in self.cancel_buttons.values():
            button.setEnabled(not busy)
