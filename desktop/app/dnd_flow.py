"""Wiring of do not disturb: the menu's choices, quiet hours from the settings, and the timer that wakes
the app when do not disturb ends or quiet hours begin (the rules are `desktop.core.dnd`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from desktop.core.dnd import DoNotDisturb, QuietHours, WallClock
from desktop.core.preferences import Preferences
from desktop.system.report import Reporter

log = logging.getLogger("desktop.app")


class Timer(Protocol):
    """A single-shot timer that calls `DoNotDisturb.check` when it fires (the app's is a `QTimer`)."""

    def start(self, msec: int, /) -> None: ...

    def stop(self) -> None: ...


def quiet_hours(text: str) -> QuietHours | None:
    """The `dnd/quiet_hours` setting; a malformed one is ignored (and logged)."""
    try:
        return QuietHours.parse(text)
    except ValueError:
        log.warning("ignoring quiet hours %r: they look like 19:00-08:00", text)
        return None


class DndFlow:
    def __init__(
        self,
        *,
        dnd: DoNotDisturb,
        timer: Timer,
        clock: WallClock,
        prefs: Preferences,
        report: Reporter,
        refresh_menu: Callable[[], None],
        show_status: Callable[[], None],
    ) -> None:
        self.dnd = dnd
        self.timer = timer
        self._clock = clock
        self.prefs = prefs
        self.report = report
        self._refresh_menu = refresh_menu
        self._show_status = show_status
        self._reported: tuple[bool, int, str] | None = None

    def set(self, mode: str) -> None:
        """A choice of the menu's "Do not disturb" (`on`, `hour`, `tomorrow`, `off`) or of `--dnd`."""
        {"on": lambda: self.dnd.turn_on(), "hour": lambda: self.dnd.for_hours(1), "tomorrow": self.dnd.until_tomorrow,
         "off": self.dnd.turn_off}.get(mode, lambda: None)()  # fmt: skip

    def apply(self) -> None:
        """The settings changed: quiet hours as they say now."""
        self.dnd.set_quiet_hours(quiet_hours(self.prefs.quiet_hours))

    def changed(self) -> None:
        """Do not disturb changed (the app subscribes this to it), or the app starts: the menu, the icon, the
        timer and the report follow."""
        self._refresh_menu()
        self._show_status()  # the icon wears a moon while do not disturb is on
        moment = self.dnd.next_change()
        if moment is None:
            self.timer.stop()
        else:
            seconds = (moment - self._clock()).total_seconds()
            self.timer.start(max(1, min(3_600_000, round(seconds * 1000))))  # re-armed hourly: sleep drifts
        state = (self.dnd.active(), self.dnd.held, self.dnd.describe())
        if state != self._reported:
            self._reported = state
            self.report.event("dnd", active=state[0], held=state[1], text=state[2])
