"""The trust-on-first-use prompt: a hub's address and certificate fingerprint, and the user's answer.

A thin dialog: the words come from `desktop.core.trust.TrustPrompt`, the answer goes out as
`answered(bool)`; pinning is the app's job. "Don't trust" is the default button, and closing the
window counts as not trusting.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from desktop.core.trust import PromptKind, TrustPrompt, two_lines
from desktop.ui.fit import keep_fitted


def _label(selectable: bool = False) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)  # hub addresses and reasons are not markup
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class TrustDialog(QDialog):
    #: True: trust (pin) the certificate shown; False: do not.
    answered = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("lan-notify: hub certificate")
        self.setMinimumWidth(520)
        self.prompt: TrustPrompt | None = None
        self.heading = _label()
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.hub = _label(selectable=True)
        self.text = _label()
        self.fingerprint = _label(selectable=True)
        self.fingerprint.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.pinned = _label(selectable=True)
        self.pinned.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.buttons = QDialogButtonBox()
        self.trust_button = self.buttons.addButton("Trust", QDialogButtonBox.ButtonRole.AcceptRole)
        self.refuse_button = self.buttons.addButton("Don't trust", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.finished.connect(lambda result: self.answered.emit(result == QDialog.DialogCode.Accepted))
        layout = QVBoxLayout(self)
        for widget in (self.heading, self.hub, self.text, self.fingerprint, self.pinned):
            layout.addWidget(widget)
        layout.addWidget(self.buttons)
        keep_fitted(self)

    def set_prompt(self, prompt: TrustPrompt) -> None:
        self.prompt = prompt
        changed = prompt.kind is PromptKind.CHANGED
        self.heading.setText(prompt.title)
        self.heading.setStyleSheet("color: #b91c1c;" if changed else "")
        self.hub.setText(f"Hub: {prompt.hub_url}")
        self.text.setText(prompt.text)
        self.fingerprint.setText(f"{'New' if changed else 'Its'} SHA-256 fingerprint:\n{two_lines(prompt.fingerprint)}")
        self.pinned.setText(f"The one you trusted before:\n{two_lines(prompt.pinned)}" if prompt.pinned else "")
        self.pinned.setVisible(bool(prompt.pinned))
        self.trust_button.setText(prompt.accept_label)
        self.refuse_button.setText(prompt.reject_label)
        self.refuse_button.setDefault(True)
        self.refuse_button.setFocus()

    def ask(self, prompt: TrustPrompt) -> None:
        self.set_prompt(prompt)
        self.open()
        self.raise_()
        self.activateWindow()
