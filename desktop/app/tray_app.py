"""`TrayApp`: the composition root, where the app's pieces are built and wired (started by `desktop.app.main`).

Everything the user sees is a thin widget from `desktop.ui`; everything the app knows lives in
`desktop.core`, `desktop.net` and `desktop.system`. `TrayApp` builds the state and the widgets, hands
them to the flows that do the work (each in a module of its own: signing in, the status, do not
disturb, notifications, compose, history, rooms and people, hosting, settings, trust, discovery,
commands from a second start), and connects each widget's intents to the flow that carries them out.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from desktop.app.action_flow import ActionFlow
from desktop.app.commands import Commands
from desktop.app.compose_flow import ComposeFlow
from desktop.app.discovery_flow import DiscoveryFlow
from desktop.app.dnd_flow import DndFlow, quiet_hours
from desktop.app.history_flow import HistoryFlow
from desktop.app.host_flow import HostFlow
from desktop.app.menu_entry_flow import MenuEntryOffer
from desktop.app.notify_flow import Connect, NotifyFlow
from desktop.app.scheduled_flow import ScheduledFlow
from desktop.app.settings_flow import SettingsFlow
from desktop.app.signin_flow import SignInFlow
from desktop.app.status_flow import StatusFlow
from desktop.app.tasks import Tasks
from desktop.app.team_flow import TeamFlow
from desktop.app.trust_flow import TrustFlow
from desktop.core.directory import Directory
from desktop.core.dnd import DoNotDisturb, ToastGate, WallClock, local_now
from desktop.core.preferences import Preferences
from desktop.core.toasts import ToastPolicy
from desktop.core.unread import UnreadCounter
from desktop.net.session import HubSession
from desktop.system.credentials import CredentialStore
from desktop.system.report import Reporter
from desktop.system.sound import SoundPlayer
from desktop.ui.menu import AppMenu
from desktop.ui.painted import PaintWatcher, geometry
from desktop.ui.signin import SignInDialog
from desktop.ui.toast_stack import ToastStack
from desktop.ui.tray import StatusWindow, Tray
from desktop.ui.tray_messages import TrayMessages
from hub.rich import Priority


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
        """`notification_service` finds the desktop's notification service (None: lan-notify's toasts only);
        `host`, `host_interface` and `host_port` are the command line's --host options."""
        super().__init__()
        qapp.setQuitOnLastWindowClosed(False)  # a tray app lives on with no window open; quit() ends it
        self.prefs = preferences
        self.report = reporter
        self.tasks = Tasks()
        self._done = asyncio.Event()
        self._build_state(clock, use_tray)
        self._build_signing_in(data_dir, credentials, ca_file, notification_service)
        self._build_features(clock, credentials, host_data_dir or data_dir / "hub", host, host_interface, host_port)
        if self.tray is not None:
            self.stack.avoid = self.tray.icon.geometry  # toasts in the tray's corner start below (or above) it
            self.notifications.tray = TrayMessages(self.tray.icon)
        self.apply_preferences()
        self._wire()
        self._report_painting()

    def _build_state(self, clock: WallClock, use_tray: bool | None) -> None:
        """What the app knows (no Qt), and the widgets that show it."""
        prefs = self.prefs
        self.unread = UnreadCounter()
        self.directory = Directory(watched=prefs.watched)
        self.dnd = DoNotDisturb(clock, quiet_hours=quiet_hours(prefs.quiet_hours))
        self.toasts = ToastPolicy(max_visible=prefs.max_visible_toasts, burst_threshold=prefs.burst_threshold)
        self.stack = ToastStack(self.toasts)
        self.menu = AppMenu()
        self.dialog = SignInDialog()
        self.tray, self.status_window = _surfaces(self.menu, use_tray)
        self.dnd_timer = QTimer(self)
        self.dnd_timer.setSingleShot(True)

    def _build_signing_in(
        self, data_dir: Path, credentials: CredentialStore, ca_file: Path | None, service: Connect | None
    ) -> None:
        """Where notifications are shown, and signing in (which opens the session that brings them)."""
        prefs, report, spawn = self.prefs, self.report, self.tasks.spawn
        self.notifications = NotifyFlow(
            toasts=self.toasts, prefs=prefs, report=report, sound=SoundPlayer(prefs.sound, fallback=QApplication.beep),
            me=lambda: self.signin.session.username if self.signin.session else "",
            on_open=lambda nid: spawn(self.history.show(nid)), on_reply=lambda to: self.compose.open(to),
            spawn=spawn, connect=service, on_link=lambda n: self.actions.link(n, n.click or ""),
            on_button=lambda n, button: self.actions.button(n, button),
        )  # fmt: skip
        self.gate = ToastGate(self.notifications.presenter, self.dnd)
        self.discovery = DiscoveryFlow(dialog=self.dialog, report=report, spawn=spawn)
        self.trust = TrustFlow(prefs=prefs, report=report, ca_file=ca_file,
                               announced=self.discovery.announced_fingerprint)  # fmt: skip
        self.signin = SignInFlow(
            dialog=self.dialog, prefs=prefs, credentials=credentials, trust=self.trust, report=report, spawn=spawn,
            data_dir=data_dir, toasts=self.gate, unread=self.unread, directory=self.directory,
            on_state=lambda status: self.status.changed(status), opened=self._session_opened,
            closed=self._session_closed, notice=self.notifications.notice, local_hub=lambda: self.host.hub,
        )  # fmt: skip

    def _build_features(
        self,
        clock: WallClock,
        credentials: CredentialStore,
        host_dir: Path,
        host: bool,
        host_interface: str | None,
        host_port: int | None,
    ) -> None:
        """What the signed-in user does: compose, history, rooms and people, hosting, settings, do not disturb."""
        prefs, report, spawn, session = self.prefs, self.report, self.tasks.spawn, self.signin.current
        self.compose = ComposeFlow(
            session=session, directory=self.directory, prefs=prefs, report=report, spawn=spawn,
            sign_in_needed=self.signin.ask_again, refresh_directory=lambda: self.team.refresh_directory(),
            scheduled=lambda: self.scheduled.follow(),
        )  # fmt: skip
        self.history = HistoryFlow(session=session, unread=self.unread, report=report, spawn=spawn,
                                   sign_in_needed=self.signin.ask_again)  # fmt: skip
        self.history_window = self.history.window
        self.scheduled = ScheduledFlow(session=session, report=report, spawn=spawn,
                                       sign_in_needed=self.signin.ask_again)  # fmt: skip
        self.actions = ActionFlow(session=session, report=report, spawn=spawn, notice=self.notifications.notice,
                                  reply=lambda to: self.compose.open(to, reply=True))  # fmt: skip
        self.team = TeamFlow(
            session=session, directory=self.directory, menu=self.menu, dnd=self.dnd, hosted=lambda: self.host.hosted,
            prefs=prefs, toasts=self.notifications.presenter, report=report, spawn=spawn,
            notice=self.notifications.notice,
        )  # fmt: skip
        self.host = HostFlow(
            data_dir=host_dir, prefs=prefs, report=report, spawn=spawn, signin=self.signin, team=self.team,
            notifications=self.notifications, asked=host, interface=host_interface, port=host_port,
        )  # fmt: skip
        self.settings = SettingsFlow(
            prefs=prefs, report=report, spawn=spawn, apply=self.apply_preferences,
            hub_changed=lambda hub: self.signin.ask(hub, prefs.username, "Sign in to the new hub address."),
            session=session, credentials=credentials, presentation=lambda: self.notifications.presentation,
            hosted=lambda: self.host.hosted,
        )  # fmt: skip
        self.status = StatusFlow(tray=self.tray, window=self.status_window, prefs=prefs, report=report,
                                 unread=self.unread, dnd=self.dnd, session=session)  # fmt: skip
        self.do_not_disturb = DndFlow(dnd=self.dnd, timer=self.dnd_timer, clock=clock, prefs=prefs, report=report,
                                      refresh_menu=self.team.refresh_menu, show_status=self.status.show)  # fmt: skip
        self.menu_entry = MenuEntryOffer(prefs=prefs, report=report, spawn=spawn)
        self.commands = Commands(
            menu=self.menu, spawn=spawn, signin=self.signin, status=self.status, history=self.history,
            compose=self.compose, dnd=self.do_not_disturb, team=self.team, settings=self.settings, host=self.host,
            scheduled=self.scheduled,
        )  # fmt: skip

    def _wire(self) -> None:
        """Each widget's intents, to the flow that carries them out."""
        spawn = self.tasks.spawn
        for surface in (self.tray, self.status_window, self.menu):
            if surface is not None:
                surface.open_history.connect(lambda: spawn(self.history.show(None)))
        for asker in (self.status_window, self.menu):
            if asker is not None:
                asker.sign_out_requested.connect(lambda: spawn(self.signin.sign_out()))
                asker.sign_in_requested.connect(self.signin.ask_again)
                asker.quit_requested.connect(lambda: spawn(self.quit()))
        menu = self.menu
        menu.compose_requested.connect(lambda to: self.compose.open(to))
        menu.dnd_requested.connect(self.do_not_disturb.set)
        menu.settings_requested.connect(self.settings.open)
        menu.scheduled_requested.connect(self.scheduled.open)
        menu.host_requested.connect(lambda: spawn(self.host.host_here()))
        menu.invite_requested.connect(self.host.open_or_host)
        menu.hosting_info_requested.connect(self.host.open_or_host)
        for replier in (self.stack, self.history_window):  # a toast's Reply, the history's
            replier.reply_requested.connect(lambda to: self.compose.open(to, reply=True))
            replier.button_pressed.connect(self.actions.button)  # the sender's view and respond buttons
        self.stack.link_requested.connect(lambda n: self.actions.link(n, n.click or ""))
        self.history_window.link_requested.connect(self.actions.link)
        self.dialog.host_requested.connect(lambda: spawn(self.host.host_here()))
        self.settings.dialog.sign_out_requested.connect(lambda: spawn(self.signin.sign_out()))
        self.dnd_timer.timeout.connect(self.dnd.check)
        self.dnd.subscribe(self.do_not_disturb.changed)  # after the settings first applied: the start reports it once
        self.stack.open_history.connect(lambda nid: spawn(self.history.show(nid)))
        self.unread.subscribe(lambda count: self.report.event("unread", count=count))
        self.toasts.subscribe(self.report.toasts)

    def _report_painting(self) -> None:
        """`--report` says where each window, menu and toast was drawn (screenshots and e2e tests wait for it)."""
        report = self.report
        self.stack.toast_painted.connect(
            lambda nid, where: report.event("toast_painted", notification_id=nid, geometry=where)
        )
        self.compose.dialog.painted.connect(
            lambda: report.event("painted", what="compose", geometry=geometry(self.compose.dialog))
        )
        self.menu.painted.connect(lambda what, where: report.event("painted", what=what, geometry=where))
        windows = {"history": self.history_window, "signin": self.dialog, "settings": self.settings.dialog,
                   "host": self.host.window, "status": self.status_window,
                   "scheduled": self.scheduled.window}  # fmt: skip
        for what, window in windows.items():
            if window is not None:
                PaintWatcher(window, what).painted.connect(
                    lambda what, where: report.event("painted", what=what, geometry=where)
                )

    def _session_opened(self, session: HubSession) -> None:
        session.inbox.subscribe(self.history.changed)
        self.stack.me = session.username
        self.status.show()

    def _session_closed(self) -> None:
        self.toasts.dismiss_all()
        self.notifications.dismiss_all()
        self.unread.reset_to(0)
        self.history_window.hide()
        self.scheduled.window.hide()
        self.compose.dialog.hide()
        self.directory.reset()

    def apply_preferences(self) -> None:
        """The settings changed (or the app starts): what they govern follows at once."""
        self.stack.set_corner(self.prefs.toast_corner)
        self.gate.min_priority = Priority(self.prefs.min_priority)
        self.do_not_disturb.apply()
        self.notifications.apply()

    async def run(self) -> None:
        """Start, then wait until the user quits."""
        self.status.present()
        self.report.event("started", tray=self.tray is not None, pid=os.getpid())
        self.menu_entry.offer()
        await self.notifications.start()
        self.do_not_disturb.changed()
        if self.host.wanted:
            await self.host.host_here()
        else:
            await self.signin.start()
        await self._done.wait()

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
        self.scheduled.window.hide()
        self.status.hide()
        self._done.set()


def _surfaces(menu: AppMenu, use_tray: bool | None) -> tuple[Tray | None, StatusWindow | None]:
    """The tray icon where there is a tray (or `use_tray`), else the status window."""
    available = QSystemTrayIcon.isSystemTrayAvailable()
    if available if use_tray is None else use_tray:
        return Tray(menu), None
    return None, StatusWindow(menu, asked=use_tray is False and available)
