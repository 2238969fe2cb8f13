"""`TrayApp`: where the widgets and the logic are wired together (started by `desktop.app`).

Everything the user sees is a thin widget from `desktop.ui`; everything the app knows lives in
`desktop.core`, `desktop.net`, `desktop.system.credentials` and `desktop.net.session`. `TrayApp` only connects
the two: widget intents start coroutines on the qasync loop, core callbacks update widgets. The
compose dialog, the settings dialog, the history window, the menu's rooms and people, and hosting have
their own small wiring modules (`compose_flow`, `settings_flow`, `history_flow`, `team_flow`, `host_flow`).
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from desktop.app.compose_flow import ComposeFlow
from desktop.app.discovery_flow import DiscoveryFlow
from desktop.app.history_flow import HistoryFlow
from desktop.app.host_flow import HostFlow
from desktop.app.menu_entry_flow import MenuEntryOffer
from desktop.app.notify_flow import Connect, NotifyFlow
from desktop.app.settings_flow import SettingsFlow
from desktop.app.signin_flow import SignInFlow
from desktop.app.tasks import Tasks
from desktop.app.team_flow import TeamFlow
from desktop.app.trust_flow import TrustFlow
from desktop.core.connection import ConnectionStatus
from desktop.core.directory import Directory
from desktop.core.dnd import DoNotDisturb, QuietHours, ToastGate, WallClock, local_now
from desktop.core.preferences import Preferences
from desktop.core.toasts import ToastPolicy
from desktop.core.unread import UnreadCounter
from desktop.errors import HostError
from desktop.net.session import HubSession
from desktop.system.credentials import CredentialStore
from desktop.system.hosting import cannot_host_text
from desktop.system.report import Reporter
from desktop.system.sound import SoundCues, SoundPlayer
from desktop.ui.menu import AppMenu, MenuState
from desktop.ui.painted import PaintWatcher, geometry
from desktop.ui.signin import SignInDialog
from desktop.ui.toast_stack import ToastStack
from desktop.ui.tray import StatusWindow, Tray
from desktop.ui.tray_messages import TrayMessages
from hub.protocol import NotificationType

log = logging.getLogger("desktop.app")


class TrayApp(QObject):
    def __init__(
        self,
        qapp: QApplication,
        *,
        data_dir: Path,
        preferences: Preferences,
        credentials: CredentialStore,
        reporter: Reporter,
        use_tray: bool | None = None,
        clock: WallClock = local_now,
        host: bool = False,
        host_interface: str | None = None,
        host_port: int | None = None,
        host_data_dir: Path | None = None,
        ca_file: Path | None = None,
        notification_service: Connect | None = None,
    ) -> None:
        """`notification_service` finds the desktop's notification service (None: lan-notify's toasts only)."""
        super().__init__()
        self.qapp = qapp
        qapp.setQuitOnLastWindowClosed(False)  # a tray app lives on with no window open; quit() ends it
        self.data_dir = data_dir
        self.prefs = preferences
        self.credentials = credentials
        self.report = reporter
        self.status = ConnectionStatus()
        self.unread = UnreadCounter()
        self.toasts = ToastPolicy(
            max_visible=preferences.max_visible_toasts, burst_threshold=preferences.burst_threshold
        )
        self.stack = ToastStack(self.toasts)
        self.dialog = SignInDialog()
        self.tasks = Tasks()
        self.spawn = self.tasks.spawn
        self._done = asyncio.Event()
        self._clock = clock
        self.directory = Directory(watched=preferences.watched)
        self.dnd = DoNotDisturb(clock, quiet_hours=_quiet_hours(preferences.quiet_hours))
        self.dnd_timer = QTimer(self)
        self.dnd_timer.setSingleShot(True)
        self.dnd_timer.timeout.connect(self.dnd.check)
        self.sound = SoundPlayer(self.prefs.sound, fallback=QApplication.beep)
        self.notifications = NotifyFlow(
            toasts=self.toasts, prefs=preferences, report=reporter, sound=self.sound,
            me=lambda: self.signin.session.username if self.signin.session else "",
            on_open=lambda nid: self.spawn(self.history.show(nid)), on_reply=self.open_compose,
            spawn=self.spawn, connect=notification_service,
        )  # fmt: skip
        self.gate = ToastGate(self.notifications.presenter, self.dnd)
        self.discovery = DiscoveryFlow(dialog=self.dialog, report=reporter, spawn=self.spawn)
        self.trust = TrustFlow(
            prefs=preferences, report=reporter, ca_file=ca_file, announced=self.discovery.announced_fingerprint
        )
        self.signin = SignInFlow(
            dialog=self.dialog, prefs=preferences, credentials=credentials, trust=self.trust, report=reporter,
            spawn=self.spawn, data_dir=data_dir, toasts=self.gate, unread=self.unread, directory=self.directory,
            on_state=self._on_state, opened=self._session_opened, closed=self._session_closed, notice=self.notice,
            local_hub=lambda: self.host.hub,
        )  # fmt: skip
        self._dnd_reported: tuple[bool, int, str] | None = None
        self.compose = ComposeFlow(
            session=lambda: self.signin.session, prefs=preferences, report=reporter, spawn=self.spawn
        )
        self.menu = AppMenu()
        self.history = HistoryFlow(
            session=lambda: self.signin.session,
            unread=self.unread,
            report=reporter,
            spawn=self.spawn,
            sign_in_needed=self.signin.ask_again,
        )
        self.history_window = self.history.window
        self.team = TeamFlow(
            session=lambda: self.signin.session,
            directory=self.directory,
            menu=self.menu,
            menu_state=self._menu_state,
            prefs=preferences,
            toasts=self.notifications.presenter,
            report=reporter,
            spawn=self.spawn,
            notice=self.notice,
        )
        self.settings = SettingsFlow(
            prefs=preferences,
            report=reporter,
            spawn=self.spawn,
            apply=self.apply_preferences,
            hub_changed=lambda hub: self.signin.ask(hub, self.prefs.username, "Sign in to the new hub address."),
            session=lambda: self.signin.session,
            credentials=credentials,
            presentation=lambda: self.notifications.presentation,
            hosted=lambda: self.host.hosted,
        )
        self.host = HostFlow(
            data_dir=host_data_dir or data_dir / "hub",
            report=reporter,
            spawn=self.spawn,
            invited=lambda: self.spawn(self.team.refresh_directory()),
        )
        self.menu_entry = MenuEntryOffer(prefs=preferences, report=reporter, spawn=self.spawn)
        self._host = host
        self._host_interface = host_interface
        self._host_port = host_port

        has_tray = QSystemTrayIcon.isSystemTrayAvailable() if use_tray is None else use_tray
        self.tray: Tray | None = Tray(self.menu) if has_tray else None
        self.status_window: StatusWindow | None = (
            None
            if has_tray
            else StatusWindow(self.menu, asked=use_tray is False and QSystemTrayIcon.isSystemTrayAvailable())
        )
        if self.tray is not None:
            self.stack.avoid = self.tray.icon.geometry  # toasts in the tray's corner start below (or above) it
            self.notifications.tray = TrayMessages(self.tray.icon)
        self.apply_preferences()
        self._wire()

    # ------------------------------------------------------------------ wiring

    def _wire(self) -> None:
        if self.tray is not None:
            self.tray.open_history.connect(lambda: self.spawn(self.history.show(None)))
        if self.status_window is not None:
            self.status_window.open_history.connect(lambda: self.spawn(self.history.show(None)))
            self.status_window.sign_out_requested.connect(lambda: self.spawn(self.signin.sign_out()))
            self.status_window.sign_in_requested.connect(self.signin.ask_again)
            self.status_window.quit_requested.connect(lambda: self.spawn(self.quit()))
        menu = self.menu
        menu.open_history.connect(lambda: self.spawn(self.history.show(None)))
        menu.sign_out_requested.connect(lambda: self.spawn(self.signin.sign_out()))
        menu.sign_in_requested.connect(self.signin.ask_again)
        menu.quit_requested.connect(lambda: self.spawn(self.quit()))
        menu.compose_requested.connect(self.open_compose)
        menu.dnd_requested.connect(self.set_dnd)
        menu.settings_requested.connect(self.open_settings)
        menu.host_requested.connect(lambda: self.spawn(self.host_here()))
        menu.invite_requested.connect(self.open_host_window)
        menu.hosting_info_requested.connect(self.open_host_window)
        self.stack.reply_requested.connect(self.reply)
        self.history_window.reply_requested.connect(self.reply)
        self.dialog.host_requested.connect(lambda: self.spawn(self.host_here()))
        self.settings.dialog.sign_out_requested.connect(lambda: self.spawn(self.signin.sign_out()))
        self.directory.subscribe(self._directory_changed)
        self.dnd.subscribe(self._dnd_changed)
        self.toasts.subscribe(
            SoundCues(self.sound, lambda t, result: self.report.event("sound", type=t, result=result))
        )
        self.stack.open_history.connect(lambda nid: self.spawn(self.history.show(nid)))
        self.stack.toast_painted.connect(
            lambda nid, where: self.report.event("toast_painted", notification_id=nid, geometry=where)
        )
        self.compose.dialog.painted.connect(
            lambda: self.report.event("painted", what="compose", geometry=geometry(self.compose.dialog))
        )
        self.menu.painted.connect(lambda what, where: self.report.event("painted", what=what, geometry=where))
        windows = {"history": self.history_window, "signin": self.dialog, "settings": self.settings.dialog,
                   "host": self.host.window, "status": self.status_window}  # fmt: skip
        for what, window in windows.items():
            if window is not None:
                PaintWatcher(window, what).painted.connect(
                    lambda what, where: self.report.event("painted", what=what, geometry=where)
                )
        self.unread.subscribe(lambda _count: self._show_status())
        self.unread.subscribe(lambda count: self.report.event("unread", count=count))
        self.toasts.subscribe(self.report.toasts)

    def _show_status(self) -> None:
        hub = self.signin.session.hub_url if self.signin.session else self.prefs.hub_url
        user = self.signin.session.username if self.signin.session else ""
        dnd = self.dnd.describe() if self.dnd.active() else ""
        for surface in (self.tray, self.status_window):
            if surface is not None:
                surface.set_status(self.status, self.unread.count, hub, user, dnd)

    def _on_state(self, status: ConnectionStatus) -> None:
        self.status = status
        self.report.event("state", state=status.state.value, reason=status.reason)
        self._show_status()

    def _session_opened(self, session: HubSession) -> None:
        session.inbox.subscribe(self.history.changed)
        self.stack.me = session.username
        self._show_status()

    def _session_closed(self) -> None:
        self.toasts.dismiss_all()
        self.notifications.dismiss_all()
        self.unread.reset_to(0)
        self.history_window.hide()
        self.compose.dialog.hide()
        self.directory.reset()

    def network_changed(self, online: bool) -> None:
        """The OS says the network came back: retry now instead of at the end of the backoff."""
        self.report.event("network", online=online)
        if online and self.signin.session is not None and self.signin.session.client is not None:
            self.signin.session.client.retry_now()

    # ------------------------------------------------------------------ life

    async def run(self) -> None:
        """Start, then wait until the user quits."""
        self._show_status()  # the icon first: a tray entry shown without one is an empty slot
        if self.tray is not None:
            self.tray.show()
        elif self.status_window is not None:
            self.status_window.show()
        self.report.event("started", tray=self.tray is not None, pid=os.getpid())
        self.menu_entry.offer()
        await self.notifications.start()
        self._dnd_changed()
        if self._host or self.prefs.host_enabled:
            await self.host_here()
        else:
            await self.signin.start()
        await self._done.wait()

    def bring_forward(self) -> None:
        """A second `notify-tray` was started: show what this one has."""
        if self.signin.session is None:
            self.signin.ask_again()
        elif self.status_window is not None:
            self.status_window.show()
            self.status_window.raise_()
            self.status_window.activateWindow()
        else:
            self.spawn(self.history.show(None))

    async def quit(self) -> None:
        if self._done.is_set():
            return
        self.report.event("quit")
        await self.signin.close_session()
        await self.host.stop()
        await self.discovery.stop()
        await self.notifications.stop()
        self.compose.dialog.hide()
        self.settings.dialog.hide()
        self.trust.cancel()
        self.menu_entry.close()
        self.stack.close_all()
        self.dialog.hide()
        self.history_window.hide()
        if self.tray is not None:
            self.tray.hide()
        if self.status_window is not None and self.status_window.isVisible():
            self.status_window.blockSignals(True)  # its close would ask to quit again
            self.status_window.close()
        self._done.set()

    # ------------------------------------------------------------------ notices

    def notice(self, title: str, message: str) -> None:
        self.notifications.presenter.push_notice(title, message, style="system")
        self.report.event("notice", title=title, message=message)

    # ------------------------------------------------------------------ menus (rooms and people: team_flow.py)

    def _menu_state(self) -> MenuState:
        d = self.directory
        hosted = self.host.hosted
        return MenuState(
            signed_in=self.signin.session is not None,
            my_rooms=tuple(d.my_rooms),
            open_rooms=tuple(d.open_rooms),
            online=tuple(d.online_people()),
            users=tuple(u for u in d.people if u != d.me),
            watched=frozenset(d.watched),
            dnd_text=self.dnd.describe(),
            dnd_active=self.dnd.active(),
            hosting=hosted.lan_url if hosted is not None else "",
            admin=d.admin,
        )

    def _directory_changed(self) -> None:
        self.menu.set_state(self._menu_state())
        if self.compose.dialog.isVisible():
            self.compose.refresh()
        d = self.directory
        self.report.event(
            "directory", online=d.online_people(), my_rooms=d.my_rooms, open_rooms=d.open_rooms, admin=d.admin
        )

    def open_compose(self, recipient: str = "", *, reply: bool = False) -> None:
        if self.signin.session is None:
            self.signin.ask_again()
            return
        self.compose.open(recipient, reply=reply)
        self.spawn(self.team.refresh_directory())  # the dialog follows what the hub says now

    def reply(self, recipient: str) -> None:
        """Reply to a notification (a toast's Reply, the history's): a message to `recipient`, with no title."""
        self.open_compose(recipient, reply=True)

    # ------------------------------------------------------------------ do not disturb

    def set_dnd(self, mode: str) -> None:
        {"on": lambda: self.dnd.turn_on(), "hour": lambda: self.dnd.for_hours(1), "tomorrow": self.dnd.until_tomorrow,
         "off": self.dnd.turn_off}.get(mode, lambda: None)()  # fmt: skip

    def _dnd_changed(self) -> None:
        self.menu.set_state(self._menu_state())
        self._show_status()  # the icon wears a moon while do not disturb is on
        moment = self.dnd.next_change()
        if moment is None:
            self.dnd_timer.stop()
        else:
            seconds = (moment - self._clock()).total_seconds()
            self.dnd_timer.start(max(1, min(3_600_000, round(seconds * 1000))))  # re-armed hourly: sleep drifts
        state = (self.dnd.active(), self.dnd.held, self.dnd.describe())
        if state != self._dnd_reported:
            self._dnd_reported = state
            self.report.event("dnd", active=state[0], held=state[1], text=state[2])

    # ------------------------------------------------------------------ settings, sound

    def apply_preferences(self) -> None:
        self.toasts.set_auto_dismiss({t: self.prefs.toast_duration(t.value) for t in NotificationType})
        self.stack.set_corner(self.prefs.toast_corner)
        self.dnd.set_quiet_hours(_quiet_hours(self.prefs.quiet_hours))
        self.notifications.apply()

    def _sounded(self, ntype: str, result: str) -> None:
        self.report.event("sound", type=ntype, result=result)

    def open_settings(self) -> None:
        self.settings.open()

    # ------------------------------------------------------------------ hosting a hub on this computer

    async def host_here(self) -> None:
        """Start the hub in-process (if not yet), then sign in to it as the local admin."""
        interface = self._host_interface or self.prefs.host_interface
        port = self._host_port if self._host_port is not None else self.prefs.host_port
        try:
            hosted = await self.host.start(interface, port)
        except HostError as exc:
            text = cannot_host_text(exc, port_from_command_line=self._host_port is not None)
            log.warning("%s", text)  # the terminal that started it (make run) hears it too
            if self.signin.session is None:
                self.signin.ask(self.prefs.hub_url, self.prefs.username, text)
            else:
                self.notice("Could not host a hub here", text.removeprefix("Could not host a hub here. "))
            return
        self.prefs.save({"host/enabled": True})
        await self.signin.sign_in_locally(hosted)
        self.menu.set_state(self._menu_state())
        self.notifications.presenter.push_notice(  # after signing in: opening a session clears the toasts
            "Your hub runs on this computer",
            f"{hosted.lan_warning or f'Teammates join at {hosted.lan_url}.'} "
            "Try “Send message…” in the menu: send yourself one.",
            style="info",
            timeout=10.0,
        )

    def open_host_window(self) -> None:
        if self.host.hosted is None:
            self.spawn(self.host_here())
        else:
            self.host.open_window()

    # ------------------------------------------------------------------ commands from a second start

    def run_command(self, command: str) -> None:
        """`notify-tray --compose bob`, `--dnd off`, `--show-menu online` while this one runs."""
        verb, _, arg = command.partition(" ")
        if verb != "menu":
            self.menu.hide()  # a popped-up menu would sit over what was asked for
        if verb == "compose":
            self.open_compose(arg)
        elif verb == "dnd":
            self.set_dnd(arg)
        elif verb == "menu":
            self.spawn(self.team.show_menu(arg))
        elif verb == "settings":
            self.open_settings()
        elif verb == "host":
            self.open_host_window()
        else:
            log.warning("unknown command from a second start: %r", verb)


def _quiet_hours(text: str) -> QuietHours | None:
    try:
        return QuietHours.parse(text)
    except ValueError:
        log.warning("ignoring quiet hours %r: they look like 19:00-08:00", text)
        return None
