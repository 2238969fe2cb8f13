"""Wiring of LAN discovery: while the sign-in dialog is open, it lists the hubs announced on the LAN.

The browsing itself is `desktop.net.discovery.HubBrowser` (no Qt); this starts it when the dialog
shows and stops it when the dialog hides (no mDNS traffic while the app is signed in), puts what it
finds in the dialog's list, and remembers each hub's announced fingerprint for the trust prompt,
which shows whether the certificate a hub presents is the one it announced.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from desktop.core.trust import hub_origin
from desktop.net.discovery import FoundHub, HubBrowser, discovery_enabled
from desktop.system.report import Reporter
from desktop.ui.signin import SignInDialog

log = logging.getLogger(__name__)

BrowserFactory = Callable[[Callable[[list[FoundHub]], None]], HubBrowser]


class DiscoveryFlow:
    def __init__(
        self,
        *,
        dialog: SignInDialog,
        report: Reporter,
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        browser_factory: BrowserFactory = HubBrowser,
        enabled: bool | None = None,
    ) -> None:
        self.dialog = dialog
        self.report = report
        self.spawn = spawn
        self.enabled = discovery_enabled() if enabled is None else enabled
        self.browser = browser_factory(self._changed)
        self._announced: dict[str, str] = {}  # hub origin -> fingerprint it announced (kept after browsing stops)
        self._turn = asyncio.Lock()  # start and stop one after the other, in the order asked
        dialog.found.setVisible(self.enabled)
        if self.enabled:
            dialog.shown.connect(lambda: self.spawn(self._start()))
            dialog.hidden.connect(lambda: self.spawn(self.stop()))

    def announced_fingerprint(self, hub_url: str) -> str:
        """The fingerprint the hub at this address announced on the LAN, or "" (not seen, or no TLS)."""
        try:
            return self._announced.get(hub_origin(hub_url), "")
        except ValueError:
            return ""

    async def _start(self) -> None:
        async with self._turn:
            if self.browser.running or not self.dialog.isVisible():
                return
            try:
                await self.browser.start()
            except OSError as exc:  # no multicast-capable interface, ...
                log.warning("discovery: cannot look for hubs on the LAN: %s", exc)
                self.dialog.found.hide()

    async def stop(self) -> None:
        async with self._turn:
            if self.browser.running:
                await self.browser.stop()
            self.dialog.found.set_hubs([])  # shown again, the dialog lists only what it hears then

    def _changed(self, hubs: list[FoundHub]) -> None:
        for hub in hubs:
            if hub.fingerprint:
                self._announced[hub_origin(hub.url)] = hub.fingerprint
        self.dialog.found.set_hubs(hubs)
        self.report.event(
            "hubs_found", hubs=[{"name": h.name, "url": h.url, "fingerprint": h.fingerprint} for h in hubs]
        )
