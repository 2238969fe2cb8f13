"""What a second `notify-tray` asks of the one running (desktop.app.single_instance carries it over):
come forward, or a command of its command line (`--compose bob`, `--dnd off`, `--show-menu online`,
`--settings hosting`, `--scheduled`, `--host`)."""

from __future__ import annotations

import logging

from desktop.app.compose_flow import ComposeFlow
from desktop.app.dnd_flow import DndFlow
from desktop.app.history_flow import HistoryFlow
from desktop.app.host_flow import HostFlow
from desktop.app.scheduled_flow import ScheduledFlow
from desktop.app.settings_flow import SettingsFlow
from desktop.app.signin_flow import SignInFlow
from desktop.app.status_flow import StatusFlow
from desktop.app.tasks import Spawn
from desktop.app.team_flow import TeamFlow
from desktop.ui.menu import AppMenu

log = logging.getLogger("desktop.app")


class Commands:
    def __init__(
        self,
        *,
        menu: AppMenu,
        spawn: Spawn,
        signin: SignInFlow,
        status: StatusFlow,
        history: HistoryFlow,
        compose: ComposeFlow,
        dnd: DndFlow,
        team: TeamFlow,
        settings: SettingsFlow,
        host: HostFlow,
        scheduled: ScheduledFlow,
    ) -> None:
        self.menu = menu
        self._spawn = spawn
        self.signin = signin
        self.status = status
        self.history = history
        self.compose = compose
        self.dnd = dnd
        self.team = team
        self.settings = settings
        self.host = host
        self.scheduled = scheduled

    def bring_forward(self) -> None:
        """A second `notify-tray` was started: show what this one has."""
        if self.signin.session is None:
            self.signin.ask_again()
        elif not self.status.bring_forward():
            self._spawn(self.history.show(None))

    def run(self, command: str) -> None:
        """One command, as a line: "compose bob", "dnd off", "menu online", "settings notifications", "host"."""
        verb, _, arg = command.partition(" ")
        if verb != "menu":
            self.menu.hide()  # a popped-up menu would sit over what was asked for
        if verb == "compose":
            self.compose.open(arg)
        elif verb == "dnd":
            self.dnd.set(arg)
        elif verb == "menu":
            self._spawn(self.team.show_menu(arg))
        elif verb == "settings":
            self.settings.open(arg)
        elif verb == "host":
            self.host.open_or_host()
        elif verb == "scheduled":
            self.scheduled.open()
        else:
            log.warning("unknown command from a second start: %r", verb)
