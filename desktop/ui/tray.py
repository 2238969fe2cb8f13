"""The tray icon (state + unread badge, tooltip, menu) and the status window used when there is no tray."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSystemTrayIcon, QVBoxLayout, QWidget

from desktop.core.connection import ConnectionStatus, TrayState
from desktop.ui.fit import keep_fitted
from desktop.ui.icons import badge_text, tray_icon, tray_image
from desktop.ui.menu import AppMenu


def status_line(status: ConnectionStatus, unread: int) -> str:
    unread_text = f"{unread} unread" if unread else "nothing unread"
    return f"{status.describe()} · {unread_text}"


def tooltip(status: ConnectionStatus, unread: int, hub_url: str, username: str, dnd: str = "") -> str:
    """The icon's tooltip; `dnd` says how long do not disturb lasts ("" when it is off)."""
    who = f"{username} @ {hub_url}" if username else "not signed in"
    quiet = f"\nDo not disturb: {dnd}" if dnd else ""
    return f"lan-notify\n{who}\n{status_line(status, unread)}{quiet}"


class Tray(QObject):
    """The system tray entry: its context menu is the app menu; a click opens the history."""

    open_history = Signal()

    def __init__(self, menu: AppMenu | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(self)
        self.menu = menu or AppMenu()
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        #: What the icon shows now: (tray state, badge text, do not disturb).
        self.shown: tuple[TrayState, str, bool] | None = None

    def set_status(self, status: ConnectionStatus, unread: int, hub_url: str, username: str, dnd: str = "") -> None:
        """Show the connection, the unread count and, when `dnd` says how long it lasts, do not disturb."""
        shown = (status.tray_state, badge_text(unread), bool(dnd))
        if shown != self.shown:
            self.icon.setIcon(tray_icon(status.tray_state, unread, dnd=bool(dnd)))
            self.shown = shown
        self.icon.setToolTip(tooltip(status, unread, hub_url, username, dnd))

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in {QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick}:
            self.open_history.emit()


class StatusWindow(QWidget):
    """Shown instead of the tray icon when the desktop has no system tray."""

    open_history = Signal()
    sign_in_requested = Signal()
    sign_out_requested = Signal()
    quit_requested = Signal()

    def __init__(self, menu: AppMenu | None = None, parent: QWidget | None = None, *, asked: bool = False) -> None:
        """`asked`: the user chose this window (`--no-tray`); otherwise the desktop has no system tray."""
        super().__init__(parent)
        self.setWindowTitle("lan-notify")
        self.menu = menu or AppMenu()
        self.menu_button = QPushButton("Menu")
        self.menu_button.setMenu(self.menu)
        self.state_icon = QLabel()
        self.state_icon.setFixedSize(48, 48)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.note = QLabel(
            "lan-notify shows this window instead of a tray icon (--no-tray)."
            if asked
            else "No system tray was found, so lan-notify shows this window instead."
        )
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.open_button = QPushButton("Open history")
        self.sign_out_button = QPushButton("Sign out")
        self.quit_button = QPushButton("Quit")
        self.open_button.clicked.connect(self.open_history)
        self.signed_in = False
        self.sign_out_button.clicked.connect(
            lambda: (self.sign_out_requested if self.signed_in else self.sign_in_requested).emit()
        )
        self.quit_button.clicked.connect(self.quit_requested)

        text = QVBoxLayout()
        text.addWidget(self.title)
        text.addWidget(self.status)
        top = QHBoxLayout()
        top.addWidget(self.state_icon)
        top.addLayout(text, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.sign_out_button)
        buttons.addWidget(self.menu_button)
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        self.shown: tuple[TrayState, str, bool] | None = None
        keep_fitted(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        # Without a tray this window is the app: closing it quits (nothing keeps running unseen).
        self.quit_requested.emit()
        super().closeEvent(event)

    def set_status(self, status: ConnectionStatus, unread: int, hub_url: str, username: str, dnd: str = "") -> None:
        shown = (status.tray_state, badge_text(unread), bool(dnd))
        if shown != self.shown:
            self.state_icon.setPixmap(QPixmap.fromImage(tray_image(status.tray_state, unread, 48, dnd=bool(dnd))))
            self.shown = shown
        self.title.setText(f"{username} @ {hub_url}" if username else "Not signed in")
        self.status.setText(status_line(status, unread) + (f" · do not disturb: {dnd}" if dnd else ""))
        self.signed_in = bool(username)
        self.sign_out_button.setText("Sign out" if username else "Sign in…")
