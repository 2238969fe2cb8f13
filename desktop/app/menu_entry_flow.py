"""The one-time offer to add the app to the desktop's app menu (`desktop.system.desktop_entry` writes the files).

Asked once, on the first start of an installed `notify-tray` (pip, pipx) on a freedesktop system
where the entry is not there yet; the answer, whichever it is, is remembered
(`startup/menu_entry_offered`). The question never blocks: it is a non-modal box, the app goes on
meanwhile, and closing it counts as "no". `notify-tray --install-desktop-entry` does the same at
any time. A run from a source checkout (`python -m desktop.app`, `make run`) is not asked: the
entry would point into that checkout.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from desktop.core.preferences import Preferences
from desktop.system import desktop_entry
from desktop.system.report import Reporter
from desktop.ui.menu_entry_question import MenuEntryQuestion

log = logging.getLogger(__name__)


def worth_asking(home: Path | None = None, platform: str = sys.platform) -> bool:
    """A freedesktop system, an installed `notify-tray`, and no entry yet."""
    freedesktop = platform not in {"darwin", "win32", "cygwin"}
    return freedesktop and desktop_entry.started_as_installed_command() and not desktop_entry.installed(home)


class MenuEntryOffer:
    def __init__(
        self,
        *,
        prefs: Preferences,
        report: Reporter,
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        home: Path | None = None,
        should_ask: Callable[[], bool] | None = None,
    ) -> None:
        self.prefs = prefs
        self.report = report
        self.spawn = spawn
        self.home = home
        self.should_ask = should_ask or (lambda: worth_asking(home))
        self.box: MenuEntryQuestion | None = None

    def offer(self) -> None:
        """Ask, unless asked before (in any earlier run) or there is nothing to ask."""
        if self.prefs.menu_entry_offered or not self.should_ask():
            return
        self.prefs.set_menu_entry_offered()
        box = MenuEntryQuestion()
        box.answered.connect(self._answered)
        self.box = box
        self.report.event("menu_entry_offered")
        box.show()  # not open(): that makes it window-modal

    def close(self) -> None:
        """Quitting with the question open: leave it unanswered (it is not asked again)."""
        if self.box is not None:
            self.box.dismiss()
        self.box = None

    def _answered(self, yes: bool) -> None:
        box, self.box = self.box, None
        if box is None or not yes:
            self.report.event("menu_entry_declined")
            return
        self.spawn(self._install())

    async def _install(self) -> None:
        try:
            files = await asyncio.to_thread(desktop_entry.install, None, self.home)
        except OSError as exc:
            log.warning("could not add the app-menu entry: %s", exc)
            self.report.event("menu_entry_failed", message=str(exc))
            return
        log.info("added the app-menu entry %s", files.entry)
        self.report.event("menu_entry_installed", path=str(files.entry))
