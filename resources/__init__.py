"""Artwork and stylesheets shipped in the wheel, read through one loader.

Everything goes through `importlib.resources`, so an installed wheel finds its files from any
working directory (and from a zip). Nothing here imports Qt: callers get bytes or text and hand
them to `QSvgRenderer` / `setStyleSheet` themselves.

Layout::

    icons/types/<type>.svg     one round glyph per notification type
    icons/tray/<state>.svg     the tray bell per connection state
    icons/app/lan-notify.svg   the application's icon (app menu, window title bars)
    icons/tray/dnd.svg         a moon laid over the bell while do not disturb is on
    styles/<name>.qss          Qt stylesheets (toast.qss)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final

__all__ = [
    "ACCENTS",
    "NOTIFICATION_TYPES",
    "TRAY_STATES",
    "ResourceNotFoundError",
    "app_icon_svg",
    "badge_svg",
    "dnd_svg",
    "file_path",
    "read_bytes",
    "stylesheet",
    "tray_icon_svg",
    "type_icon_svg",
    "type_icon_uri",
]

#: Notification types with artwork (the same names as `hub.protocol.NotificationType`).
NOTIFICATION_TYPES: Final = ("info", "success", "warning", "error", "message", "system")
#: Tray states with artwork. Reconnecting shares "connecting"; auth failures share "offline".
TRAY_STATES: Final = ("connected", "connecting", "offline")

#: The accent colour of each type: the icon's disc and the toast's accent bar (toast.qss).
ACCENTS: Final[dict[str, str]] = {
    "info": "#2563eb",
    "success": "#16a34a",
    "warning": "#d97706",
    "error": "#dc2626",
    "message": "#7c3aed",
    "system": "#475569",
}

_BADGE_FILL: Final = "#dc2626"
_BADGE_MAX: Final = 99


class ResourceNotFoundError(LookupError):
    """A resource name that the package does not ship."""


def _root() -> Traversable:
    return resources.files(__name__)


def _resource(relative: str) -> Traversable:
    node = _root()
    for part in relative.split("/"):
        if part in {"", ".", ".."}:
            raise ResourceNotFoundError(f"not a resource name: {relative!r}")
        node = node.joinpath(part)
    if not node.is_file():
        raise ResourceNotFoundError(f"no such resource: {relative!r}")
    return node


def read_bytes(relative: str) -> bytes:
    """The bytes of a shipped file, by its '/'-separated name under the package."""
    return _resource(relative).read_bytes()


@contextlib.contextmanager
def file_path(relative: str) -> Iterator[Path]:
    """A real file-system path for APIs that insist on one (valid inside the `with` block)."""
    with resources.as_file(_resource(relative)) as path:
        yield path


def type_icon_svg(ntype: str) -> bytes:
    """The SVG of a notification type's icon."""
    if ntype not in NOTIFICATION_TYPES:
        raise ResourceNotFoundError(f"no icon for notification type {ntype!r}")
    return read_bytes(f"icons/types/{ntype}.svg")


def type_icon_uri(ntype: str) -> str:
    """A `file://` URI of a type's icon, for a service that reads files itself (the desktop's notification
    service); "" when the package is not on the file system (inside a zip)."""
    if ntype not in NOTIFICATION_TYPES:
        raise ResourceNotFoundError(f"no icon for notification type {ntype!r}")
    node = _resource(f"icons/types/{ntype}.svg")
    return node.resolve().as_uri() if isinstance(node, Path) else ""


def tray_icon_svg(state: str) -> bytes:
    """The SVG of the tray icon for one of `TRAY_STATES`."""
    if state not in TRAY_STATES:
        raise ResourceNotFoundError(f"no tray icon for state {state!r}")
    return read_bytes(f"icons/tray/{state}.svg")


def app_icon_svg() -> bytes:
    """The SVG of the application's own icon (installed into the icon theme for the app-menu entry)."""
    return read_bytes("icons/app/lan-notify.svg")


def dnd_svg() -> bytes:
    """The do-not-disturb mark (a moon in the bottom-left corner), 64x64, laid over the tray icon."""
    return read_bytes("icons/tray/dnd.svg")


def stylesheet(name: str) -> str:
    """A Qt stylesheet by name, e.g. `stylesheet("toast")`."""
    return read_bytes(f"styles/{name}.qss").decode("utf-8")


def badge_svg(count: int) -> bytes:
    """An unread badge: a red pill with the count ("99+" past 99), for the tray icon's top-right corner.

    The SVG is 64x64 like the tray icons, so both can be rendered into the same square and layered.
    """
    if count < 1:
        raise ValueError("a badge needs a count of at least 1")
    text = str(count) if count <= _BADGE_MAX else f"{_BADGE_MAX}+"
    width = {1: 30, 2: 38}.get(len(text), 46)
    x = 64 - width
    font_size = 22 if len(text) < 3 else 19
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
        f"<title>{text} unread</title>"
        f'<rect x="{x + 1}" y="1" width="{width - 2}" height="28" rx="14" fill="{_BADGE_FILL}" '
        'stroke="#ffffff" stroke-width="2.5"/>'
        f'<text x="{x + width / 2}" y="22.5" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" '
        f'font-size="{font_size}" font-weight="bold" fill="#ffffff">{text}</text>'
        "</svg>"
    )
    return svg.encode("ascii")
