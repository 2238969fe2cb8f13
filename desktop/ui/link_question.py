"""The question before a notification's link opens: where it goes, in words, then Open or Cancel.

Non-blocking (it answers through `open_requested`), so the app goes on while it waits; the text comes
from `desktop.core.actions.link_prompt`, which names the host (or the mail address) first.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.core.actions import LinkPrompt


def open_in_desktop(url: str) -> bool:
    """Hand a link to the desktop (the browser, the mail app)."""
    return QDesktopServices.openUrl(QUrl(url, QUrl.ParsingMode.StrictMode))


class LinkQuestion(QMessageBox):
    """ "Open ci.lan?" with the whole address below it; Open follows the link, Cancel (the default) does not."""

    #: The user chose Open: the URL.
    open_requested = Signal(str)
    #: The user chose Cancel or closed the question: the URL.
    declined = Signal(str)

    def __init__(self, prompt: LinkPrompt, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prompt = prompt
        self.setWindowTitle("Open a link")
        self.setIcon(QMessageBox.Icon.Question)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(prompt.title)
        self.setInformativeText(prompt.text)
        # Wide enough that an address reads on one line or two, not broken every few characters.
        self.setStyleSheet("QLabel#qt_msgbox_informativelabel { min-width: 380px; }")
        self.open_button = self.addButton("Open", QMessageBox.ButtonRole.AcceptRole)
        self.cancel_button = self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.cancel_button)
        self.setEscapeButton(self.cancel_button)
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        self.finished.connect(self._answered)

    def _answered(self) -> None:
        if self.clickedButton() is self.open_button:
            self.open_requested.emit(self.prompt.url)
        else:
            self.declined.emit(self.prompt.url)
        self.deleteLater()
