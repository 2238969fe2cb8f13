"""The sign-in dialog: hub address, username, password. It asks; the app signs in."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.net.http import normalize_hub_url
from desktop.ui.fit import keep_fitted
from desktop.ui.found_hubs import FoundHubsList


class SignInDialog(QDialog):
    #: (hub URL, username, password), already checked for the obvious mistakes.
    submitted = Signal(str, str, str)
    #: "Host a hub on this computer" instead of signing in to another one.
    host_requested = Signal()
    #: The dialog was shown, or hidden (LAN discovery runs only while it is open).
    shown = Signal()
    hidden = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in to lan-notify")
        self.hub = QLineEdit()
        self.hub.setPlaceholderText("http://hub.lan:8765")
        self.found = FoundHubsList()  # hubs announced on the LAN; picking one fills in its address
        self.found.picked.connect(self._pick)
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.reason = QLabel()  # why we are here again (token revoked, ...)
        self.error = QLabel()
        self.notice = QLabel()  # e.g. no keyring: this session only
        for label, colour in ((self.reason, "#334155"), (self.error, "#b91c1c"), (self.notice, "#92400e")):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            label.setStyleSheet(f"color: {colour};")
            label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.sign_in_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText("Sign in")
        self._busy = False
        self._focus_before: QWidget = self.password  # where the focus was when signing in began
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.host_button = self.buttons.addButton("Host a hub here instead", QDialogButtonBox.ButtonRole.ActionRole)
        self.host_button.setToolTip("Run the hub inside this app; teammates on the LAN connect to this computer")
        self.host_button.clicked.connect(self.host_requested)

        form = QFormLayout()
        form.addRow("Hub address", self.hub)
        form.addRow("User name", self.username)
        form.addRow("Password", self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason)
        layout.addWidget(self.found)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addWidget(self.buttons)
        # Tab goes through the buttons in the order they are drawn: Sign in first, not Cancel.
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        for before, after in ((self.password, self.sign_in_button), (self.sign_in_button, self.host_button),
                              (self.host_button, cancel)):  # fmt: skip
            QWidget.setTabOrder(before, after)
        keep_fitted(self)  # a reason, an error or a notice may appear: grow, never squeeze

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.shown.emit()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.hidden.emit()

    def set_values(self, hub_url: str, username: str) -> None:
        self.hub.setText(hub_url)
        self.username.setText(username)
        (self.password if hub_url and username else self.hub).setFocus()

    def _pick(self, hub_url: str) -> None:
        self.hub.setText(hub_url)
        (self.password if self.username.text() else self.username).setFocus()

    def set_reason(self, text: str) -> None:
        self.reason.setText(text)
        self.reason.setVisible(bool(text))

    def set_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.set_busy(False)

    def set_busy(self, busy: bool) -> None:
        fields = (self.found, self.hub, self.username, self.password, self.sign_in_button, self.host_button)
        if busy and not self._busy:
            self._focus_before = self.focusWidget() if self.focusWidget() in fields else self.password
        for widget in fields:
            widget.setEnabled(not busy)
        self.sign_in_button.setText("Signing in…" if busy else "Sign in")
        if self._busy and not busy:
            # Disabled, the fields gave the focus away (to Cancel): it goes back where it was, and a password
            # that was refused is selected, so that what is typed next replaces it and Enter signs in again.
            self._focus_before.setFocus()
            if self._focus_before is self.password:
                self.password.selectAll()
        self._busy = busy

    def _submit(self) -> None:
        try:
            hub_url = normalize_hub_url(self.hub.text())
        except ValueError as exc:
            self.show_error(str(exc))
            return
        username = self.username.text().strip()
        if not username or not self.password.text():
            self.show_error("Enter your user name and password.")
            return
        self.show_error("")
        self.set_busy(True)
        self.submitted.emit(hub_url, username, self.password.text())

    def clear_password(self) -> None:
        self.password.clear()
