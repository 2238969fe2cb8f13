"""The compose dialog: recipient (with completion), type, optional title, text with a live counter; and
optionally a priority, a link opened on a click, answer buttons whose answer comes back, Markdown, and
when to deliver it ("Send later": in 30 minutes, in an hour, tomorrow at 9:00, or at a time).

Enter sends (Shift+Enter is a new line), Esc cancels. The dialog never talks to the hub: it emits
`send_requested(ComposeDraft)` and shows what the app tells it (`show_result`), keeping the typed text
when the hub said no.
"""

from __future__ import annotations

from datetime import datetime, time

from PySide6.QtCore import QEvent, QObject, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QPaintEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.compose import (
    ComposeDraft,
    Limits,
    Recipient,
    counter_text,
    parse_answers,
    parse_recipient,
    problem_with,
)
from desktop.core.later import When, deliver_at
from desktop.core.reply import REPLY_TYPE
from desktop.ui.fit import keep_fitted
from hub.protocol import NotificationType
from hub.rich import Priority


class ComposeDialog(QDialog):
    send_requested = Signal(object)  # a ComposeDraft
    #: First drawn after opening (the e2e camera waits for it).
    painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Send a message")
        self.setMinimumWidth(420)
        self.limits = Limits()
        self._painted = False
        self.offered: list[Recipient] = []
        self.recipient = QComboBox()
        self.recipient.setEditable(True)
        self.recipient.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        edit = self.recipient.lineEdit()
        if edit is not None:
            edit.setPlaceholderText("a user, #room or Everyone")
        completer = QCompleter(self.recipient.model(), self.recipient)
        self.recipient.setCompleter(completer)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.type = QComboBox()
        self.title = QLineEdit()
        self.title.setPlaceholderText("optional")
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("Your message (Enter sends, Shift+Enter for a new line)")
        self.text.setTabChangesFocus(True)
        self.text.installEventFilter(self)
        self.text.textChanged.connect(self._update_counter)
        self.priority = QComboBox()
        self.priority.addItems([p.value for p in Priority])
        self.priority.setCurrentText(Priority.DEFAULT.value)
        self.click = QLineEdit()
        self.click.setPlaceholderText("optional: https://… opened on a click")
        self.answers = QLineEdit()
        self.answers.setPlaceholderText("optional: Approve, Reject")
        self.answers.setToolTip("Up to 3 buttons, separated by commas: the one pressed comes back to you")
        self.markdown = QCheckBox("The message is Markdown")
        self.receipt = QCheckBox("Ask for a receipt")
        self.receipt.setToolTip("You are told when it is delivered, and who has seen it")
        self.when = QComboBox()
        self.when.addItems([w.value for w in When])
        self.when.setToolTip("Send later: the hub keeps it and delivers it then, even if this computer is off")
        self.at = QTimeEdit(QTime(17, 0))
        self.at.setDisplayFormat("HH:mm")
        self.at.setToolTip("Today at this time, or tomorrow if it has passed")
        self.at.hide()
        self.when.currentTextChanged.connect(lambda text: self.at.setVisible(text == When.AT.value))
        self.counter = QLabel()
        self.counter.setTextFormat(Qt.TextFormat.PlainText)
        self.answer = QLabel()
        self.answer.setTextFormat(Qt.TextFormat.PlainText)
        self.answer.setWordWrap(True)
        self.answer.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.send_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.send_button.setText("Send")
        self.send_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("To", self.recipient)
        form.addRow("Type", self.type)
        form.addRow("Title", self.title)
        form.addRow("Message", self.text)
        form.addRow("", self.markdown)
        form.addRow("", self.receipt)
        form.addRow("Priority", self.priority)
        form.addRow("Link", self.click)
        form.addRow("Answers", self.answers)
        later = QHBoxLayout()
        later.addWidget(self.when, 1)
        later.addWidget(self.at)
        form.addRow("When", later)
        foot = QHBoxLayout()
        foot.addWidget(self.answer, 1)
        foot.addWidget(self.counter, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(foot)
        layout.addWidget(self.buttons)
        self.set_types(list(NotificationType))
        self._update_counter()
        keep_fitted(self)  # the hub's answer appears under the text: grow, never squeeze

    # ------------------------------------------------------------------ setters

    def set_recipients(self, offered: list[Recipient]) -> None:
        current = self.recipient.currentText()
        self.offered = offered
        self.recipient.blockSignals(True)
        self.recipient.clear()
        for r in offered:
            self.recipient.addItem(r.label)
            if r.online:
                self.recipient.setItemData(self.recipient.count() - 1, "online now", Qt.ItemDataRole.ToolTipRole)
        self.recipient.setEditText(current)
        self.recipient.blockSignals(False)

    def set_types(self, types: list[NotificationType]) -> None:
        current = self.type.currentText() or NotificationType.MESSAGE.value
        self.type.clear()
        self.type.addItems([t.value for t in types])
        index = self.type.findText(current)
        self.type.setCurrentIndex(index if index >= 0 else self.type.findText(NotificationType.MESSAGE.value))

    def set_limits(self, limits: Limits) -> None:
        self.limits = limits
        self.title.setMaxLength(limits.title_chars)
        self._update_counter()

    def start(self, recipient_label: str = "", *, reply: bool = False) -> None:
        """Open (or bring forward) addressed to `recipient_label`; what was typed stays.

        A `reply` is a message with no title of its own, whatever type and title were used last.
        """
        if recipient_label:
            self.recipient.setEditText(recipient_label)
        if reply:
            self.type.setCurrentText(REPLY_TYPE.value)
            self.title.clear()
        self.show_result("", ok=True)
        self.set_busy(False)
        self.show()
        self.raise_()
        self.activateWindow()
        (self.text if recipient_label else self.recipient).setFocus()

    def show_result(self, text: str, *, ok: bool) -> None:
        self.answer.setText(text)
        self.answer.setStyleSheet(f"color: {'#166534' if ok else '#b91c1c'};")
        self.answer.setVisible(bool(text))
        self.set_busy(False)

    def show_sent(self, text: str) -> None:
        """The hub took it: say so and clear the message (recipient and type stay for the next one)."""
        self.text.clear()
        self.title.clear()
        self.click.clear()
        self.answers.clear()
        self.when.setCurrentText(When.NOW.value)
        self.show_result(text, ok=True)

    def set_busy(self, busy: bool) -> None:
        self.send_button.setEnabled(not busy)
        self.send_button.setText("Sending…" if busy else "Send")

    # ------------------------------------------------------------------ reading

    def draft(self) -> ComposeDraft | str:
        """The draft, or what is wrong with it in words."""
        to = parse_recipient(self.recipient.currentText(), self.offered)
        if to is None:
            return "Choose who gets it: a user, a #room you are in, or Everyone (admins)."
        draft = ComposeDraft(
            to=to,
            type=NotificationType(self.type.currentText()),
            title=self.title.text(),
            message=self.text.toPlainText(),
            priority=Priority(self.priority.currentText()),
            click=self.click.text().strip(),
            answers=parse_answers(self.answers.text()),
            markdown=self.markdown.isChecked(),
            receipt=self.receipt.isChecked(),
            deliver_at=deliver_at(When(self.when.currentText()), self._at(), datetime.now().astimezone()),
        )
        return problem_with(draft, self.limits) or draft

    def _at(self) -> time:
        chosen = self.at.time()
        return time(chosen.hour(), chosen.minute())

    # ------------------------------------------------------------------ events

    def submit(self) -> None:
        draft = self.draft()
        if isinstance(draft, str):
            self.show_result(draft, ok=False)
            return
        self.show_result("", ok=True)
        self.set_busy(True)
        self.send_requested.emit(draft)

    def showEvent(self, event: QShowEvent) -> None:
        self._painted = False
        super().showEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.painted.emit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.text and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            plain_enter = event.key() in {Qt.Key.Key_Return, Qt.Key.Key_Enter} and not (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            )
            if plain_enter:
                self.submit()
                return True
        return super().eventFilter(watched, event)

    def _update_counter(self) -> None:
        text, over = counter_text(self.text.toPlainText(), self.limits)
        self.counter.setText(text)
        self.counter.setStyleSheet("color: #b91c1c; font-weight: bold;" if over else "color: #64748b;")
        self.counter.setProperty("over", over)
