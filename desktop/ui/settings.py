"""Preferences in QSettings: the hub address, the username, toast settings. Never a token or a password."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from desktop.core.toasts import BURST_THRESHOLD, MAX_VISIBLE


class Preferences:
    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings or QSettings("lan-notify", "notify-tray")

    def _text(self, key: str) -> str:
        value = self._settings.value(key, "")
        return value if isinstance(value, str) else ""

    @property
    def hub_url(self) -> str:
        return self._text("hub/url")

    @property
    def username(self) -> str:
        return self._text("hub/username")

    def _int(self, key: str, default: int, low: int, high: int) -> int:
        value = self._settings.value(key, default)
        try:
            number = int(str(value))
        except ValueError:
            return default
        return min(high, max(low, number))

    @property
    def max_visible_toasts(self) -> int:
        """Toasts on screen at once before "+N more" (toasts/max_visible, 1-10)."""
        return self._int("toasts/max_visible", MAX_VISIBLE, 1, 10)

    @property
    def burst_threshold(self) -> int:
        """More arrivals than this within a second collapse into one summary (toasts/burst_threshold, 2-100)."""
        return self._int("toasts/burst_threshold", BURST_THRESHOLD, 2, 100)

    def remember(self, hub_url: str, username: str) -> None:
        self._settings.setValue("hub/url", hub_url)
        self._settings.setValue("hub/username", username)
        self._settings.sync()

    def keys(self) -> list[str]:
        return list(self._settings.allKeys())
