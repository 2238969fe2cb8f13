"""The app's menu (tray context menu, and the status window's "Menu" button): intents out, state in.

Send message…, Rooms, Online, Do not disturb, Open history, Scheduled sends…, Settings…, Host a hub here / the hosted
hub's address and "Invite teammate…", Sign in… or Sign out, Quit. Every item does something; items that
need a signed-in session are disabled without one.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QTimer, Signal
from PySide6.QtGui import QAction, QCursor, QPaintEvent, QShowEvent
from PySide6.QtWidgets import QMenu, QWidget

from desktop.ui.painted import geometry

#: Do-not-disturb choices the menu offers (the app maps them to `DoNotDisturb` calls).
DND_CHOICES = (("on", "Turn on"), ("hour", "For 1 hour"), ("tomorrow", "Until tomorrow"), ("off", "Turn off"))


@dataclass(frozen=True, slots=True)
class MenuState:
    signed_in: bool = False
    my_rooms: tuple[str, ...] = ()
    open_rooms: tuple[str, ...] = ()
    online: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    watched: frozenset[str] = frozenset()
    dnd_text: str = "off"
    dnd_active: bool = False
    hosting: str = ""  # the hosted hub's LAN address, "" when not hosting
    admin: bool = False


def _plain(text: str) -> str:
    """Menu texts treat '&' as a mnemonic marker: a room named 'r&d' must show as typed."""
    return text.replace("&", "&&")


class PaintedMenu(QMenu):
    """A menu that says when it was first drawn after opening (screenshots wait for it)."""

    painted = Signal(str, list)  # its name, where it is on screen: [x, y, width, height]

    def __init__(self, title: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.name = name
        self._painted = False

    def showEvent(self, event: QShowEvent) -> None:
        self._painted = False
        super().showEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, lambda: self.painted.emit(self.name, geometry(self)))  # after the paint is flushed


class AppMenu(PaintedMenu):
    compose_requested = Signal(str)  # a recipient label ("" = none chosen)
    join_requested = Signal(str)
    join_by_name_requested = Signal()
    leave_requested = Signal(str)
    watch_toggled = Signal(str, bool)
    dnd_requested = Signal(str)  # one of DND_CHOICES' keys
    open_history = Signal()
    scheduled_requested = Signal()
    settings_requested = Signal()
    host_requested = Signal()
    invite_requested = Signal()
    hosting_info_requested = Signal()
    sign_in_requested = Signal()
    sign_out_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("lan-notify", "menu", parent)
        self.state = MenuState()
        self.send_action = QAction("Send message…", self)
        self.send_action.triggered.connect(lambda: self.compose_requested.emit(""))
        self.rooms_menu = PaintedMenu("Rooms", "menu:rooms", self)
        self.online_menu = PaintedMenu("Online", "menu:online", self)
        self.dnd_menu = PaintedMenu("Do not disturb", "menu:dnd", self)
        for sub in (self.rooms_menu, self.online_menu, self.dnd_menu):
            sub.painted.connect(self.painted)
        self.dnd_actions: dict[str, QAction] = {}
        for key, text in DND_CHOICES:
            action = QAction(text, self.dnd_menu)
            action.triggered.connect(lambda _=False, k=key: self.dnd_requested.emit(k))
            self.dnd_menu.addAction(action)
            self.dnd_actions[key] = action
        self.open_action = QAction("Open history", self)
        self.open_action.triggered.connect(self.open_history)
        self.scheduled_action = QAction("Scheduled sends…", self)
        self.scheduled_action.triggered.connect(self.scheduled_requested)
        self.settings_action = QAction("Settings…", self)
        self.settings_action.triggered.connect(self.settings_requested)
        self.host_action = QAction("Host a hub on this computer…", self)
        self.host_action.triggered.connect(self.host_requested)
        self.hosting_action = QAction("", self)
        self.hosting_action.triggered.connect(self.hosting_info_requested)
        self.invite_action = QAction("Invite teammate…", self)
        self.invite_action.triggered.connect(self.invite_requested)
        self.sign_in_action = QAction("Sign in…", self)
        self.sign_in_action.triggered.connect(self.sign_in_requested)
        self.sign_out_action = QAction("Sign out", self)
        self.sign_out_action.triggered.connect(self.sign_out_requested)
        self.quit_action = QAction("Quit", self)
        self.quit_action.triggered.connect(self.quit_requested)

        self.addAction(self.send_action)
        self.addMenu(self.rooms_menu)
        self.addMenu(self.online_menu)
        self.addMenu(self.dnd_menu)
        self.addSeparator()
        self.addAction(self.open_action)
        self.addAction(self.scheduled_action)
        self.addAction(self.settings_action)
        self.addSeparator()
        self.addAction(self.host_action)
        self.addAction(self.hosting_action)
        self.addAction(self.invite_action)
        self.addSeparator()
        self.addAction(self.sign_in_action)
        self.addAction(self.sign_out_action)
        self.addAction(self.quit_action)
        self.set_state(MenuState())

    def set_state(self, state: MenuState) -> None:
        self.state = state
        signed_in = state.signed_in
        for action in (self.send_action, self.open_action, self.scheduled_action):
            action.setEnabled(signed_in)
        self.sign_in_action.setVisible(not signed_in)
        self.sign_out_action.setVisible(signed_in)
        self.rooms_menu.setEnabled(signed_in)
        self.online_menu.setEnabled(signed_in)
        self._fill_rooms(state)
        self._fill_online(state)
        self.dnd_menu.setTitle(f"Do not disturb: {state.dnd_text}")
        self.dnd_actions["on"].setEnabled(not state.dnd_active)
        self.dnd_actions["off"].setEnabled(state.dnd_active)
        self.host_action.setVisible(not state.hosting)
        self.hosting_action.setVisible(bool(state.hosting))
        self.hosting_action.setText(_plain(f"Hosting the hub at {state.hosting}") if state.hosting else "")
        self.invite_action.setVisible(bool(state.hosting))
        self.invite_action.setEnabled(state.admin)

    def _fill_rooms(self, state: MenuState) -> None:
        menu = self.rooms_menu
        menu.clear()
        if state.my_rooms:
            menu.addSection("My rooms (choose to leave)")
            for room in state.my_rooms:
                action = menu.addAction(_plain(f"Leave #{room}"))
                action.setObjectName(f"leave:{room}")
                action.triggered.connect(lambda _=False, r=room: self.leave_requested.emit(r))
        if state.open_rooms:
            menu.addSection("Open rooms (choose to join)")
            for room in state.open_rooms:
                action = menu.addAction(_plain(f"Join #{room}"))
                action.setObjectName(f"join:{room}")
                action.triggered.connect(lambda _=False, r=room: self.join_requested.emit(r))
        menu.addSeparator()
        join = menu.addAction("Join room…")
        join.setObjectName("join-by-name")
        join.triggered.connect(self.join_by_name_requested)

    def _fill_online(self, state: MenuState) -> None:
        menu = self.online_menu
        menu.clear()
        if not state.online:
            nobody = menu.addAction("Nobody else is online")
            nobody.setEnabled(False)
        for name in state.online:
            action = menu.addAction(_plain(f"Message {name}…"))
            action.setObjectName(f"compose:{name}")
            action.triggered.connect(lambda _=False, n=name: self.compose_requested.emit(n))
        others = [u for u in state.users if u not in state.online]
        if state.online or others:
            watch = menu.addMenu("Tell me when online")
            for name in sorted({*state.online, *others}, key=str.lower):
                action = watch.addAction(_plain(name))
                action.setObjectName(f"watch:{name}")
                action.setCheckable(True)
                action.setChecked(name in state.watched)
                action.toggled.connect(lambda on, n=name: self.watch_toggled.emit(n, on))

    def pop_up(self, submenu: str = "") -> None:
        """Pop up at the pointer, or with a submenu ("rooms", "online", "dnd") open beside it at a fixed place."""
        origin = QCursor.pos() if submenu == "" else QPoint(400, 120)
        self.popup(origin)
        shown = {"rooms": self.rooms_menu, "online": self.online_menu, "dnd": self.dnd_menu}
        sub = shown.get(submenu)
        if sub is not None:
            row = self.actionGeometry(sub.menuAction())
            sub.popup(QPoint(origin.x() + self.sizeHint().width(), origin.y() + row.top()))

    # ------------------------------------------------------------------ reading (tests, reports)

    def texts(self, menu: QMenu | None = None) -> list[str]:
        """The visible, non-separator entries of a menu, as shown (for tests and the report)."""
        menu = menu or self
        return [a.text().replace("&&", "&") for a in menu.actions() if a.isVisible() and not a.isSeparator()]

    def find_action(self, menu: QMenu, name: str) -> QAction | None:
        for action in menu.actions():
            if action.objectName() == name:
                return action
            sub = action.menu()
            if isinstance(sub, QMenu) and (found := self.find_action(sub, name)) is not None:
                return found
        return None
