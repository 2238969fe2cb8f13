"""Preferences: the hub address, the username, toast settings... Never a token or a password.

They live in a `SettingsBackend`: the app's is a `QSettings` (desktop.app.main makes it), which has the
methods it names; this module does not import Qt.
"""

from __future__ import annotations

from typing import Protocol

from desktop.core.toasts import AUTO_DISMISS, BURST_THRESHOLD, MAX_VISIBLE
from desktop.core.trust import MemoryPins
from hub.protocol import NotificationType

#: The screen corners toasts can sit in: (toasts/corner value, what the settings dialog says).
CORNERS = (("top-right", "Top right"), ("top-left", "Top left"), ("bottom-right", "Bottom right"),
           ("bottom-left", "Bottom left"))  # fmt: skip
#: The floor of "Show toasts from priority ..." (toasts/min_priority), in words; `min` never toasts.
MIN_PRIORITIES = (("low", "Low and above (all but min)"), ("default", "Default and above"),
                  ("high", "High and above"), ("urgent", "Urgent only"))  # fmt: skip
#: What the settings dialog offers for host/interface (an address of this computer's may be typed too).
INTERFACES = (("0.0.0.0", "Every network interface (teammates can join)"), ("127.0.0.1", "This computer only"))


class SettingsBackend(Protocol):
    """Keys and values that persist (`QSettings` is one: hence its method names)."""

    def value(self, key: str, default: object = None, /) -> object: ...

    def setValue(self, key: str, value: object, /) -> None: ...

    def sync(self) -> None: ...

    def allKeys(self) -> list[str]: ...


class Preferences:
    def __init__(self, settings: SettingsBackend) -> None:
        self._settings = settings

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

    # ------------------------------------------------------------------ part two: compose, presence, DND, look, host

    def _bool(self, key: str, default: bool) -> bool:
        value = self._settings.value(key, default)
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in {"1", "true", "yes", "on"}

    def _list(self, key: str) -> list[str]:
        return [part for part in self._text(key).split(",") if part]

    def _set(self, key: str, value: object) -> None:
        self._settings.setValue(key, value)
        self._settings.sync()

    @property
    def recent_recipients(self) -> list[str]:
        """compose/recent: recipient labels, newest first (names only: never a secret)."""
        return self._list("compose/recent")

    def set_recent_recipients(self, labels: list[str]) -> None:
        self._set("compose/recent", ",".join(labels))

    @property
    def watched(self) -> list[str]:
        """online/watched: teammates whose coming online pops a toast."""
        return self._list("online/watched")

    def set_watched(self, names: list[str]) -> None:
        self._set("online/watched", ",".join(sorted(names)))

    @property
    def quiet_hours(self) -> str:
        """dnd/quiet_hours: '19:00-08:00', or '' for none."""
        return self._text("dnd/quiet_hours")

    @property
    def toast_corner(self) -> str:
        """toasts/corner: top-right (default), top-left, bottom-right, bottom-left."""
        value = self._text("toasts/corner")
        return value if value in dict(CORNERS) else "top-right"

    @property
    def show_as(self) -> str:
        """notifications/show_as: `toasts`, `system`, or "" (unset: system notifications where the desktop
        has a service with buttons, toasts otherwise)."""
        value = self._text("notifications/show_as")
        return value if value in {"toasts", "system"} else ""

    @property
    def min_priority(self) -> str:
        """toasts/min_priority: the lowest priority that pops a toast: low (default), default, high, urgent.
        Below it a notification goes to the history and the badge only."""
        value = self._text("toasts/min_priority")
        return value if value in dict(MIN_PRIORITIES) else "low"

    def toast_duration(self, ntype: str) -> float | None:
        """toasts/duration/TYPE: seconds on screen; 0 = sticky (until closed); unset = the type's default."""
        default = AUTO_DISMISS[NotificationType(ntype)]
        raw = self._settings.value(f"toasts/duration/{ntype}", None)
        if raw is None or raw == "":
            return default
        try:
            seconds = float(str(raw))
        except ValueError:
            return default
        return None if seconds <= 0 else min(seconds, 3600.0)

    def sound(self, ntype: str) -> bool:
        """sound/TYPE: play a sound for this type (default: on for error and message)."""
        return self._bool(f"sound/{ntype}", ntype in {"error", "message"})

    @property
    def autostart(self) -> bool:
        """startup/autostart: start notify-tray at login (mirrors the autostart entry)."""
        return self._bool("startup/autostart", False)

    @property
    def menu_entry_offered(self) -> bool:
        """startup/menu_entry_offered: the app already asked once whether to add itself to the app menu."""
        return self._bool("startup/menu_entry_offered", False)

    def set_menu_entry_offered(self) -> None:
        self._set("startup/menu_entry_offered", True)

    @property
    def host_enabled(self) -> bool:
        """host/enabled: this computer hosts the hub (started with the app)."""
        return self._bool("host/enabled", False)

    @property
    def host_interface(self) -> str:
        """host/interface: the address the hosted hub listens on (default 0.0.0.0: the whole LAN)."""
        return self._text("host/interface") or "0.0.0.0"

    @property
    def host_port(self) -> int:
        """host/port: the hosted hub's TCP port (default 8765)."""
        return self._int("host/port", 8765, 0, 65535)

    def save(self, values: dict[str, object]) -> None:
        """Store what the settings dialog collected (keys as above)."""
        for key, value in values.items():
            self._settings.setValue(key, value)
        self._settings.sync()

    # ------------------------------------------------------------------ TLS: a CA file, pinned fingerprints

    @property
    def ca_file(self) -> str:
        """tls/ca_file: a CA (or the hub's own certificate) file to trust https hubs with; '' = the system's CAs."""
        return self._text("tls/ca_file")

    @property
    def pins(self) -> SettingsPins:
        """tls/pins: the fingerprints the user trusted, per hub (not secrets)."""
        return SettingsPins(self._settings)


class SettingsPins:
    """A `PinStore` in the settings: `tls/pins` holds `{"https://host:port": "AB:CD:..."}` as JSON."""

    KEY = "tls/pins"

    def __init__(self, settings: SettingsBackend) -> None:
        self._settings = settings

    def _load(self) -> MemoryPins:
        value = self._settings.value(self.KEY, "")
        return MemoryPins.from_text(value if isinstance(value, str) else "")

    def _store(self, pins: MemoryPins) -> None:
        self._settings.setValue(self.KEY, pins.to_text())
        self._settings.sync()

    def pinned(self, hub_url: str) -> str | None:
        return self._load().pinned(hub_url)

    def pin(self, hub_url: str, fingerprint: str) -> None:
        pins = self._load()
        pins.pin(hub_url, fingerprint)
        self._store(pins)

    def forget(self, hub_url: str) -> None:
        pins = self._load()
        pins.forget(hub_url)
        self._store(pins)
