"""The history's detail pane: the whole of one notification, as plain text to select and copy (or, for a
message its sender marked as Markdown, as sanitised rich text), the sender's buttons and the answers given
to them, its link, and what to do with it (Reply, Copy, Mark as unread, Delete). A dumb widget: it shows
what it is given and emits intents.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QGuiApplication, QTextOption
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.core import markdown
from desktop.core.actions import Button, answered, answers_text, buttons_for, link_prompt
from desktop.core.bidi import isolate
from desktop.core.edits import edited_note
from desktop.core.history import GapMarker, HistoryEntry, StoredNotification
from desktop.core.models import ReceivedResponse
from desktop.core.reply import reply_recipient
from desktop.core.timefmt import relative_time
from desktop.ui.icons import type_pixmap
from hub.rich import MAX_ACTIONS, TextFormat

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
    #: Follow a link of the notification shown (its click target, or one in its Markdown): the notification
    #: and the URL (the app asks first, saying where it goes).
    link_requested = Signal(object, str)
    #: One of the sender's buttons (view, respond): the notification and the `desktop.core.actions.Button`.
    button_pressed = Signal(object, object)

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
        self.rich_body = QTextBrowser()
        self.rich_body.setOpenLinks(False)  # a link asks first (link_requested), never opens by itself
        self.rich_body.setAccessibleName("Message")
        self.rich_body.setMinimumHeight(self.body.minimumHeight())
        self.rich_body.anchorClicked.connect(self._anchor)
        self.answers = _label()
        self.answers.setObjectName("historyAnswers")
        self.receipt = _label()
        self.receipt.setObjectName("historyReceipt")
        self.receipt.hide()
        self.link_button = QPushButton()
        self.link_button.clicked.connect(self._open_link)
        self.buttons: list[Button] = []
        #: The answers last given for a notification (its id and them): kept while it is shown again.
        self._answers: tuple[int | None, list[ReceivedResponse]] = (None, [])
        self.action_buttons = [QPushButton() for _ in range(MAX_ACTIONS)]
        for index, button in enumerate(self.action_buttons):
            button.clicked.connect(lambda _=False, i=index: self._pressed(i))
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
        actions = QHBoxLayout()
        for button in self.action_buttons:
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.link_button)
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
        inner.addWidget(self.rich_body, 1)
        inner.addWidget(self.answers)
        inner.addWidget(self.receipt)
        inner.addLayout(actions)
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
            self._show_rich(None)
        elif isinstance(entry, StoredNotification):
            n = entry.notification
            self.icon.setPixmap(type_pixmap(n.type.value, ICON_SIZE, self.devicePixelRatioF()))
            self.title.setText(isolate(n.heading))
            when = f"{n.timestamp.astimezone():%Y-%m-%d %H:%M:%S} ({relative_time(n.timestamp, now)})"
            self._set_meta(n.sender, f"#{n.room}" if n.room else "", when + edited_note(n.edited))
            self._from_or_to("From")
            self.body.setPlainText(isolate(n.message))
            self._show_rich(entry)
            self.reply_button.setVisible(not n.actions and reply_recipient(n, self.me) is not None)
            self.copy_button.show()
            self.read_button.show()
            self.read_button.setText("Mark as unread" if entry.read else "Mark as read")
            self.delete_button.show()

    def _show_rich(self, entry: StoredNotification | None) -> None:
        """The Markdown body, the sender's buttons and the link of a notification; none of them for None."""
        n = entry.notification if entry is not None else None
        rich = n is not None and n.format is TextFormat.MARKDOWN
        self.body.setVisible(not rich)
        self.rich_body.setVisible(rich)
        if n is not None and rich:
            self.rich_body.setHtml(markdown.render(n.message))
        self.buttons = list(buttons_for(n, self.me)) if n is not None and n.actions else []
        for button, widget in zip(self.buttons, self.action_buttons, strict=False):
            widget.setText(button.label.replace("&", "&&") + ("…" if button.kind != "respond" else ""))
            widget.setToolTip(button.target if button.kind == "view" else "")
            widget.setEnabled(True)
            widget.show()
        for widget in self.action_buttons[len(self.buttons) :]:
            widget.hide()
        prompt = link_prompt(n.click, n.sender) if n is not None and n.click else None
        self.link_button.setVisible(prompt is not None)
        if prompt is not None:
            self.link_button.setText(f"Open {prompt.where}…")
            self.link_button.setToolTip(prompt.url)
        known, answers = self._answers
        self.set_answers(n.id if n is not None else None, answers if n is not None and known == n.id else [])
        self.receipt.hide()  # until the flow reads this one's receipts

    def set_sent(self, notification_id: int, addressee: str) -> None:
        """The notification shown, if it is `notification_id`, is one the user sent to `addressee` ("bob", "#ops",
        "Everyone"): the pane says "To bob" where it says "From alice" of what was received."""
        stored = self._notification()
        if stored is None or stored.notification.id != notification_id or not addressee:
            return
        self._from_or_to("To")
        self.from_label.setText(addressee)
        self.form.setRowVisible(self.room_label, False)  # "To #ops" says it

    def _from_or_to(self, word: str) -> None:
        label = self.form.labelForField(self.from_label)
        if isinstance(label, QLabel):
            label.setText(word)

    def set_receipt(self, notification_id: int, text: str) -> None:
        """The receipts of the notification shown, if it is `notification_id` ("" hides them)."""
        stored = self._notification()
        if stored is None or stored.notification.id != notification_id:
            return  # about another one: what is shown stays
        self.receipt.setText(text)
        self.receipt.setVisible(bool(text))

    def set_answers(self, notification_id: int | None, answers: list[ReceivedResponse]) -> None:
        """The answers to the notification shown (the flow reads them from the history); once `me` answered,
        the answer buttons are done."""
        stored = self._notification()
        if stored is None or stored.notification.id != notification_id:
            self.answers.hide()
            return
        self._answers = (notification_id, list(answers))
        text = answers_text(stored.notification, answers, self.me)
        self.answers.setText(text)
        self.answers.setVisible(bool(text))
        mine = answered(answers, self.me)
        for button, widget in zip(self.buttons, self.action_buttons, strict=False):
            if button.kind == "respond":
                widget.setEnabled(mine is None)

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

    def _pressed(self, index: int) -> None:
        stored = self._notification()
        if stored is None or index >= len(self.buttons):
            return
        button = self.buttons[index]
        if button.kind == "reply":
            self.reply_requested.emit(button.target)
        else:
            self.button_pressed.emit(stored.notification, button)

    def _open_link(self) -> None:
        stored = self._notification()
        if stored is not None and stored.notification.click:
            self.link_requested.emit(stored.notification, stored.notification.click)

    def _anchor(self, url: QUrl) -> None:
        stored = self._notification()
        if stored is not None:
            self.link_requested.emit(stored.notification, url.toString())

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
