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
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.core import markdown
from desktop.core.bidi import isolate
from desktop.core.edits import edited_note
from desktop.core.history import GapMarker, HistoryEntry, StoredNotification
from desktop.core.models import ReceivedNotification
from desktop.core.timefmt import relative_time
from desktop.ui.icons import type_icon
from hub.rich import TextFormat

COLUMNS: Final = ("Title", "Message", "From", "Room", "Time")
ID_ROLE: Final = Qt.ItemDataRole.UserRole
GAP_TEXT: Final = "Some notifications were missed here"
_GAP_COLOUR: Final = QColor("#b45309")

Index = QModelIndex | QPersistentModelIndex

# Roles as plain ints: Qt passes ints, and comparing them with enum members costs more per call.
_DISPLAY: Final = Qt.ItemDataRole.DisplayRole.value
_DECORATION: Final = Qt.ItemDataRole.DecorationRole.value
_FONT: Final = Qt.ItemDataRole.FontRole.value
_FOREGROUND: Final = Qt.ItemDataRole.ForegroundRole.value
_TOOLTIP: Final = Qt.ItemDataRole.ToolTipRole.value
_ACCESSIBLE: Final = Qt.ItemDataRole.AccessibleDescriptionRole.value
_ID: Final = ID_ROLE.value
_ROLES: Final = frozenset({_DISPLAY, _DECORATION, _FONT, _FOREGROUND, _TOOLTIP, _ACCESSIBLE, _ID})
_ROW_FLAGS: Final = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_MARKER_FLAGS: Final = Qt.ItemFlag.ItemIsEnabled


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
        self._texts: dict[int, tuple[str, ...]] = {}  # a row's cells by notification id (see _cells)

    # ------------------------------------------------------------------ filling

    def reset(self, entries: list[HistoryEntry], now: datetime, *, has_more: bool) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self.now = now
        self.has_more = has_more
        self._asked = False
        self._rows_by_id = None
        self._texts.clear()
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
        """What arrived since, newer than every row so far (newest first). Rows already shown are left out:
        two arrivals close together can each ask for what came after the same top row."""
        top = self.top_id()
        if top is not None:
            entries = [e for e in entries if not isinstance(e, StoredNotification) or e.notification.id > top]
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
        self._texts.clear()
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
            return _MARKER_FLAGS  # a marker, not something to open
        return _ROW_FLAGS

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self.has_more and not self._asked

    def fetchMore(self, parent: Index) -> None:
        if self.canFetchMore(parent):
            self._asked = True
            self.more_wanted.emit()

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        # Called for every cell and role of every row painted: roles it has nothing for leave first.
        if role not in _ROLES:
            return None
        row, column = index.row(), index.column()
        entry = self.entries[row] if 0 <= row < len(self.entries) else None
        if not isinstance(entry, StoredNotification):
            return None if entry is None else self._gap_data(entry, column, role)
        n = entry.notification
        if role == _DISPLAY:
            return self._cells(n)[column]
        if role == _DECORATION:
            return type_icon(n.type.value) if column == 0 else None
        if role == _FONT:
            return None if entry.read else self._bold
        if role == _TOOLTIP:
            return n.timestamp.astimezone().strftime("%Y-%m-%d %H:%M:%S") if column == len(COLUMNS) - 1 else None
        if role == _ACCESSIBLE:
            return f"{n.type.value}, {'read' if entry.read else 'unread'}" if column == 0 else None
        return n.id if role == _ID else None

    def _cells(self, n: ReceivedNotification) -> tuple[str, ...]:
        """A row's texts, made once (until the time moves on or the rows change), not once per paint."""
        cells = self._texts.get(n.id)
        if cells is None:
            text = markdown.plain(n.message) if n.format is TextFormat.MARKDOWN else n.message  # no marks in a row
            cells = (isolate(one_line(n.heading)), isolate(one_line(text)), n.sender, n.room or "",
                     relative_time(n.timestamp, self.now) + edited_note(n.edited))  # fmt: skip
            self._texts[n.id] = cells
        return cells

    def _gap_data(self, marker: GapMarker, column: int, role: int) -> Any:
        gap = marker.gap
        if role == _DISPLAY:
            return (GAP_TEXT, one_line(gap.message), "", "", relative_time(marker.received_at, self.now))[column]
        if role == _DECORATION and column == 0:
            return type_icon("warning")
        if role == _FONT:
            return self._italic
        if role == _FOREGROUND:
            return QBrush(_GAP_COLOUR)
        if role == _TOOLTIP:
            return f"Notifications after #{gap.since} up to #{gap.upto} could not be replayed."
        return None
