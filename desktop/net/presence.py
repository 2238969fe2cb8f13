"""Who the hub says is online, kept from its `welcome` (the whole list, at each connect) and its
`user_online` / `user_offline` events (one person each); `Welcome` is what the hub says of the user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Welcome:
    username: str
    admin: bool
    online: frozenset[str]
    limits: dict[str, Any] = field(default_factory=dict)
    #: The hub's count of the user's unread notifications and the newest id it covers (None: not given).
    unread: int | None = None
    unread_upto: int | None = None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _name(data: Any) -> str:
    if not isinstance(data, dict):
        return ""
    return str(data.get("username") or data.get("userId") or "")


class Presence:
    def __init__(self, *, on_presence: Callable[[frozenset[str]], None], on_welcome: Callable[[Welcome], None]) -> None:
        """`on_presence` hears each change of who is online; `on_welcome` each connect's welcome."""
        self._on_presence = on_presence
        self._on_welcome = on_welcome
        self._online: set[str] = set()

    @property
    def online(self) -> frozenset[str]:
        return frozenset(self._online)

    async def welcome(self, data: Any) -> None:
        if not isinstance(data, dict):
            return
        raw_user = data.get("user")
        user: dict[str, Any] = raw_user if isinstance(raw_user, dict) else {}
        online = data.get("online")
        self._online = {str(name) for name in online} if isinstance(online, list) else set()
        limits = data.get("limits")
        welcome = Welcome(
            username=str(user.get("name", "")),
            admin=bool(user.get("admin")),
            online=frozenset(self._online),
            limits=dict(limits) if isinstance(limits, dict) else {},
            unread=_count(data.get("unread")),
            unread_upto=_count(data.get("unread_upto")),
        )
        self._on_welcome(welcome)
        self._on_presence(self.online)

    async def user_online(self, data: Any) -> None:
        name = _name(data)
        if name and name not in self._online:
            self._online.add(name)
            self._on_presence(self.online)

    async def user_offline(self, data: Any) -> None:
        name = _name(data)
        if name and name in self._online:
            self._online.discard(name)
            self._on_presence(self.online)
