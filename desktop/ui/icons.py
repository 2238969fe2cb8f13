"""SVG artwork from `resources` as Qt pixmaps and icons, and the tray icon composer (state + unread badge)."""

from __future__ import annotations

import functools
from typing import Final

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

import resources
from desktop.core.bubbles import SEVERITY as SEVERITY  # toast.py reads it here
from desktop.core.connection import TrayState

TRAY_SIZES: Final = (16, 22, 24, 32, 48, 64)


def render_svg(svg: bytes, size: int, *layers: bytes) -> QImage:
    """Draw an SVG (and more on top of it) into a transparent square image."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for blob in (svg, *layers):
        QSvgRenderer(QByteArray(blob)).render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def svg_pixmap(svg: bytes, size: int, device_pixel_ratio: float = 1.0) -> QPixmap:
    pixels = max(1, round(size * device_pixel_ratio))
    pixmap = QPixmap.fromImage(render_svg(svg, pixels))
    pixmap.setDevicePixelRatio(device_pixel_ratio)
    return pixmap


@functools.cache  # drawn once per type and size: every toast and the detail pane show one
def type_pixmap(ntype: str, size: int, device_pixel_ratio: float = 1.0) -> QPixmap:
    """The icon of a notification type, or of the most severe type a summary style names."""
    return svg_pixmap(resources.type_icon_svg(ntype), size, device_pixel_ratio)


@functools.cache  # drawn once per type: a list of 10,000 rows asks for it on every row it paints
def type_icon(ntype: str) -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48):
        icon.addPixmap(type_pixmap(ntype, size))
    return icon


def badge_text(unread: int) -> str:
    """What the badge shows: '' for none, the count, or '99+'."""
    if unread <= 0:
        return ""
    return str(unread) if unread <= 99 else "99+"


def tray_image(state: TrayState, unread: int, size: int = 64, *, dnd: bool = False) -> QImage:
    """The tray artwork for a state, with the unread badge on top when there is something unread, and a moon
    in the bottom-left corner while do not disturb is on."""
    layers: list[bytes] = [resources.dnd_svg()] if dnd else []
    if unread > 0:
        layers.append(resources.badge_svg(unread))
    return render_svg(resources.tray_icon_svg(state), size, *layers)


def tray_icon(state: TrayState, unread: int, *, dnd: bool = False) -> QIcon:
    icon = QIcon()
    for size in TRAY_SIZES:
        icon.addPixmap(QPixmap.fromImage(tray_image(state, unread, size, dnd=dnd)))
    return icon


def icon_size(size: int) -> QSize:
    return QSize(size, size)
