"""One toast: a frameless, always-on-top card with the type's icon and accent. Text is plain, except a
message its sender marked as Markdown, drawn from `desktop.core.markdown`'s sanitised rich text. The
sender's buttons (at most three) sit in a row under the message."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Final

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import (
    QEnterEvent,
    QFontMetricsF,
    QMouseEvent,
    QPaintEvent,
    QTextDocument,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton, QVBoxLayout, QWidget

import resources
from desktop.core import markdown
from desktop.core.actions import Button, buttons_for
from desktop.core.bidi import isolate
from desktop.core.edits import edited_note
from desktop.core.textfit import elide, fit
from desktop.core.timefmt import relative_time
from desktop.core.toasts import ToastInfo, ToastKind, reply_target
from desktop.ui.icons import SEVERITY, type_pixmap
from desktop.ui.toast_card import ACCENT_WIDTH, Popup, ToastCard
from hub.rich import MAX_ACTIONS, Priority, TextFormat

WIDTH: Final = 360
ICON_SIZE: Final = 32
#: A message shows at most this many lines; the last one ends with "…" when there is more (a click shows all).
MESSAGE_LINES: Final = 4
#: The card's inner margins (left past the stripe, top, right, bottom) and the gap after the icon.
_MARGINS: Final = (ACCENT_WIDTH + 10, 10, 12, 10)
_ICON_GAP: Final = 10
HEAD_SPACING: Final = 6
#: The width of the text column: title, message, meta line.
TEXT_WIDTH: Final = WIDTH - _MARGINS[0] - _MARGINS[2] - ICON_SIZE - _ICON_GAP


def _plain_label(name: str) -> QLabel:
    """A label for text the toast fits itself (never wrapped by Qt, so the same text gets the same height)."""
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)  # a message "<b>hi</b>" shows those characters
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)  # its text never widens the toast
    return label


def _measure(label: QWidget) -> Callable[[str], float]:
    label.ensurePolished()  # the stylesheet's font (bold titles, small meta) is the one drawn
    return QFontMetricsF(label.font()).horizontalAdvance


def icon_type(info: ToastInfo) -> str:
    """Which type's icon the toast shows: its own, or a summary's most severe member."""
    if info.style in resources.NOTIFICATION_TYPES:
        return info.style
    return next((t for t in SEVERITY if t in info.types), "info")


def _rich_label() -> QLabel:
    """A label for a Markdown message: sanitised rich text, wrapped by Qt, its links inert (a click on the
    card opens the notification; the history's detail pane is where links are followed)."""
    label = QLabel()
    label.setObjectName("toastMessage")
    label.setTextFormat(Qt.TextFormat.PlainText)  # rich only while it shows a Markdown message
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    label.setOpenExternalLinks(False)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    return label


#: Rich text in a toast: no paragraph or list margins beyond a line's, so four lines fit as in plain text.
RICH_STYLE: Final = "<style>p, ul, ol, blockquote, pre { margin-top: 0; margin-bottom: 2px; }</style>"


def rich_height_limit(label: QLabel) -> int:
    """The most a Markdown message may take: `MESSAGE_LINES` lines of its font."""
    return round(QFontMetricsF(label.font()).lineSpacing() * MESSAGE_LINES) + 4


def _show_rich(label: QLabel, markup: str) -> bool:
    """Show `markup` in at most `MESSAGE_LINES` lines' height; returns whether some of it was cut."""
    label.ensurePolished()
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setText(RICH_STYLE + markup)
    document = QTextDocument()
    document.setDefaultFont(label.font())
    document.setDocumentMargin(0)
    document.setHtml(RICH_STYLE + markup)
    document.setTextWidth(TEXT_WIDTH)
    needed = math.ceil(document.size().height())
    most = rich_height_limit(label)
    label.setFixedHeight(min(needed, most))
    label.show()
    return needed > most


class Toast(Popup):
    #: The user asked to close it (the close button): carries the toast key.
    close_requested = Signal(int)
    #: The user clicked the card: carries the toast key (the stack opens the history at its notification).
    open_requested = Signal(int)
    #: The pointer entered (True) or left (False).
    hovered = Signal(bool)
    #: The Reply action of a `message` toast from a user (Message, on a teammate's notice): the toast key.
    reply_requested = Signal(int)
    #: One of the sender's buttons: the toast key and the button (`desktop.core.actions.Button`).
    button_pressed = Signal(int, object)
    #: Emitted after the toast was first drawn on screen, and again after new content was: carries the toast key
    #: and the notification id of the content drawn (a summary's newest; None for a notice).
    painted = Signal(int, object)

    def __init__(self, info: ToastInfo, now: datetime, *, me: str = "") -> None:
        super().__init__()
        self.info = info
        self.me = me  # the signed-in user: no Reply to what they sent themselves
        self._painted = False
        self.setObjectName(f"toast-{info.key}")
        self.setFixedWidth(WIDTH)

        self.frame = ToastCard(self)
        self.frame.setObjectName("toast")
        self.frame.setProperty("ntype", info.style)
        self.frame.setCursor(Qt.CursorShape.PointingHandCursor)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.frame)

        self.icon_name = ""
        self.icon = QLabel()
        self.icon.setObjectName("toastIcon")
        self.icon.setFixedSize(ICON_SIZE, ICON_SIZE)

        self.title = _plain_label("toastTitle")
        self.message = _plain_label("toastMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.rich_message = _rich_label()
        self.meta = _plain_label("toastMeta")
        self.close_button = QToolButton()
        self.close_button.setObjectName("toastClose")
        self.close_button.setText("\u00d7")  # multiplication sign: the usual close glyph
        self.close_button.setToolTip("Dismiss")
        self.close_button.setAccessibleName("Dismiss notification")
        self.close_button.setCursor(Qt.CursorShape.ArrowCursor)
        self.close_button.clicked.connect(lambda: self.close_requested.emit(self.info.key))

        self.reply_button = QPushButton("Reply")
        self.reply_button.setObjectName("toastReply")
        self.reply_button.setCursor(Qt.CursorShape.ArrowCursor)
        self.reply_button.clicked.connect(lambda: self.reply_requested.emit(self.info.key))

        head = QHBoxLayout()
        head.setSpacing(HEAD_SPACING)
        head.addWidget(self.title, 1)
        head.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addLayout(head)
        text.addWidget(self.message)
        text.addWidget(self.rich_message)
        self.buttons: list[Button] = []
        self.action_buttons = [QPushButton() for _ in range(MAX_ACTIONS)]
        actions = QHBoxLayout()
        actions.setSpacing(HEAD_SPACING)
        for index, button in enumerate(self.action_buttons):
            button.setObjectName("toastAction")
            button.setCursor(Qt.CursorShape.ArrowCursor)
            button.clicked.connect(lambda _=False, i=index: self._pressed(i))
            actions.addWidget(button)
        actions.addStretch(1)
        text.addLayout(actions)
        foot = QHBoxLayout()
        foot.setSpacing(HEAD_SPACING)
        foot.addWidget(self.meta, 1)
        foot.addWidget(self.reply_button, 0, Qt.AlignmentFlag.AlignRight)
        text.addLayout(foot)
        row = QHBoxLayout(self.frame)
        row.setContentsMargins(*_MARGINS)
        row.setSpacing(_ICON_GAP)
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)

        self.set_info(info, now)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            drawn = self.info.notification_id  # what is on screen now, even if new content comes before the timer
            # After this paint is flushed to the screen, not during it.
            QTimer.singleShot(0, lambda: self.painted.emit(self.info.key, drawn))

    def set_info(self, info: ToastInfo, now: datetime) -> None:
        """Show new content (a growing summary updates in place)."""
        self.info = info
        if self.frame.property("ntype") != info.style:
            self.frame.setProperty("ntype", info.style)
            self.frame.style().unpolish(self.frame)
            self.frame.style().polish(self.frame)
        if icon_type(info) != self.icon_name:
            self.icon_name = icon_type(info)
            self.icon.setPixmap(type_pixmap(self.icon_name, ICON_SIZE, self.devicePixelRatioF()))
        close = self.close_button.sizeHint().width() + HEAD_SPACING
        self.title.setText(isolate(elide(" ".join(info.title.split()), TEXT_WIDTH - close, _measure(self.title))))
        n = info.notification
        if n is not None and n.format is TextFormat.MARKDOWN and info.kind is ToastKind.NOTIFICATION:
            self.message.hide()
            #: Some of the message did not fit: a click opens the history, where all of it shows.
            self.clipped = _show_rich(self.rich_message, markdown.render(n.message))
        else:
            self.rich_message.hide()
            self.rich_message.setTextFormat(Qt.TextFormat.PlainText)
            self.rich_message.clear()
            fitted = fit(info.message, TEXT_WIDTH, MESSAGE_LINES, _measure(self.message))
            self.message.setText(isolate(fitted.text))
            self.message.setVisible(bool(fitted.lines))
            self.clipped = fitted.clipped
        self._set_buttons(info)
        self.reply_button.setText("Message" if info.kind is ToastKind.NOTICE else "Reply")
        self.reply_button.setVisible(not self.buttons and reply_target(info, self.me) is not None)
        self.setAccessibleName(f"{info.style} notification: {info.title}")
        self.refresh_time(now)
        self.adjustSize()
        self._painted = False  # new content: say so again once it is on screen

    def _set_buttons(self, info: ToastInfo) -> None:
        """The sender's buttons, each label fitted to its share of the row (the whole label is its tooltip)."""
        n = info.notification
        has_own = n is not None and info.kind is ToastKind.NOTIFICATION and bool(n.actions)
        self.buttons = list(buttons_for(n, self.me)) if has_own and n is not None else []
        share = (TEXT_WIDTH - HEAD_SPACING * (MAX_ACTIONS - 1)) / max(1, len(self.buttons)) - 24
        for button, widget in zip(self.buttons, self.action_buttons, strict=False):
            widget.setText(elide(button.label, share, _measure(widget)).replace("&", "&&"))
            widget.setToolTip(button.label)
            widget.setAccessibleName(button.label)
            widget.show()
        for widget in self.action_buttons[len(self.buttons) :]:
            widget.hide()

    def _pressed(self, index: int) -> None:
        if index < len(self.buttons):
            self.button_pressed.emit(self.info.key, self.buttons[index])

    def refresh_time(self, now: datetime) -> None:
        n = self.info.notification
        if self.info.kind is ToastKind.NOTIFICATION and n is not None:
            text = f"{n.origin} · {relative_time(n.timestamp, now)}"
            if n.priority in {Priority.HIGH, Priority.URGENT}:
                text += f" · {n.priority.value}"
            text += edited_note(n.edited)
        elif self.info.kind is ToastKind.SUMMARY:
            text = "Click to open the history"
        else:
            text = self.info.hint
        reply = self.reply_button.sizeHint().width() + HEAD_SPACING if not self.reply_button.isHidden() else 0
        self.meta.setText(elide(text, TEXT_WIDTH - reply, _measure(self.meta)))
        self.meta.setVisible(bool(text))

    @property
    def timeout_ms(self) -> int | None:
        """How long it stays on its own, in ms; None: until closed."""
        return None if self.info.timeout is None else round(self.info.timeout * 1000)

    # ------------------------------------------------------------------ events

    def enterEvent(self, event: QEnterEvent) -> None:
        self.hovered.emit(True)
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self.hovered.emit(False)
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.open_requested.emit(self.info.key)
        super().mouseReleaseEvent(event)


class MoreButton(Popup):
    """The "+N more" line under the stack; a click opens the history."""

    clicked = Signal()
    hovered = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.button = QPushButton(self)
        self.button.setObjectName("toastMore")
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.clicked.connect(self.clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignRight)

    def set_count(self, count: int) -> None:
        self.button.setText(f"+{count} more")
        self.adjustSize()

    def enterEvent(self, event: QEnterEvent) -> None:
        self.hovered.emit(True)
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self.hovered.emit(False)
        super().leaveEvent(event)
