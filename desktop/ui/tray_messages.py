"""The tray icon's own message balloon as a notification service (`NotificationPort`), for macOS and
Windows until they get their native notification centres: one message at a time, no buttons, a click
on it opens the history. `SystemToasts` drives it as it drives the freedesktop service."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

from PySide6.QtWidgets import QSystemTrayIcon

from desktop.core.bubbles import OPEN, Bubble, CloseReason, Urgency

_ICONS = {
    Urgency.LOW: QSystemTrayIcon.MessageIcon.Information,
    Urgency.NORMAL: QSystemTrayIcon.MessageIcon.Information,
    Urgency.CRITICAL: QSystemTrayIcon.MessageIcon.Critical,
}
#: How long a message stays when the bubble leaves it to the system (the platforms' own default).
DEFAULT_MS = 10_000


def _ignore(*_: object) -> None:
    pass


class TrayMessages:
    capabilities = frozenset({"body"})

    def __init__(self, icon: QSystemTrayIcon) -> None:
        self._icon = icon
        self._ids = count(1)
        self._showing = 0
        self.on_action: Callable[[int, str], None] = _ignore
        self.on_closed: Callable[[int, CloseReason], None] = _ignore
        icon.messageClicked.connect(lambda: self.on_action(self._showing, OPEN))

    async def notify(self, bubble: Bubble) -> int:
        nid = bubble.replaces or next(self._ids)
        self._showing = nid
        milliseconds = DEFAULT_MS if bubble.expire_ms < 0 else bubble.expire_ms
        self._icon.showMessage(bubble.summary, bubble.body, _ICONS[bubble.urgency], milliseconds)
        return nid

    async def close(self, nid: int) -> None:
        """A tray message cannot be taken back; the next one replaces it."""
