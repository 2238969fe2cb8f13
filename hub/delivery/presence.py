"""Presence: who is connected, on which devices, and what the others are told when that changes."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from hub.delivery.sessions import Session
from hub.store import User

if TYPE_CHECKING:
    from hub.delivery.fanout import Fanout


class Presence:
    """Sessions by sid, by user and by token. A user is online while any of their devices is.

    By user and by token are tuples, rebuilt on each change: nearly everyone has one or two devices,
    and a tuple of one is ~50 bytes where a dict or a set is over 200 (memory per idle connection).
    A user or token with n connections costs O(n) per connect and disconnect: fine for devices,
    not meant for thousands of connections under one account."""

    def __init__(self, remote: Mapping[int, str] | None = None) -> None:
        #: Users online on other hubs of a cluster, by id (kept up to date by the cluster).
        self.remote: Mapping[int, str] = {} if remote is None else remote
        self.sessions: dict[str, Session] = {}
        #: The sessions told each change as it happens (`user_online` / `user_offline`), and those
        #: told in batches (`PresenceBatches`): a change costs O(plain), not O(everyone).
        self.plain: dict[str, Session] = {}
        self.batched: dict[str, Session] = {}
        #: Sessions removed since the start (the collector's keeper counts departures: hub/heap.py).
        self.departures = 0
        #: Each online user's sessions here (a user with none is not in it). Read, never changed, outside.
        self.by_user: dict[int, tuple[Session, ...]] = {}
        self._by_token: dict[int, tuple[str, ...]] = {}
        #: The names of the users online here, sorted: a page of them costs O(page), not a sort of all.
        self._names: list[str] = []

    def add(self, session: Session) -> bool:
        """Register a session; True when it is the user's first device (the user came online)."""
        sid = session.sid
        self.sessions[sid] = session
        (self.batched if session.batched else self.plain)[sid] = session
        user_id = session.user.id
        devices = (*(s for s in self.by_user.get(user_id, ()) if s.sid != sid), session)
        self.by_user[user_id] = devices
        if session.token_id is not None:
            sids = self._by_token.get(session.token_id, ())
            if sid not in sids:
                self._by_token[session.token_id] = (*sids, sid)
        first = len(devices) == 1
        if first:
            names, name = self._names, session.user.name
            at = bisect.bisect_left(names, name)
            if at == len(names) or names[at] != name:
                names.insert(at, name)
        return first

    def remove(self, sid: str) -> tuple[Session | None, bool]:
        """Forget a session; returns it and True when it was the user's last device (went offline)."""
        session = self.sessions.pop(sid, None)
        if session is None:
            return None, False
        self.departures += 1
        (self.batched if session.batched else self.plain).pop(sid, None)
        if session.token_id is not None:
            sids = tuple(other for other in self._by_token.get(session.token_id, ()) if other != sid)
            if sids:
                self._by_token[session.token_id] = sids
            else:
                self._by_token.pop(session.token_id, None)
        user_id = session.user.id
        devices = tuple(s for s in self.by_user.get(user_id, ()) if s.sid != sid)
        if devices:
            self.by_user[user_id] = devices
            return session, False
        self.by_user.pop(user_id, None)
        names, name = self._names, session.user.name
        at = bisect.bisect_left(names, name)
        if at < len(names) and names[at] == name:
            del names[at]
        return session, True

    def of_user(self, user_id: int) -> list[Session]:
        return list(self.by_user.get(user_id, ()))

    def live(self, user_id: int) -> Iterable[Session]:
        """The user's sessions as they are now (a change makes a new tuple)."""
        return self.by_user.get(user_id, ())

    def device_count(self, user_id: int) -> int:
        return len(self.by_user.get(user_id, ()))

    def reach(self, recipients: Iterable[int]) -> tuple[int, int]:
        """How many devices of `recipients` are connected here, and how many of them have none."""
        devices = offline = 0
        for user_id in recipients:
            count = len(self.by_user.get(user_id, ()))
            devices += count
            offline += count == 0
        return devices, offline

    def of_token(self, token_id: int) -> list[str]:
        return sorted(self._by_token.get(token_id, ()))

    def online_names(self) -> list[str]:
        """Everyone online, here or on another hub, by name."""
        if not self.remote:
            return list(self._names)
        return sorted({*self._names, *self.remote.values()})

    def online_count(self) -> int:
        """How many are online, here or on another hub (without copying the list on one hub)."""
        if not self.remote:
            return len(self._names)
        return len({*self._names, *self.remote.values()})

    def online_page(self, after: str, limit: int) -> tuple[list[str], bool]:
        """Up to `limit` names of who is online after `after` (by name), and whether there are more."""
        names = self._names if not self.remote else self.online_names()
        start = bisect.bisect_right(names, after) if after else 0
        page = names[start : start + limit + 1]
        return page[:limit], len(page) > limit

    def is_online(self, user_id: int) -> bool:
        return user_id in self.by_user or user_id in self.remote

    def __len__(self) -> int:
        return len(self.sessions)


class LocalPresenceNews:
    """One hub: a user's first device coming and last device leaving are told to everyone else here."""

    def __init__(self, fanout: Fanout) -> None:
        self._fanout = fanout

    async def came_online(self, user: User) -> None:
        await self._fanout.tell_presence(user.id, user.name, online=True)

    async def went_offline(self, user: User) -> None:
        await self._fanout.tell_presence(user.id, user.name, online=False)
