"""Live sessions and presence: who is connected, on which devices. In memory, per hub process."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hub.store import User


@dataclass(eq=False, slots=True)
class Actor:
    """Who is asking: a connected client, or an HTTP request with a token. The service's sends take this."""

    user: User
    #: In open mode a client names itself; such an actor never gets admin rights.
    claimed: bool = False
    #: Held from validation until a send is queued, so one client's sends keep their order.
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def admin(self) -> bool:
        return self.user.admin and not self.claimed


@dataclass(eq=False, slots=True)
class Session(Actor):
    """One connected Socket.IO client (a tab, a tray app, a script)."""

    sid: str = ""
    #: The delivery-cursor key: one per device token (or per claimed name in open mode).
    device: str = ""
    token_id: int | None = None
    #: True when the client tells the hub what it has (`last_id` at connect, `ack` events).
    acking: bool = False
    resume_from: int | None = None
    last_sent: int = 0
    acked: int = 0
    syncing: bool = True
    #: Set when the client is gone; a replay still running for it stops and moves no cursor.
    closed: bool = False
    #: For clients that never ack: (time, last id sent then), about one entry a second, so the hub
    #: can tell what was sent long enough ago that a dead connection would have been noticed since.
    #: Made on the first send: an empty deque is ~600 bytes, and most idle connections have none.
    trail: deque[tuple[float, int]] | None = None

    pending: list[tuple[str, dict[str, Any], int]] = field(default_factory=list)

    def sent_before(self, moment: float) -> int | None:
        """The last id sent at or before `moment` (None: nothing that old), dropping older entries."""
        trail = self.trail
        if trail is None:
            return None
        while len(trail) > 1 and trail[1][0] <= moment:
            trail.popleft()
        if trail and trail[0][0] <= moment:
            return trail[0][1]
        return None

    def note_sent(self, now: float, nid: int) -> None:
        trail = self.trail
        if trail is None:
            self.trail = deque([(now, nid)])
        elif trail and now - trail[-1][0] < 1.0:
            trail[-1] = (trail[-1][0], nid)
        else:
            trail.append((now, nid))


class Presence:
    """Sessions by sid, by user and by token. A user is online while any of their devices is.

    By user and by token are tuples, rebuilt on each change: nearly everyone has one or two devices,
    and a tuple of one is ~50 bytes where a dict or a set is over 200 (memory per idle connection).
    A user or token with n connections costs O(n) per connect and disconnect: fine for devices,
    not meant for thousands of connections under one account."""

    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}
        self._by_user: dict[int, tuple[Session, ...]] = {}
        self._by_token: dict[int, tuple[str, ...]] = {}

    def add(self, session: Session) -> bool:
        """Register a session; True when it is the user's first device (the user came online)."""
        sid = session.sid
        self.sessions[sid] = session
        user_id = session.user.id
        devices = (*(s for s in self._by_user.get(user_id, ()) if s.sid != sid), session)
        self._by_user[user_id] = devices
        if session.token_id is not None:
            sids = self._by_token.get(session.token_id, ())
            if sid not in sids:
                self._by_token[session.token_id] = (*sids, sid)
        return len(devices) == 1

    def remove(self, sid: str) -> tuple[Session | None, bool]:
        """Forget a session; returns it and True when it was the user's last device (went offline)."""
        session = self.sessions.pop(sid, None)
        if session is None:
            return None, False
        if session.token_id is not None:
            sids = tuple(other for other in self._by_token.get(session.token_id, ()) if other != sid)
            if sids:
                self._by_token[session.token_id] = sids
            else:
                self._by_token.pop(session.token_id, None)
        user_id = session.user.id
        devices = tuple(s for s in self._by_user.get(user_id, ()) if s.sid != sid)
        if devices:
            self._by_user[user_id] = devices
            return session, False
        self._by_user.pop(user_id, None)
        return session, True

    def of_user(self, user_id: int) -> list[Session]:
        return list(self._by_user.get(user_id, ()))

    def live(self, user_id: int) -> Iterable[Session]:
        """The user's sessions as they are now (a change makes a new tuple)."""
        return self._by_user.get(user_id, ())

    def device_count(self, user_id: int) -> int:
        return len(self._by_user.get(user_id, ()))

    def of_token(self, token_id: int) -> list[str]:
        return sorted(self._by_token.get(token_id, ()))

    def online_names(self) -> list[str]:
        return sorted({s.user.name for s in self.sessions.values()})

    def is_online(self, user_id: int) -> bool:
        return user_id in self._by_user

    def __len__(self) -> int:
        return len(self.sessions)
