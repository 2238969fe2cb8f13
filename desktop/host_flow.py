"""Wiring of hosting a hub on this computer: the in-process hub and its window (address, invites).

Signing in to the hosted hub stays with the app (it is a sign-in like any other); this holds the
`LocalHub`, answers the host window's "Invite teammate…" and retires each one-time password once that
teammate has signed in (seen online on the hub).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from desktop.errors import HostError
from desktop.hosting import Hosted, LocalHub
from desktop.report import Reporter
from desktop.session import Spawn
from desktop.ui.host_window import HostWindow
from desktop.ui.settings import Preferences

log = logging.getLogger(__name__)


class HostFlow:
    def __init__(
        self, *, data_dir: Path, prefs: Preferences, report: Reporter, spawn: Spawn, invited: Callable[[], None]
    ) -> None:
        self.data_dir = data_dir
        self.prefs = prefs
        self.report = report
        self._invited = invited
        self.hub: LocalHub | None = None
        self.window = HostWindow()
        self.window.invite_requested.connect(lambda name: spawn(self.invite(name)))

    @property
    def pending_invites(self) -> list[str]:
        """Teammates invited whose one-time password still works (they have not signed in yet)."""
        return self.prefs.pending_invites

    @property
    def hosted(self) -> Hosted | None:
        return self.hub.hosted if self.hub is not None else None

    async def start(self, interface: str, port: int) -> Hosted:
        """Start the hub (once); raises `HostError` when it cannot listen or open its store."""
        if self.hub is None:
            self.hub = LocalHub(self.data_dir, host=interface, port=port)
        try:
            hosted = await self.hub.start()
        except HostError as exc:
            self.hub = None
            self.report.event("host_failed", message=str(exc))
            raise
        self.window.set_hosted(hosted.lan_url, hosted.username, hosted.join_hint)
        self.report.event("hosting", local_url=hosted.local_url, lan_url=hosted.lan_url, user=hosted.username,
                          created_user=hosted.created_user, hint=hosted.join_hint)  # fmt: skip
        return hosted

    def open_window(self) -> None:
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        self.window.invite_name.setFocus()
        self.report.event("host_window", lan_url=self.window.address.text())

    async def invite(self, name: str) -> None:
        hosted = self.hosted
        if self.hub is None or hosted is None:
            self.window.show_error("This computer does not host a hub right now.")
            return
        try:
            password = await self.hub.invite(name)
        except HostError as exc:
            self.window.show_error(str(exc))
            self.report.event("invite_failed", user=name, message=str(exc))
            return
        self.window.show_invite(name, password, hosted.lan_url)
        self.prefs.set_pending_invites(sorted({*self.pending_invites, name}))  # a name, never the password
        self.report.event("invited", user=name)  # never the password
        self._invited()

    async def retire_used_invites(self, online: frozenset[str]) -> None:
        """Invited teammates who are online have signed in: their one-time passwords stop working."""
        hub = self.hub
        used = [name for name in self.pending_invites if name in online]
        if hub is None or not used:
            return
        self.prefs.set_pending_invites([n for n in self.pending_invites if n not in used])  # before awaiting: once
        for name in used:
            try:
                await hub.retire_password(name)
            except HostError as exc:  # removed meanwhile (notify-hub user remove): nothing left to retire
                log.info("could not retire the invite of %s: %s", name, exc)
                continue
            self.report.event("invite_used", user=name)

    async def stop(self) -> None:
        hub, self.hub = self.hub, None
        self.window.hide()
        if hub is not None:
            await hub.stop()
            self.report.event("hub_stopped")
