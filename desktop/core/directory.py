"""Who and what is on the hub, as the menus show it: users, who is online, rooms and my memberships.

Fed from the hub's `welcome`, `list_users`, `list_rooms` answers and the live `user_online` /
`user_offline` events; listeners hear every change. It also remembers which teammates the user
wants a toast for when they come online. No Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RoomInfo:
    name: str
    member: bool
    restricted: bool = False
    members: int = 0


class Directory:
    def __init__(self, me: str = "", watched: Iterable[str] = ()) -> None:
        self.me = me
        self.admin = False
        self.users: list[str] = []
        #: Accounts nothing sent to can reach (a script's: send-only tokens, no password), as the hub says.
        self.send_only: frozenset[str] = frozenset()
        self.online: frozenset[str] = frozenset()
        self.rooms: list[RoomInfo] = []
        self.watched: set[str] = set(watched)
        self._listeners: list[Callable[[], None]] = []
        self._came_online: list[Callable[[str], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def on_came_online(self, listener: Callable[[str], None]) -> None:
        """Hear a watched teammate come online (not at the first presence list after connecting)."""
        self._came_online.append(listener)

    # ------------------------------------------------------------------ reading

    @property
    def my_rooms(self) -> list[str]:
        return [r.name for r in self.rooms if r.member]

    @property
    def open_rooms(self) -> list[str]:
        """Rooms the user could join (not a member, not restricted)."""
        return [r.name for r in self.rooms if not r.member and not r.restricted]

    @property
    def people(self) -> list[str]:
        """The users who can receive, alphabetical: whom the app offers to write to or to watch."""
        return [u for u in self.users if u not in self.send_only]

    def online_people(self) -> list[str]:
        """Who is online, the user themself excluded, alphabetical."""
        return sorted((n for n in self.online if n != self.me), key=str.lower)

    # ------------------------------------------------------------------ changes

    def reset(self, me: str = "") -> None:
        self.me, self.admin = me, False
        self.users, self.send_only, self.online, self.rooms = [], frozenset(), frozenset(), []
        self._changed()

    def set_identity(self, me: str, admin: bool) -> None:
        self.me, self.admin = me, admin
        self._changed()

    def set_online(self, online: Iterable[str], *, initial: bool = False) -> None:
        new = frozenset(online)
        arrived = sorted(new - self.online) if not initial else []
        self.online = new
        if any(u not in self.users for u in new):
            self.users = sorted(set(self.users) | new)
        self._changed()
        for name in arrived:
            if name in self.watched and name != self.me:
                for listener in list(self._came_online):
                    listener(name)

    def set_users(self, answer: Mapping[str, Any]) -> None:
        """From a `list_users` answer: `{users: [{name, admin, online, receives}]}` (a hub that does not say
        `receives` has every account receive)."""
        users = answer.get("users")
        if isinstance(users, list):
            known = [u for u in users if isinstance(u, dict) and "name" in u]
            self.users = sorted(str(u["name"]) for u in known)
            self.send_only = frozenset(str(u["name"]) for u in known if u.get("receives") is False)
        self._changed()

    def set_rooms(self, answer: Mapping[str, Any]) -> None:
        """From a `list_rooms` answer: `{rooms: [{name, member, restricted, members}]}`."""
        rooms = answer.get("rooms")
        if isinstance(rooms, list):
            self.rooms = [
                RoomInfo(
                    name=str(r["name"]),
                    member=bool(r.get("member")),
                    restricted=bool(r.get("restricted")),
                    members=int(r.get("members") or 0),
                )
                for r in rooms
                if isinstance(r, dict) and "name" in r
            ]
        self._changed()

    def set_member(self, room: str, member: bool) -> None:
        """A join or leave the hub confirmed (a list_rooms refresh follows, this shows it at once)."""
        found = False
        rooms = []
        for r in self.rooms:
            if r.name == room:
                found = True
                r = RoomInfo(r.name, member, r.restricted, max(0, r.members + (1 if member else -1)))
            rooms.append(r)
        if not found and member:
            rooms.append(RoomInfo(room, True, False, 1))
        self.rooms = sorted(rooms, key=lambda r: r.name)
        self._changed()

    def watch(self, name: str, on: bool) -> None:
        (self.watched.add if on else self.watched.discard)(name)
        self._changed()

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()
