"""The frame of a toast: a frameless always-on-top window (`Popup`) and the rounded card in it with its
type's accent stripe (`ToastCard`). What a toast shows is desktop/ui/toast.py's."""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import Property, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPainterPath, QPaintEvent, QPen, QRegion, QResizeEvent
from PySide6.QtWidgets import QFrame, QWidget

import resources

#: The card's corner radius and the width of the accent stripe on its left edge, in pixels.
RADIUS: Final = 8
ACCENT_WIDTH: Final = 5

_FLAGS: Final = (
    Qt.WindowType.Tool
    | Qt.WindowType.FramelessWindowHint
    | Qt.WindowType.WindowStaysOnTopHint
    | Qt.WindowType.WindowDoesNotAcceptFocus
)


def _rounded(rect: QRectF, radius: float = RADIUS) -> QPainterPath:
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    return path


class Popup(QWidget):
    """A frameless always-on-top window with rounded corners that never steals focus."""

    def __init__(self) -> None:
        super().__init__(None, _FLAGS)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setStyleSheet(resources.stylesheet("toast"))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if QGuiApplication.platformName() == "xcb":
            # An X desktop without a compositor paints a translucent window's corners black: cut them off.
            outline = _rounded(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)).toFillPolygon().toPolygon()
            self.setMask(QRegion(outline))


class ToastCard(QFrame):
    """The toast's card: a rounded rectangle with a stripe in the type's accent colour along its left edge.

    Painted here rather than with a thick stylesheet border (which Qt draws as a bracket with hooks at
    rounded corners); the colours still come from toast.qss, as `qproperty-background`, `-border`, `-accent`.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._background = QColor("#ffffff")
        self._border = QColor("#cbd5e1")
        self._accent = QColor("#64748b")

    def _get_background(self) -> QColor:
        return self._background

    def _set_background(self, colour: QColor) -> None:
        self._background = QColor(colour)
        self.update()

    def _get_border(self) -> QColor:
        return self._border

    def _set_border(self, colour: QColor) -> None:
        self._border = QColor(colour)
        self.update()

    def _get_accent(self) -> QColor:
        return self._accent

    def _set_accent(self, colour: QColor) -> None:
        self._accent = QColor(colour)
        self.update()

    background = Property(QColor, _get_background, _set_background)
    border = Property(QColor, _get_border, _set_border)
    accent = Property(QColor, _get_accent, _set_accent)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = _rounded(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        painter.fillPath(card, self._background)
        painter.setPen(QPen(self._border, 1))
        painter.drawPath(card)
        stripe = QPainterPath()
        stripe.addRect(QRectF(0, 0, ACCENT_WIDTH, self.height()))
        painter.fillPath(card.intersected(stripe), self._accent)
        painter.end()
