"""Windows that fit what they show.

Qt sizes a window from its layout's minimum, but does not apply height-for-width (word-wrapped text)
to windows: a message that appears later (an error, an invite's password) then squeezes everything
else, and at its narrowest a window's wrapped text is cut off. `keep_fitted(window)` fits the window
whenever it is shown or its layout changes: its minimum height holds its contents at its minimum
width, and it grows (never shrinks) to what they need at its current width.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


def fit_to_contents(window: QWidget) -> None:
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    minimum = layout.totalMinimumSize()
    narrowest = max(minimum.width(), window.minimumWidth())
    wraps = layout.hasHeightForWidth()
    lowest = max(minimum.height(), layout.totalHeightForWidth(narrowest) if wraps else 0)
    if window.minimumSize().toTuple() != (narrowest, lowest):
        window.setMinimumSize(narrowest, lowest)
    need = max(lowest, layout.totalHeightForWidth(window.width()) if wraps else 0)
    if window.height() < need or window.width() < narrowest:
        window.resize(max(window.width(), narrowest), max(window.height(), need))


class _Fitter(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in {QEvent.Type.Show, QEvent.Type.LayoutRequest} and isinstance(watched, QWidget):
            fit_to_contents(watched)
        return False


def keep_fitted(window: QWidget) -> None:
    """Fit the window (see the module's docstring) each time it is shown or its contents change."""
    fitter = _Fitter(window)
    window.installEventFilter(fitter)
