"""The history window: every notification received, newest first, with type filter, search and mark-all-read.

A dumb widget: it shows the entries it is given and emits `query_changed` when the user changes
the filter or the search; the app runs the query on the history store and calls `set_entries`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.bidi import isolate
from desktop.core.history import GapMarker, HistoryEntry, StoredNotification
from desktop.core.timefmt import relative_time
from desktop.ui.icons import type_icon
from hub.protocol import NotificationType

COLUMNS: Final = ("Title", "Message", "From", "Room", "Time")
ID_ROLE: Final = Qt.ItemDataRole.UserRole
GAP_TEXT: Final = "Some notifications were missed here"
SEARCH_DELAY_MS: Final = 200


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class HistoryWindow(QWidget):
    #: (set of NotificationType or None for all, search text)
    query_changed = Signal(object, str)
    mark_all_read_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("lan-notify history")
        self.resize(820, 520)

        self.type_filter = QComboBox()
        self.type_filter.setAccessibleName("Filter by type")
        self.type_filter.addItem("All types", None)
        for ntype in NotificationType:
            self.type_filter.addItem(type_icon(ntype.value), ntype.value.capitalize(), ntype.value)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search title, text, sender or room")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search")
        self.unread_label = QLabel()
        self.unread_label.setTextFormat(Qt.TextFormat.PlainText)
        self.mark_read_button = QPushButton("Mark all read")
        self.mark_read_button.clicked.connect(self.mark_all_read_requested)

        self.list = QTreeWidget()
        self.list.setHeaderLabels(list(COLUMNS))
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.list.header()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.list.setColumnWidth(0, 220)
        self.empty_label = QLabel()
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        bar = QHBoxLayout()
        bar.addWidget(self.type_filter)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.unread_label)
        bar.addWidget(self.mark_read_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty_label)

        # Typing waits for a short pause before asking again; the filter asks at once.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._emit_query)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self._emit_query)
        self.type_filter.currentIndexChanged.connect(lambda _index: self._emit_query())
        self.set_unread(0)
        self.set_entries([], datetime.now().astimezone())

    # ------------------------------------------------------------------ the query

    def query(self) -> tuple[frozenset[NotificationType] | None, str]:
        value = self.type_filter.currentData()
        types = None if value is None else frozenset({NotificationType(value)})
        return types, self.search.text().strip()

    def _emit_query(self) -> None:
        self._search_timer.stop()
        types, search = self.query()
        self.query_changed.emit(types, search)

    def flush_search(self) -> None:
        """Send a pending search now (instead of after the typing pause)."""
        if self._search_timer.isActive():
            self._emit_query()

    # ------------------------------------------------------------------ showing

    def set_unread(self, count: int) -> None:
        self.unread_label.setText(f"{count} unread" if count else "All read")
        self.mark_read_button.setEnabled(count > 0)

    def set_entries(self, entries: list[HistoryEntry], now: datetime) -> None:
        selected = self.selected_id()
        self.list.clear()
        for entry in entries:
            self.list.addTopLevelItem(self._item(entry, now))
        types, search = self.query()
        if entries:
            self.empty_label.hide()
        else:
            self.empty_label.setText("Nothing matches." if types or search else "No notifications yet.")
            self.empty_label.show()
        if selected is not None:
            self.select_notification(selected)

    def _item(self, entry: HistoryEntry, now: datetime) -> QTreeWidgetItem:
        if isinstance(entry, GapMarker):
            gap = entry.gap
            item = QTreeWidgetItem([GAP_TEXT, gap.message, "", "", relative_time(entry.received_at, now)])
            item.setToolTip(0, f"Notifications after #{gap.since} up to #{gap.upto} could not be replayed.")
            item.setData(0, ID_ROLE, None)
            font = QFont()
            font.setItalic(True)
            for column in range(len(COLUMNS)):
                item.setFont(column, font)
                item.setForeground(column, QBrush(QColor("#b45309")))
            item.setIcon(0, type_icon("warning"))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            return item
        assert isinstance(entry, StoredNotification)
        n = entry.notification
        item = QTreeWidgetItem(
            [
                isolate(_one_line(n.heading)),
                isolate(_one_line(n.message)),
                n.sender,
                n.room or "",
                relative_time(n.timestamp, now),
            ]
        )
        item.setIcon(0, type_icon(n.type.value))
        item.setData(0, ID_ROLE, n.id)
        item.setToolTip(1, isolate(n.message))
        item.setToolTip(4, n.timestamp.astimezone().strftime("%Y-%m-%d %H:%M:%S"))
        if not entry.read:
            font = QFont()
            font.setBold(True)
            for column in range(len(COLUMNS)):
                item.setFont(column, font)
        return item

    # ------------------------------------------------------------------ reading (for the app and tests)

    def items(self) -> list[QTreeWidgetItem]:
        found = (self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount()))
        return [item for item in found if item is not None]

    def rows(self) -> list[tuple[str, ...]]:
        """What the list shows, row by row."""
        return [tuple(item.text(c) for c in range(len(COLUMNS))) for item in self.items()]

    def selected_id(self) -> int | None:
        items = self.list.selectedItems()
        if not items:
            return None
        value = items[0].data(0, ID_ROLE)
        return value if isinstance(value, int) else None

    def select_notification(self, notification_id: int) -> bool:
        """Select and scroll to a notification; False when it is not in the list (filtered out)."""
        for item in self.items():
            if item.data(0, ID_ROLE) == notification_id:
                self.list.setCurrentItem(item)
                self.list.scrollToItem(item, QAbstractItemView.ScrollHint.PositionAtCenter)
                return True
        return False

    def reset_query(self, *, emit: bool = True) -> None:
        """Show everything again (opening the history at an item that a filter hides)."""
        self.type_filter.blockSignals(True)
        self.search.blockSignals(True)
        self.type_filter.setCurrentIndex(0)
        self.search.clear()
        self.type_filter.blockSignals(False)
        self.search.blockSignals(False)
        if emit:
            self._emit_query()
