"""The history list's model: the rows loaded so far, a page at a time, for a view that draws only what shows.

A dumb holder: the flow gives it pages (`reset`, `append`, `prepend`) and read marks; the model asks for
the next page (`more_wanted`) when the view scrolls near the end of what it has. A 10,000-row history
costs the view nothing until rows are scrolled into sight.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QIcon

from desktop.core.history import GapMarker, HistoryEntry, StoredNotification
from desktop.core.timefmt import relative_time
from desktop.ui.icons import type_icon

COLUMNS: Final = ("Title", "Message", "From", "Room", "Time")
ID_ROLE: Final = Qt.ItemDataRole.UserRole
GAP_TEXT: Final = "Some notifications were missed here"
_GAP_COLOUR: Final = QColor("#b45309")

Index = QModelIndex | QPersistentModelIndex


def one_line(text: str, limit: int = 200) -> str:
    """A list cell's text: one line, spaces collapsed, at most `limit` characters (the view elides the rest)."""
    flat = " ".join(text[: limit * 4].split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _font(*, bold: bool = False, italic: bool = False) -> QFont:
    font = QFont()
    font.setBold(bold)
    font.setItalic(italic)
    return font


class HistoryModel(QAbstractTableModel):
    #: The view reached the end of the loaded rows and there are more: load the next page.
    more_wanted = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[HistoryEntry] = []
        self.now = datetime.now().astimezone()
        #: More pages wait in the history (the last page loaded was full).
        self.has_more = False
        self._asked = False  # a page was asked for and has not come yet
        self._rows_by_id: dict[int, int] | None = None
        self._bold = _font(bold=True)
        self._italic = _font(italic=True)
        self._icons: dict[str, QIcon] = {}

    def _icon(self, ntype: str) -> QIcon:
        if ntype not in self._icons:  # drawn once per type, not once per row shown
            self._icons[ntype] = type_icon(ntype)
        return self._icons[ntype]

    # ------------------------------------------------------------------ filling

    def reset(self, entries: list[HistoryEntry], now: datetime, *, has_more: bool) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self.now = now
        self.has_more = has_more
        self._asked = False
        self._rows_by_id = None
        self.endResetModel()

    def append(self, entries: list[HistoryEntry], *, has_more: bool) -> None:
        """The next page, older than every row so far."""
        self._asked = False
        self.has_more = has_more
        if entries:
            self.beginInsertRows(QModelIndex(), len(self.entries), len(self.entries) + len(entries) - 1)
            self.entries.extend(entries)
            self._rows_by_id = None
            self.endInsertRows()

    def prepend(self, entries: list[HistoryEntry]) -> None:
        """What arrived since, newer than every row so far (newest first)."""
        if entries:
            self.beginInsertRows(QModelIndex(), 0, len(entries) - 1)
            self.entries[:0] = entries
            self._rows_by_id = None
            self.endInsertRows()

    def set_read(self, ids: Iterable[int], read: bool) -> None:
        for nid in ids:
            row = self.row_of(nid)
            entry = self.entries[row] if row is not None else None
            if isinstance(entry, StoredNotification) and entry.read != read:
                self.entries[row] = StoredNotification(entry.notification, read)  # type: ignore[index]
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))  # type: ignore[arg-type]

    def set_all_read(self) -> None:
        """Everything listed is read now (mark all read, for the filter the list shows)."""
        self.set_read(self.ids(), True)

    def remove(self, ids: Iterable[int]) -> None:
        for row in sorted((r for nid in ids if (r := self.row_of(nid)) is not None), reverse=True):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.entries[row]
            self._rows_by_id = None
            self.endRemoveRows()

    def set_now(self, now: datetime) -> None:
        """Time moved on: the Time column says "5 min ago" from this moment."""
        self.now = now
        if self.entries:
            column = len(COLUMNS) - 1
            self.dataChanged.emit(self.index(0, column), self.index(len(self.entries) - 1, column))

    # ------------------------------------------------------------------ reading

    def ids(self) -> list[int]:
        return [e.notification.id for e in self.entries if isinstance(e, StoredNotification)]

    def top_id(self) -> int | None:
        return next((e.notification.id for e in self.entries if isinstance(e, StoredNotification)), None)

    def bottom_id(self) -> int | None:
        return next((e.notification.id for e in reversed(self.entries) if isinstance(e, StoredNotification)), None)

    def row_of(self, notification_id: int) -> int | None:
        if self._rows_by_id is None:
            self._rows_by_id = {
                e.notification.id: row for row, e in enumerate(self.entries) if isinstance(e, StoredNotification)
            }
        return self._rows_by_id.get(notification_id)

    def entry(self, row: int) -> HistoryEntry | None:
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def cells(self, row: int) -> tuple[str, ...]:
        """What a row shows, column by column."""
        return tuple(str(self.data(self.index(row, c)) or "") for c in range(len(COLUMNS)))

    # ------------------------------------------------------------------ Qt's model interface

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if isinstance(self.entry(index.row()), GapMarker):
            return Qt.ItemFlag.ItemIsEnabled  # a marker, not something to open
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self.has_more and not self._asked

    def fetchMore(self, parent: Index) -> None:
        if self.canFetchMore(parent):
            self._asked = True
            self.more_wanted.emit()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        entry = self.entry(index.row())
        if entry is None:
            return None
        column = index.column()
        if isinstance(entry, GapMarker):
            return self._gap_data(entry, column, role)
        n = entry.notification
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                one_line(n.heading),
                one_line(n.message),
                n.sender,
                n.room or "",
                relative_time(n.timestamp, self.now),
            )
            return values[column]
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return type_icon(n.type.value)
        if role == Qt.ItemDataRole.FontRole and not entry.read:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and column == len(COLUMNS) - 1:
            return n.timestamp.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        if role == Qt.ItemDataRole.AccessibleDescriptionRole and column == 0:
            return f"{n.type.value}, {'read' if entry.read else 'unread'}"
        if role == ID_ROLE:
            return n.id
        return None

    def _gap_data(self, marker: GapMarker, column: int, role: int) -> Any:
        gap = marker.gap
        if role == Qt.ItemDataRole.DisplayRole:
            return (GAP_TEXT, one_line(gap.message), "", "", relative_time(marker.received_at, self.now))[column]
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return self._icon("warning")
        if role == Qt.ItemDataRole.FontRole:
            return self._italic
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(_GAP_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Notifications after #{gap.since} up to #{gap.upto} could not be replayed."
        return None
