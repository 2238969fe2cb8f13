"""A canary for the Qt binding this project pins (pyproject.toml, the `desktop` extra).

PySide6 6.12.0 loses a reference to None each time Python calls a Qt method that returns nothing
(`setEnabled`, `repaint`...). On Python 3.11 None's references are counted: once they run out the
interpreter stops with "Fatal Python error: none_dealloc" (the tray app did, in the history window
and under a burst of notifications). 6.11.2 does not. If this fails after an upgrade, keep the pin
below that release for Python 3.11, or drop Python 3.11.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

CALLS = 2_000


def test_calling_qt_keeps_every_reference_to_none(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        widget.setEnabled(True)  # returns nothing
    assert sys.getrefcount(None) > before - CALLS // 2  # a little noise either way; a leak is one a call
