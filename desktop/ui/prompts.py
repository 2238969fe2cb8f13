"""Small questions the app asks in a window of their own (non-blocking: they answer through signals)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QInputDialog, QWidget


class RoomNamePrompt(QInputDialog):
    """The "Join room…" question: a room's name, answered through `chosen` (as typed)."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Join a room")
        self.setLabelText("Room name (letters, digits, . _ -):")
        self.setOkButtonText("Join")
        self.textValueSelected.connect(self.chosen)
        self.finished.connect(self.deleteLater)


def reset_prompt(names: list[str], typed: str = "") -> QInputDialog:
    """The "Reset password…" question: whom to give a new one-time password, from the hub's users (or typed)."""
    ask = QInputDialog()
    ask.setWindowTitle("Reset a teammate's password")
    ask.setLabelText("Give a new one-time password to:")
    ask.setComboBoxItems(names)
    ask.setComboBoxEditable(True)
    ask.setOkButtonText("Reset password")
    if typed:
        ask.setTextValue(typed)
    ask.finished.connect(ask.deleteLater)
    return ask
