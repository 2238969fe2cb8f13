"""Live sessions and presence: who is connected, on which devices. In memory, per hub process."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from hub.store import User


@dataclass(eq=False, slots=True)
class Session:
    """One connected Socket.IO client (a tab, a tray app, a script)."""

    sid: str
    user: User
    #: The delivery-cursor key: one per device token (or per claimed name in open mode).
    device: str
    token_id: int | None
    #: True when the client tells the hub what it has (`last_id` at connect, `ack` events).
    acking: bool
    #: In open mode a client names itself; such a session never gets admin rights.
    claimed: bool = False
    resume_from: int | None = None
    last_sent: int = 0
    acked: int = 0
    syncing: bool = True
    pending: list[tuple[str, dict[str, Any], int]] = field(default_factory=list)
    #: Held from validation until a send is queued, so one client's sends keep their order.
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def admin(self) -> bool:
        return self.user.admin and not self.claimed


class Presence:
    """Sessions by sid, by user and by token. A user is online while any of their devices is."""

    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}
        self._by_user: dict[int, dict[str, Session]] = {}
        self._by_token: dict[int, set[str]] = {}

    def add(self, session: Session) -> bool:
        """Register a session; True when it is the user's first device (the user came online)."""
        self.sessions[session.sid] = session
        devices = self._by_user.setdefault(session.user.id, {})
        devices[session.sid] = session
        if session.token_id is not None:
            self._by_token.setdefault(session.token_id, set()).add(session.sid)
        return len(devices) == 1

    def remove(self, sid: str) -> tuple[Session | None, bool]:
        """Forget a session; returns it and True when it was the user's last device (went offline)."""
        session = self.sessions.pop(sid, None)
        if session is None:
            return None, False
        devices = self._by_user.get(session.user.id, {})
        devices.pop(sid, None)
        if session.token_id is not None:
            sids = self._by_token.get(session.token_id)
            if sids is not None:
                sids.discard(sid)
                if not sids:
                    del self._by_token[session.token_id]
        if not devices:
            self._by_user.pop(session.user.id, None)
            return session, True
        return session, False

    def of_user(self, user_id: int) -> list[Session]:
        return list(self._by_user.get(user_id, {}).values())

    def of_token(self, token_id: int) -> list[str]:
        return sorted(self._by_token.get(token_id, ()))

    def online_names(self) -> list[str]:
        return sorted({s.user.name for s in self.sessions.values()})

    def is_online(self, user_id: int) -> bool:
        return user_id in self._by_user

    def __len__(self) -> int:
        return len(self.sessions)
