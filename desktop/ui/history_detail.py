"""The history's detail pane: the whole of one notification, as plain text to select and copy, and what to do
with it (Reply, Copy, Mark as unread, Delete). A dumb widget: it shows what it is given and emits intents.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QTextOption
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.bidi import isolate
from desktop.core.history import GapMarker, HistoryEntry, StoredNotification
from desktop.core.reply import reply_recipient
from desktop.core.timefmt import relative_time
from desktop.ui.icons import type_pixmap

EMPTY_TEXT: Final = "Choose a notification to read all of it here."
ICON_SIZE: Final = 24
_SELECTABLE: Final = Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard


def _label(*, bold: bool = False) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(_SELECTABLE)
    label.setWordWrap(True)
    if bold:
        font = label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        label.setFont(font)
    return label


class HistoryDetail(QWidget):
    #: Reply to the notification shown: carries the recipient (a user name or "#room").
    reply_requested = Signal(str)
    #: Mark the notification shown read (True) or unread (False): its id and the wish.
    read_requested = Signal(int, bool)
    #: Delete the notification shown from this computer: its id.
    delete_requested = Signal(int)
    #: Its text went to the clipboard.
    copied = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry: HistoryEntry | None = None
        self.me = ""  # the signed-in user: no Reply to what they sent themselves
        self.icon = QLabel()
        self.icon.setFixedSize(ICON_SIZE, ICON_SIZE)
        self.title = _label(bold=True)
        self.from_label = _label()
        self.room_label = _label()
        self.time_label = _label()
        self.body = QPlainTextEdit()
        self.body.setReadOnly(True)
        self.body.setTextInteractionFlags(_SELECTABLE)
        self.body.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)  # a 2 KB word wraps too
        self.body.setAccessibleName("Message")
        self.body.setMinimumHeight(self.body.fontMetrics().lineSpacing() * 5)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)
        self.reply_button = QPushButton("Reply…")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the message")
        self.read_button = QPushButton("Mark as unread")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Delete it from this computer's history")
        self.reply_button.clicked.connect(self._reply)
        self.copy_button.clicked.connect(self.copy)
        self.read_button.clicked.connect(self._toggle_read)
        self.delete_button.clicked.connect(self._delete)

        head = QHBoxLayout()
        head.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.title, 1)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.addRow("From", self.from_label)
        self.form.addRow("Room", self.room_label)
        self.form.addRow("Time", self.time_label)
        buttons = QHBoxLayout()
        for button in (self.reply_button, self.copy_button, self.read_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        self.content = QWidget()
        inner = QVBoxLayout(self.content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addLayout(head)
        inner.addLayout(self.form)
        inner.addWidget(self.body, 1)
        inner.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.content, 1)
        layout.addWidget(self.empty, 1)
        self.show_entry(None, datetime.now().astimezone())

    def show_entry(self, entry: HistoryEntry | None, now: datetime) -> None:
        """Show one notification (or a gap marker's explanation); None: nothing chosen."""
        self.entry = entry
        self.content.setVisible(entry is not None)
        self.empty.setVisible(entry is None)
        if isinstance(entry, GapMarker):
            gap = entry.gap
            self.icon.setPixmap(type_pixmap("warning", ICON_SIZE, self.devicePixelRatioF()))
            self.title.setText("Some notifications were missed here")
            self._set_meta("", "", f"{entry.received_at.astimezone():%Y-%m-%d %H:%M:%S} (noticed)")
            self.body.setPlainText(f"{gap.message}\n\nNotifications after #{gap.since} up to #{gap.upto} could not "
                                   "be replayed: the hub no longer had them when this computer came back.")  # fmt: skip
            for button in (self.reply_button, self.copy_button, self.read_button, self.delete_button):
                button.hide()
        elif isinstance(entry, StoredNotification):
            n = entry.notification
            self.icon.setPixmap(type_pixmap(n.type.value, ICON_SIZE, self.devicePixelRatioF()))
            self.title.setText(isolate(n.heading))
            when = n.timestamp.astimezone()
            self._set_meta(n.sender, f"#{n.room}" if n.room else "",
                           f"{when:%Y-%m-%d %H:%M:%S} ({relative_time(n.timestamp, now)})")  # fmt: skip
            self.body.setPlainText(isolate(n.message))
            self.reply_button.setVisible(reply_recipient(n, self.me) is not None)
            self.copy_button.show()
            self.read_button.show()
            self.read_button.setText("Mark as unread" if entry.read else "Mark as read")
            self.delete_button.show()

    def _set_meta(self, sender: str, room: str, time: str) -> None:
        for field, text in ((self.from_label, sender), (self.room_label, room), (self.time_label, time)):
            field.setText(text)
            self.form.setRowVisible(field, bool(text))

    # ------------------------------------------------------------------ intents

    def _notification(self) -> StoredNotification | None:
        return self.entry if isinstance(self.entry, StoredNotification) else None

    def _reply(self) -> None:
        stored = self._notification()
        target = reply_recipient(stored.notification, self.me) if stored is not None else None
        if target:
            self.reply_requested.emit(target)

    def copy(self) -> None:
        stored = self._notification()
        clipboard = QGuiApplication.clipboard()
        if stored is not None and clipboard is not None:
            clipboard.setText(stored.notification.message)
            self.copied.emit(stored.notification.id)

    def _toggle_read(self) -> None:
        stored = self._notification()
        if stored is not None:
            self.read_requested.emit(stored.notification.id, not stored.read)

    def _delete(self) -> None:
        stored = self._notification()
        if stored is not None:
            self.delete_requested.emit(stored.notification.id)
