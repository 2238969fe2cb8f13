"""The hosted hub's window: its LAN address, how teammates join, "Invite" (a new user with a one-time
password) and "Reset password…" (a new one-time password for an existing user).

A thin widget: it emits `invite_requested(name)`, `reset_prompt_requested()` and `reset_requested(name)`;
the app answers with `show_password`, `show_error` or `ask_reset(names)`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.fit import keep_fitted
from desktop.ui.prompts import reset_prompt

ERROR_COLOUR = "#b91c1c"
WARNING_COLOUR = "#92400e"


def _label(text: str = "", *, selectable: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class HostWindow(QDialog):
    invite_requested = Signal(str)
    #: "Reset password…": the app answers with `ask_reset(the hub's users)`.
    reset_prompt_requested = Signal()
    reset_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Hub on this computer")
        self.setMinimumWidth(440)
        #: The "Reset password…" prompt while it is open.
        self.reset_prompt: QInputDialog | None = None

        self.address = _label(selectable=True)
        font = self.address.font()
        font.setBold(True)
        self.address.setFont(font)
        self.copy_address = QPushButton("Copy address")
        self.copy_address.clicked.connect(lambda: self._copy(self.address.text()))
        self.lan_warning = _label()
        self.lan_warning.setStyleSheet(f"color: {WARNING_COLOUR};")
        self.lan_warning.hide()
        self.signed_in = _label()
        self.hint = _label(selectable=True)

        self.invite_name = QLineEdit()
        self.invite_name.setPlaceholderText("User name, e.g. bob")
        self.invite_name.setAccessibleName("Teammate's user name")
        self.invite_button = QPushButton("Invite")
        self.invite_button.clicked.connect(self._invite)
        self.invite_name.returnPressed.connect(self._invite)
        self.reset_button = QPushButton("Reset password…")
        self.reset_button.setToolTip("A new one-time password for a teammate who lost theirs or has a new computer")
        self.reset_button.clicked.connect(self.reset_prompt_requested)

        self.outcome = _label()
        self.password = QLineEdit()
        self.password.setReadOnly(True)
        self.password.setAccessibleName("One-time password")
        self.password.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.copy_password = QPushButton("Copy password")
        self.copy_password.clicked.connect(lambda: self._copy(self.password.text()))
        self.error = _label()
        self.error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.offer_reset = QPushButton()
        self.offer_reset.clicked.connect(lambda: self._reset(str(self.offer_reset.property("user"))))

        address_row = QHBoxLayout()
        address_row.addWidget(self.address, 1)
        address_row.addWidget(self.copy_address, 0, Qt.AlignmentFlag.AlignTop)
        invite_row = QHBoxLayout()
        invite_row.addWidget(self.invite_name, 1)
        invite_row.addWidget(self.invite_button)
        reset_row = QHBoxLayout()
        reset_row.addWidget(self.reset_button)
        reset_row.addStretch(1)
        password_row = QHBoxLayout()
        password_row.addWidget(self.password, 1)
        password_row.addWidget(self.copy_password)
        error_row = QHBoxLayout()
        error_row.addWidget(self.offer_reset)
        error_row.addStretch(1)

        join = QGroupBox("Teammates join at")
        join_layout = QVBoxLayout(join)
        join_layout.addLayout(address_row)
        join_layout.addWidget(self.lan_warning)
        join_layout.addWidget(self.hint)
        join_layout.addWidget(self.signed_in)
        people = QGroupBox("Invite a teammate")
        people_layout = QVBoxLayout(people)
        people_layout.addLayout(invite_row)
        people_layout.addLayout(reset_row)
        people_layout.addWidget(self.outcome)
        people_layout.addLayout(password_row)
        people_layout.addWidget(self.error)
        people_layout.addLayout(error_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(join)
        layout.addWidget(people)
        layout.addStretch(1)
        layout.addWidget(buttons)
        # Enter in the name field invites; it must not also press a button (the first one, Copy address,
        # would replace what the clipboard held with the address).
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
        self._show_outcome("", "", "")
        keep_fitted(self)

    # ------------------------------------------------------------------ setters

    def set_hosted(self, lan_url: str, username: str, hint: str, warning: str = "") -> None:
        self.address.setText(lan_url)
        self.lan_warning.setText(warning)
        self.lan_warning.setVisible(bool(warning))
        self.signed_in.setText(f"You are signed in as {username}, the hub's admin.")
        self.hint.setText(hint)

    def show_password(self, text: str, password: str) -> None:
        """A one-time password, shown here once (never stored by the app), with what to do with it."""
        self.invite_name.clear()
        self._show_outcome(text, password, "")

    def show_error(self, text: str, *, offer_reset_for: str = "") -> None:
        """What went wrong; with `offer_reset_for`, a button that gives that user a new password instead."""
        self._show_outcome("", "", text, offer_reset_for)

    def ask_reset(self, names: list[str]) -> None:
        """The "Reset password…" prompt: whom to give a new one-time password (a list, or a name typed)."""
        ask = reset_prompt(names, self.invite_name.text().strip())
        ask.textValueSelected.connect(lambda name: self._reset(name.strip()))
        ask.finished.connect(lambda _: setattr(self, "reset_prompt", None))
        self.reset_prompt = ask
        ask.open()

    def set_busy(self, busy: bool) -> None:
        for button in (self.invite_button, self.reset_button, self.offer_reset):
            button.setEnabled(not busy)

    # ------------------------------------------------------------------ internals

    def _show_outcome(self, text: str, password: str, error: str, offer_reset_for: str = "") -> None:
        self.outcome.setText(text)
        self.outcome.setVisible(bool(text))
        self.password.setText(password)
        for widget in (self.password, self.copy_password):
            widget.setVisible(bool(password))
        self.error.setText(error)
        self.error.setVisible(bool(error))
        self.offer_reset.setText(f"Give {offer_reset_for} a new one-time password")
        self.offer_reset.setProperty("user", offer_reset_for)
        self.offer_reset.setVisible(bool(offer_reset_for))
        self.set_busy(False)

    def _invite(self) -> None:
        name = self.invite_name.text().strip()
        if not name:
            self.show_error("Type the teammate's user name first.")
            return
        self.set_busy(True)
        self.invite_requested.emit(name)

    def _reset(self, name: str) -> None:
        if not name:
            self.show_error("Choose whose password to reset.")
            return
        self.set_busy(True)
        self.reset_requested.emit(name)

    @staticmethod
    def _copy(text: str) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(text)
