"""Small questions the app asks in a window of their own (non-blocking: they answer through signals)."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog


def room_prompt() -> QInputDialog:
    """The "Join room…" question: a room's name (its `textValueSelected` answers)."""
    ask = QInputDialog()
    ask.setWindowTitle("Join a room")
    ask.setLabelText("Room name (letters, digits, . _ -):")
    ask.setOkButtonText("Join")
    ask.finished.connect(ask.deleteLater)
    return ask


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
