"""The hosted hub's window: its LAN address, how teammates join, "Invite teammate…" (a one-time password)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def _label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class HostWindow(QDialog):
    invite_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Hub on this computer")
        self.setMinimumWidth(460)
        self.address = _label()
        self.signed_in = _label()
        self.hint = _label()
        self.copy_address = QPushButton("Copy address")
        self.copy_address.clicked.connect(lambda: self._copy(self.address.text()))
        self.invite_name = QLineEdit()
        self.invite_name.setPlaceholderText("teammate's user name, e.g. bob")
        self.invite_button = QPushButton("Invite")
        self.invite_button.clicked.connect(self._invite)
        self.invite_name.returnPressed.connect(self._invite)
        self.invite_result = _label()
        self.password = QLineEdit()
        self.password.setReadOnly(True)
        self.password.hide()
        self.copy_password = QPushButton("Copy password")
        self.copy_password.clicked.connect(lambda: self._copy(self.password.text()))
        self.copy_password.hide()
        self.error = _label()
        self.error.setStyleSheet("color: #b91c1c;")
        self.error.hide()

        address_row = QHBoxLayout()
        address_row.addWidget(self.address, 1)
        address_row.addWidget(self.copy_address)
        invite_row = QHBoxLayout()
        invite_row.addWidget(self.invite_name, 1)
        invite_row.addWidget(self.invite_button)
        password_row = QHBoxLayout()
        password_row.addWidget(self.password, 1)
        password_row.addWidget(self.copy_password)
        form = QFormLayout()
        form.addRow("Address on the LAN", address_row)
        form.addRow("Signed in as", self.signed_in)
        form.addRow("Invite teammate", invite_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.invite_result)
        layout.addLayout(password_row)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def set_hosted(self, lan_url: str, username: str, hint: str) -> None:
        self.address.setText(lan_url)
        self.signed_in.setText(f"{username} (admin)")
        self.hint.setText(hint)

    def show_invite(self, name: str, password: str, lan_url: str) -> None:
        """The one-time password: shown here once, never stored by the app."""
        self.error.hide()
        self.invite_name.clear()
        self.invite_result.setText(
            f"Give {name} this one-time password for {lan_url}. It is shown only here, and stops working once "
            f"{name} has signed in (their device stays signed in; for another device, make a new one here with "
            f"`notify-hub user passwd {name} --keep-tokens`):"
        )
        self.password.setText(password)
        self.password.show()
        self.copy_password.show()
        self.invite_button.setEnabled(True)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.invite_button.setEnabled(True)

    def _invite(self) -> None:
        name = self.invite_name.text().strip()
        if not name:
            self.show_error("Enter the teammate's user name first.")
            return
        self.invite_button.setEnabled(False)
        self.invite_requested.emit(name)

    @staticmethod
    def _copy(text: str) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(text)
