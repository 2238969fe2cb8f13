"""Wiring of the menu's team parts: rooms (join, leave, join by name), who is online (watch a teammate,
a toast when they come), keeping both as the hub says, and `--show-menu`; and the menu's state as a
whole (`menu_state`), which do not disturb and hosting change too. Part of the app's wiring (the menu is a
dumb widget; what the hub says lives in `desktop.core.directory`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from desktop.app.tasks import Spawn
from desktop.core.directory import Directory
from desktop.core.dnd import DoNotDisturb
from desktop.core.preferences import Preferences
from desktop.core.presentation import Presenter
from desktop.core.wording import sentence
from desktop.errors import HubClientError
from desktop.net.session import HubSession
from desktop.system.hosting import Hosted
from desktop.system.report import Reporter
from desktop.ui.menu import AppMenu, MenuState
from desktop.ui.prompts import RoomNamePrompt

log = logging.getLogger(__name__)


class TeamFlow:
    def __init__(
        self,
        *,
        session: Callable[[], HubSession | None],
        directory: Directory,
        menu: AppMenu,
        dnd: DoNotDisturb,
        hosted: Callable[[], Hosted | None],
        prefs: Preferences,
        toasts: Presenter,
        report: Reporter,
        spawn: Spawn,
        notice: Callable[[str, str], None],
    ) -> None:
        """`dnd` and `hosted` are shown in the menu too (its "Do not disturb" and hosting entries)."""
        self._session = session
        self.directory = directory
        self.menu = menu
        self.dnd = dnd
        self._hosted = hosted
        self.prefs = prefs
        self.toasts = toasts
        self.report = report
        self._spawn = spawn
        self._notice = notice
        #: The "Join a room" prompt while it is open (kept alive until answered).
        self.room_prompt: RoomNamePrompt | None = None
        menu.join_requested.connect(lambda room: spawn(self.join_room(room)))
        menu.leave_requested.connect(lambda room: spawn(self.leave_room(room)))
        menu.join_by_name_requested.connect(self.ask_room_name)
        menu.watch_toggled.connect(self.watch)
        menu.aboutToShow.connect(self._menu_opening)
        directory.on_came_online(self._teammate_online)
        directory.subscribe(self._directory_changed)

    def menu_state(self) -> MenuState:
        """What the menu shows now: rooms, people, do not disturb, hosting."""
        d = self.directory
        hosted = self._hosted()
        return MenuState(
            signed_in=self._session() is not None,
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

    def refresh_menu(self) -> None:
        self.menu.set_state(self.menu_state())

    def _directory_changed(self) -> None:
        self.refresh_menu()
        d = self.directory
        self.report.event(
            "directory", online=d.online_people(), my_rooms=d.my_rooms, open_rooms=d.open_rooms, admin=d.admin
        )

    def _menu_opening(self) -> None:
        if self._session() is not None:
            self._spawn(self.refresh_directory())

    async def refresh_directory(self) -> None:
        """Ask the hub for its users, who is online and its rooms (the menus then show them)."""
        session = self._session()
        if session is None:
            return
        try:
            await session.refresh()
        except HubClientError as exc:
            log.info("could not refresh users and rooms: %s", exc)

    async def join_room(self, room: str) -> None:
        await self._change_room(room, join=True)

    async def leave_room(self, room: str) -> None:
        await self._change_room(room, join=False)

    async def _change_room(self, room: str, *, join: bool) -> None:
        session = self._session()
        if session is None:
            return
        try:
            await (session.join_room(room) if join else session.leave_room(room))
        except HubClientError as exc:
            self._notice(f"Could not {'join' if join else 'leave'} #{room}", sentence(str(exc)))
            return
        self.report.event("joined" if join else "left", room=room)

    def ask_room_name(self) -> None:
        ask = RoomNamePrompt()
        ask.chosen.connect(lambda name: self._spawn(self.join_room(name.strip().lstrip("#"))))
        self.room_prompt = ask
        ask.open()

    def watch(self, name: str, on: bool) -> None:
        self.directory.watch(name, on)
        self.prefs.set_watched(sorted(self.directory.watched))

    def _teammate_online(self, name: str) -> None:
        self.toasts.push_notice(f"{name} is online", "You asked to hear when they come online.", style="info",
                                timeout=10.0, write_to=name)  # fmt: skip
        self.report.event("teammate_online", user=name)

    async def show_menu(self, submenu: str = "") -> None:
        """Pop the app menu up at the pointer (or a submenu next to it) and report what it shows."""
        await self.refresh_directory()  # as opening it from the tray does
        menu = self.menu
        self.refresh_menu()
        menu.pop_up(submenu)
        self.report.event("menu", entries=menu.texts(), rooms=menu.texts(menu.rooms_menu),
                          online=menu.texts(menu.online_menu), dnd=menu.texts(menu.dnd_menu))  # fmt: skip
