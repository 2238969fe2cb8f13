"""Preferences in QSettings: the hub address and the username. Never a token or a password."""

from __future__ import annotations

from PySide6.QtCore import QSettings


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

    def remember(self, hub_url: str, username: str) -> None:
        self._settings.setValue("hub/url", hub_url)
        self._settings.setValue("hub/username", username)
        self._settings.sync()

    def keys(self) -> list[str]:
        return list(self._settings.allKeys())
