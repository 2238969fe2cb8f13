"""The one-time question "Add lan-notify to your applications menu?": a non-modal box that answers through
`answered` (True: "Add to menu"; "Not now" or closing it: False)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

QUESTION = "Add lan-notify to your applications menu?"
DETAIL = (
    "It can then be started from the menu like any other app. This adds one menu entry and its icon "
    "for you only; remove them with notify-tray --uninstall-desktop-entry."
)


class MenuEntryQuestion(QMessageBox):
    answered = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(QMessageBox.Icon.Question, "lan-notify", QUESTION, parent=parent)
        self.setInformativeText(DETAIL)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        self.button(QMessageBox.StandardButton.Yes).setText("Add to menu")
        self.button(QMessageBox.StandardButton.No).setText("Not now")
        self.setDefaultButton(QMessageBox.StandardButton.Yes)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.finished.connect(lambda _result: self.answered.emit(self._yes()))

    def _yes(self) -> bool:
        return self.clickedButton() is self.button(QMessageBox.StandardButton.Yes)

    def dismiss(self) -> None:
        """Close it unanswered (the app quits with it open): nothing is said through `answered`."""
        if self.isVisible():
            self.blockSignals(True)
            self.close()
