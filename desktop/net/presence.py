"""Who the hub says is online, and `Welcome`, what the hub says of the user at each connect.

The app connects with `presence: "batched"`: the hub's first `presence` event after the welcome has
everyone online (`full`), and the next ones who came and went. A hub that does not batch (one from
before batches) puts the list in `welcome` and sends `user_online` / `user_offline`, one person each:
both are followed, whichever the hub sends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Welcome:
    username: str
    admin: bool
    #: Everyone online, when the welcome says (a hub that batches tells it in a `presence` event instead).
    online: frozenset[str] | None
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


def _names(value: Any) -> set[str]:
    return {name for name in value if isinstance(name, str) and name} if isinstance(value, list) else set()


class Presence:
    def __init__(
        self, *, on_presence: Callable[[frozenset[str], bool], None], on_welcome: Callable[[Welcome], None]
    ) -> None:
        """`on_presence(online, whole)` hears each change of who is online, `whole` when it is the hub's
        list at a connect rather than people coming and going; `on_welcome` each connect's welcome."""
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
        listed = isinstance(data.get("online"), list)
        if listed:
            self._online = _names(data["online"])
        limits = data.get("limits")
        welcome = Welcome(
            username=str(user.get("name", "")),
            admin=bool(user.get("admin")),
            online=frozenset(self._online) if listed else None,
            limits=dict(limits) if isinstance(limits, dict) else {},
            unread=_count(data.get("unread")),
            unread_upto=_count(data.get("unread_upto")),
        )
        self._on_welcome(welcome)
        if listed:
            self._on_presence(self.online, True)

    async def batch(self, data: Any) -> None:
        """`presence {online, offline, full}`: everyone online (`full`), or who came and who went."""
        if not isinstance(data, dict):
            return
        came, went = _names(data.get("online")), _names(data.get("offline"))
        if data.get("full") is True:
            self._online = came
            self._on_presence(self.online, True)
            return
        online = (self._online - went) | came
        if online != self._online:
            self._online = online
            self._on_presence(self.online, False)

    async def user_online(self, data: Any) -> None:
        name = _name(data)
        if name and name not in self._online:
            self._online.add(name)
            self._on_presence(self.online, False)

    async def user_offline(self, data: Any) -> None:
        name = _name(data)
        if name and name in self._online:
            self._online.discard(name)
            self._on_presence(self.online, False)
