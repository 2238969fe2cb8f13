"""Say when a window was first drawn after it opened, or after it changed size (a message appeared and it grew):
end-to-end tests take their screenshots then."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget


class PaintWatcher(QObject):
    """Watches one window; `painted(name, [x, y, width, height])` after its first paint once it opened, and again
    after its first paint at a new size."""

    painted = Signal(str, list)

    def __init__(self, window: QWidget, name: str) -> None:
        super().__init__(window)
        self.window = window
        self.name = name
        self._painted = False
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show or (event.type() == QEvent.Type.Resize and self.window.isVisible()):
            self._painted = False
        elif event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            QTimer.singleShot(0, lambda: self.painted.emit(self.name, geometry(self.window)))  # after this paint
        return False


def geometry(window: QWidget) -> list[int]:
    """Where a window is on screen, frame included: [x, y, width, height] (what a screenshot crops to)."""
    where = window.frameGeometry()
    return [where.x(), where.y(), where.width(), where.height()]
