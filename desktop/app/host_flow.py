"""Wiring of hosting a hub on this computer: the in-process hub and its window (address, invites, resets).

"Host a hub here" (the menu, the sign-in dialog, `--host`) starts the `LocalHub` and signs in to it as
its local admin through `SignInFlow`, a sign-in like any other. This answers the host window's "Invite"
and "Reset password…"; the hub itself ends each one-time password when it is used to sign in.
"""

from __future__ import annotations

import logging
from pathlib import Path

from desktop.app.notify_flow import NotifyFlow
from desktop.app.signin_flow import SignInFlow
from desktop.app.tasks import Spawn
from desktop.app.team_flow import TeamFlow
from desktop.core.preferences import Preferences
from desktop.errors import HostError, UserExistsError
from desktop.system.hosting import Hosted, LocalHub, cannot_host_text
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
    def __init__(
        self,
        *,
        data_dir: Path,
        prefs: Preferences,
        report: Reporter,
        spawn: Spawn,
        signin: SignInFlow,
        team: TeamFlow,
        notifications: NotifyFlow,
        asked: bool = False,
        interface: str | None = None,
        port: int | None = None,
    ) -> None:
        """`asked`, `interface` and `port` come from the command line (--host, --host-interface, --host-port):
        they win over the settings."""
        self.data_dir = data_dir
        self.prefs = prefs
        self.report = report
        self._spawn = spawn
        self._signin = signin
        self._team = team
        self._notifications = notifications
        self._asked = asked
        self._interface = interface
        self._port = port
        self.hub: LocalHub | None = None
        self.window = HostWindow()
        self.window.invite_requested.connect(lambda name: spawn(self.invite(name)))
        self.window.reset_requested.connect(lambda name: spawn(self.reset_password(name)))
        self.window.reset_prompt_requested.connect(lambda: spawn(self.ask_reset()))

    @property
    def hosted(self) -> Hosted | None:
        return self.hub.hosted if self.hub is not None else None

    @property
    def wanted(self) -> bool:
        """Host at start: asked for on the command line, or hosted when the app last quit."""
        return self._asked or self.prefs.host_enabled

    async def host_here(self) -> None:
        """Start the hub in-process (if not yet), then sign in to it as the local admin."""
        interface = self._interface or self.prefs.host_interface
        port = self._port if self._port is not None else self.prefs.host_port
        try:
            hosted = await self.start(interface, port)
        except HostError as exc:
            text = cannot_host_text(exc, port_from_command_line=self._port is not None)
            log.warning("%s", text)  # the terminal that started it (make run) hears it too
            if self._signin.session is None:
                self._signin.ask(self.prefs.hub_url, self.prefs.username, text)
            else:
                self._notifications.notice(
                    "Could not host a hub here", text.removeprefix("Could not host a hub here. ")
                )
            return
        self.prefs.save({"host/enabled": True})
        await self._signin.sign_in_locally(hosted)
        self._team.refresh_menu()
        self._notifications.presenter.push_notice(  # after signing in: opening a session clears the toasts
            "Your hub runs on this computer",
            f"{hosted.lan_warning or f'Teammates join at {hosted.lan_url}.'} "
            "Try “Send message…” in the menu: send yourself one.",
            style="info",
            timeout=10.0,
        )

    def open_or_host(self) -> None:
        """The menu's hosting entries: the hub's window, or hosting one first."""
        if self.hosted is None:
            self._spawn(self.host_here())
        else:
            self.open_window()

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
        self._spawn(self._team.refresh_directory())  # the menus list the new teammate

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
