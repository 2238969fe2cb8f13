"""Wiring of the settings dialog: load from QSettings, validate, save, apply at once (part of the app's wiring)."""

from __future__ import annotations

from collections.abc import Callable

from desktop import autostart
from desktop.core.dnd import QuietHours
from desktop.report import Reporter
from desktop.ui.settings import Preferences
from desktop.ui.settings_dialog import SettingsDialog


class SettingsFlow:
    def __init__(
        self,
        *,
        prefs: Preferences,
        report: Reporter,
        apply: Callable[[], None],
        hub_changed: Callable[[str], None],
        current_hub: Callable[[], str],
    ) -> None:
        self.prefs = prefs
        self.report = report
        self._apply = apply
        self._hub_changed = hub_changed
        self._current_hub = current_hub
        self.dialog = SettingsDialog()
        self.dialog.saved.connect(self.save)

    def open(self, account: str) -> None:
        self.dialog.load(self.prefs, account=account, autostart=autostart.enabled())
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def save(self, values: dict[str, object]) -> None:
        try:
            QuietHours.parse(str(values.get("dnd/quiet_hours", "")))
        except ValueError as exc:
            self.dialog.show_error(str(exc))
            return
        new_hub = str(values.pop("hub/url", "") or "")
        want_autostart = bool(values.get("startup/autostart"))
        try:
            if want_autostart != autostart.enabled():
                autostart.enable() if want_autostart else autostart.disable()
        except OSError as exc:
            self.dialog.show_error(f"Could not change starting at login: {exc}")
            return
        self.prefs.save(values)
        self._apply()
        self.dialog.hide()
        self.report.event("settings_saved", keys=sorted(values))
        if new_hub and new_hub != self._current_hub():
            self._hub_changed(new_hub)
