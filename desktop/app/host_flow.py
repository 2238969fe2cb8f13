"""Wiring of hosting a hub on this computer: the in-process hub and its window (address, invites, resets).

Signing in to the hosted hub stays with the app (it is a sign-in like any other); this holds the
`LocalHub` and answers the host window's "Invite" and "Reset password…". The hub itself ends each
one-time password when it is used to sign in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from desktop.app.tasks import Spawn
from desktop.errors import HostError, UserExistsError
from desktop.system.hosting import Hosted, LocalHub
from desktop.system.report import Reporter
from desktop.ui.host_window import HostWindow

log = logging.getLogger(__name__)


def invite_text(name: str, lan_url: str) -> str:
    return (
        f"{name} signs in to {lan_url} as “{name}” with this one-time password. It works for one sign-in and "
        "is shown only here, so copy it now:"
    )


def reset_text(name: str) -> str:
    return (
        f"{name}'s new one-time password. It works for one sign-in and is shown only here, so copy it now "
        f"({name}'s devices that are signed in stay signed in):"
    )


class HostFlow:
    def __init__(self, *, data_dir: Path, report: Reporter, spawn: Spawn, invited: Callable[[], None]) -> None:
        self.data_dir = data_dir
        self.report = report
        self._invited = invited
        self.hub: LocalHub | None = None
        self.window = HostWindow()
        self.window.invite_requested.connect(lambda name: spawn(self.invite(name)))
        self.window.reset_requested.connect(lambda name: spawn(self.reset_password(name)))
        self.window.reset_prompt_requested.connect(lambda: spawn(self.ask_reset()))

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
        self.window.set_hosted(hosted.lan_url, hosted.username, hosted.join_hint, hosted.lan_warning)
        self.report.event("hosting", local_url=hosted.local_url, lan_url=hosted.lan_url, user=hosted.username,
                          created_user=hosted.created_user, hint=hosted.join_hint,
                          warning=hosted.lan_warning)  # fmt: skip
        return hosted

    def open_window(self) -> None:
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        self.window.invite_name.setFocus()
        self.report.event("host_window", lan_url=self.window.address.text())

    def _running(self) -> tuple[LocalHub, Hosted] | None:
        if self.hub is None or self.hub.hosted is None:
            self.window.show_error("This computer does not host a hub right now.")
            return None
        return self.hub, self.hub.hosted

    async def invite(self, name: str) -> None:
        running = self._running()
        if running is None:
            return
        hub, hosted = running
        try:
            password = await hub.invite(name)
        except UserExistsError as exc:
            self.window.show_error(str(exc), offer_reset_for=exc.name)
            self.report.event("invite_failed", user=name, message=str(exc))
            return
        except HostError as exc:
            self.window.show_error(str(exc))
            self.report.event("invite_failed", user=name, message=str(exc))
            return
        self.window.show_password(invite_text(name, hosted.lan_url), password)
        self.report.event("invited", user=name)  # never the password
        self._invited()

    async def ask_reset(self) -> None:
        running = self._running()
        if running is None:
            return
        try:
            names = await running[0].teammates()
        except HostError as exc:
            self.window.show_error(str(exc))
            return
        self.window.ask_reset(names)
        self.report.event("reset_prompt", users=names)

    async def reset_password(self, name: str) -> None:
        running = self._running()
        if running is None:
            return
        try:
            password = await running[0].reset_password(name)
        except HostError as exc:
            self.window.show_error(str(exc))
            self.report.event("reset_failed", user=name, message=str(exc))
            return
        self.window.show_password(reset_text(name), password)
        self.report.event("password_reset", user=name)  # never the password

    async def stop(self) -> None:
        hub, self.hub = self.hub, None
        self.window.hide()
        if hub is not None:
            await hub.stop()
            self.report.event("hub_stopped")
