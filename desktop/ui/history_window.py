"""The history window: every notification received, newest first, with type filter and search; the one chosen
shows whole in the detail pane below; read marks, delete and clear.

A dumb widget: it shows the entries it is given (a page at a time, in `model`) and emits intents: the
query changed, a notification was opened, marks, deletes, clear, reply. The flow (desktop/app/history_flow.py)
runs them on the history and tells the window what came of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Final

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.edits import edited_note
from desktop.core.history import HistoryEntry, StoredNotification
from desktop.core.reply import reply_recipient
from desktop.ui.history_detail import HistoryDetail
from desktop.ui.history_model import COLUMNS, GAP_TEXT, HistoryModel
from desktop.ui.icons import type_icon
from hub.protocol import NotificationType

__all__ = ["COLUMNS", "GAP_TEXT", "HistoryWindow"]

SEARCH_DELAY_MS: Final = 200


class HistoryWindow(QWidget):
    #: (set of NotificationType or None for all, search text)
    query_changed = Signal(object, str)
    #: Mark read everything the current filter shows.
    mark_all_read_requested = Signal()
    #: A notification was opened (chosen in the list): its id. It shows whole in the detail pane.
    opened = Signal(int)
    #: Mark these (ids) read (True) or unread (False).
    read_requested = Signal(list, bool)
    #: Delete these (ids) from this computer's history.
    delete_requested = Signal(list)
    #: Delete the whole history on this computer (the user confirmed).
    clear_requested = Signal()
    #: Reply to a notification: the recipient (a user name or "#room").
    reply_requested = Signal(str)
    #: The detail pane's link (click target or a Markdown link): the notification and the URL.
    link_requested = Signal(object, str)
    #: One of the sender's buttons in the detail pane: the notification and the button.
    button_pressed = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("lan-notify history")
        self.resize(860, 640)

        self.type_filter = QComboBox()
        self.type_filter.setAccessibleName("Filter by type")
        self.type_filter.addItem("All types", None)
        for ntype in NotificationType:
            self.type_filter.addItem(type_icon(ntype.value), ntype.value.capitalize(), ntype.value)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search title, text, sender or room")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search")
        self.count_label = QLabel()
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.mark_read_button = QPushButton("Mark all read")
        self.mark_read_button.clicked.connect(self.mark_all_read_requested)
        self.clear_button = QPushButton("Clear history…")
        self.clear_button.setToolTip("Delete every notification from this computer's history")
        self.clear_button.clicked.connect(self.confirm_clear)

        self.model = HistoryModel()
        self.list = QTableView()
        self.list.setModel(self.model)
        self.list.setShowGrid(False)
        self.list.setWordWrap(False)
        self.list.setAlternatingRowColors(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._row_menu)
        rows = self.list.verticalHeader()
        rows.hide()
        # Rows of one height, never measured one by one: 10,000 rows, or rows added on top, cost nothing
        # until they show (a flat table, unlike a tree view, keeps no per-row layout of its own).
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.list.fontMetrics().height() + 8)
        header = self.list.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.list.setColumnWidth(0, 240)
        # The time column fits the longest time with its edited mark ("yesterday · edited").
        widest = max(
            self.list.fontMetrics().horizontalAdvance(t + edited_note(True))
            for t in ("2026-12-31", "yesterday", "59 min ago", "23 h ago", "6 days ago")
        )
        self.list.setColumnWidth(len(COLUMNS) - 1, widest + 2 * self.list.fontMetrics().averageCharWidth() + 8)
        self.empty_label = QLabel()
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = HistoryDetail()
        self.detail.reply_requested.connect(self.reply_requested)
        self.detail.link_requested.connect(self.link_requested)
        self.detail.button_pressed.connect(self.button_pressed)
        self.detail.read_requested.connect(lambda nid, read: self.read_requested.emit([nid], read))
        self.detail.delete_requested.connect(lambda nid: self.delete_requested.emit([nid]))
        self.list.installEventFilter(self)  # the Delete key deletes the selected rows

        bar = QHBoxLayout()
        bar.addWidget(self.type_filter)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.count_label)
        bar.addWidget(self.mark_read_button)
        bar.addWidget(self.clear_button)
        top = QWidget()
        listing = QVBoxLayout(top)
        listing.setContentsMargins(0, 0, 0, 0)
        listing.addWidget(self.list, 1)
        listing.addWidget(self.empty_label)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([300, 300])  # the list above, the chosen notification whole below
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)

        selection = self.list.selectionModel()
        selection.currentRowChanged.connect(self._current_changed)
        # Typing waits for a short pause before asking again; the filter asks at once.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._emit_query)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self._emit_query)
        self.type_filter.currentIndexChanged.connect(lambda _index: self._emit_query())
        self.set_counts(0, 0)
        self.set_entries([], datetime.now().astimezone())

    # ------------------------------------------------------------------ the query

    def query(self) -> tuple[frozenset[NotificationType] | None, str]:
        value = self.type_filter.currentData()
        types = None if value is None else frozenset({NotificationType(value)})
        return types, self.search.text().strip()

    def filtered(self) -> bool:
        types, search = self.query()
        return types is not None or bool(search)

    def _emit_query(self) -> None:
        self._search_timer.stop()
        types, search = self.query()
        self.query_changed.emit(types, search)

    def flush_search(self) -> None:
        """Send a pending search now (instead of after the typing pause)."""
        if self._search_timer.isActive():
            self._emit_query()

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

    # ------------------------------------------------------------------ showing

    def set_counts(self, total: int, unread: int) -> None:
        """How many the current filter shows, and how many of those are unread."""
        what = "shown" if self.filtered() else ("notification" if total == 1 else "notifications")
        self.count_label.setText(f"{total:,} {what} · {f'{unread:,} unread' if unread else 'all read'}")
        self.mark_read_button.setText("Mark these read" if self.filtered() else "Mark all read")
        self.mark_read_button.setEnabled(unread > 0)
        self.clear_button.setEnabled(total > 0 or self.filtered())

    def set_entries(self, entries: list[HistoryEntry], now: datetime, *, has_more: bool = False) -> None:
        """Show the first page of what the query found (the selection stays on the same notification)."""
        selected = self.selected_id()
        self.model.reset(entries, now, has_more=has_more)
        self._show_empty(bool(entries))
        if selected is None or not self.select_notification(selected):
            self.detail.show_entry(None, now)

    def add_page(self, entries: list[HistoryEntry], *, has_more: bool) -> None:
        self.model.append(entries, has_more=has_more)

    def add_newer(self, entries: list[HistoryEntry], now: datetime) -> None:
        """What arrived since: on top, the list and the chosen notification stay where they are."""
        self.model.now = now
        self.model.prepend(entries)
        self._show_empty(bool(self.model.entries))

    def set_read(self, ids: Iterable[int], read: bool) -> None:
        ids = list(ids)
        self.model.set_read(ids, read)
        self._refresh_detail(ids)

    def set_all_read(self) -> None:
        self.model.set_all_read()
        self._refresh_detail(self.model.ids())

    def remove(self, ids: Iterable[int]) -> None:
        self.model.remove(ids)
        self._show_empty(bool(self.model.entries))

    def _refresh_detail(self, ids: list[int]) -> None:
        current = self.current_entry()
        shown = self.detail.entry
        if isinstance(shown, StoredNotification) and shown.notification.id in ids:
            self.detail.show_entry(current, self.model.now)

    def _show_empty(self, has_rows: bool) -> None:
        if has_rows:
            self.empty_label.hide()
        else:
            self.empty_label.setText("Nothing matches." if self.filtered() else "No notifications yet.")
            self.empty_label.show()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        entry = self.model.entry(current.row()) if current.isValid() else None
        self.detail.show_entry(entry, self.model.now)
        if isinstance(entry, StoredNotification):
            self.opened.emit(entry.notification.id)

    # ------------------------------------------------------------------ rows: menu, delete, clear

    def _row_menu(self, where: QPoint) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        menu = QMenu(self)
        entries = [e for i in ids if isinstance(e := self.model.entry(self.model.row_of(i) or 0), StoredNotification)]
        unread = any(not e.read for e in entries)
        menu.addAction("Mark as read" if unread else "Mark as unread", lambda: self.read_requested.emit(ids, unread))
        if len(entries) == 1:
            n = entries[0].notification
            target = reply_recipient(n, self.detail.me)
            if target:
                menu.addAction("Reply…", lambda: self.reply_requested.emit(target))
            menu.addAction("Copy message", self.detail.copy)
        menu.addSeparator()
        menu.addAction("Delete", lambda: self.delete_requested.emit(ids))
        menu.popup(self.list.viewport().mapToGlobal(where))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            if event.matches(QKeySequence.StandardKey.Delete) and (ids := self.selected_ids()):
                self.delete_requested.emit(ids)
                return True
        return super().eventFilter(watched, event)

    def confirm_clear(self) -> None:
        """Ask before clearing; the answer comes later (no nested event loop), `clear_requested` on Yes."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Clear the history?",
            "Delete every notification from this computer's history? They will not come back: the hub does not "
            "send them again.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.addButton("Clear history", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(
            lambda button: (
                self.clear_requested.emit()
                if box.buttonRole(button) == QMessageBox.ButtonRole.DestructiveRole
                else None
            )
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.clear_box = box
        box.open()

    # ------------------------------------------------------------------ reading (for the app and tests)

    def rows(self) -> list[tuple[str, ...]]:
        """What the list shows, row by row."""
        return [self.model.cells(row) for row in range(self.model.rowCount())]

    def is_bold(self, row: int) -> bool:
        font = self.model.data(self.model.index(row, 0), Qt.ItemDataRole.FontRole)
        return bool(font is not None and font.bold())

    def current_entry(self) -> HistoryEntry | None:
        index = self.list.currentIndex()
        return self.model.entry(index.row()) if index.isValid() else None

    def selected_id(self) -> int | None:
        entry = self.current_entry()
        return entry.notification.id if isinstance(entry, StoredNotification) else None

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.list.selectionModel().selectedRows()})
        return [e.notification.id for r in rows if isinstance(e := self.model.entry(r), StoredNotification)]

    def select_notification(self, notification_id: int) -> bool:
        """Select, open and scroll to a notification; False when it is not in the list (filtered out, not loaded)."""
        row = self.model.row_of(notification_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.list.selectionModel().setCurrentIndex(index, flags)
        self.list.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True
