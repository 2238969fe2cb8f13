"""The user's pending scheduled sends, as the "Scheduled sends" window lists them. No Qt.

`GET /api/scheduled` answers `{scheduled: [{schedule_id, key, deliver_at, kind, to, room, type, title,
message, ...}]}`, soonest first; `PendingSend.from_wire` reads one item, `rows` turns them into what the
window shows (local time, addressee, text). Only a send with a key can be cancelled
(`DELETE /api/scheduled/{key}`): compose gives each send later one (`later_key`).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from desktop.core.later import shown_moment

#: What compose names its sends later with, so that each can be cancelled ("tray-" and 12 hex digits).
LATER_KEY_PREFIX: Final = "tray-"


def later_key() -> str:
    """A fresh key for a send later from compose: unique enough that it never replaces another."""
    return f"{LATER_KEY_PREFIX}{secrets.token_hex(6)}"


@dataclass(frozen=True, slots=True)
class PendingSend:
    schedule_id: int
    #: None: scheduled without a key (e.g. `notify-hub send --in 30m` without `--key`): it cannot be cancelled.
    key: str | None
    deliver_at: datetime
    kind: str
    to: str | None
    room: str | None
    title: str
    message: str

    @classmethod
    def from_wire(cls, item: Mapping[str, Any]) -> PendingSend:
        """One item of `GET /api/scheduled`; ValueError when it is not one."""
        try:
            moment = datetime.fromisoformat(str(item["deliver_at"]).replace("Z", "+00:00"))
            schedule_id = int(item["schedule_id"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a pending scheduled send: {exc}") from None
        if moment.tzinfo is None:
            raise ValueError("a pending scheduled send's time has no offset")
        key, to, room = item.get("key"), item.get("to"), item.get("room")
        return cls(
            schedule_id=schedule_id,
            key=str(key) if key else None,
            deliver_at=moment,
            kind=str(item.get("kind") or ""),
            to=str(to) if to else None,
            room=str(room) if room else None,
            title=str(item.get("title") or ""),
            message=str(item.get("message") or ""),
        )

    @property
    def addressee(self) -> str:
        """Who it goes to, as compose names them: 'bob', '#ops', 'Everyone'."""
        if self.room:
            return f"#{self.room}"
        if self.to:
            return self.to
        return "Everyone (announcement)" if self.kind == "announcement" else "Everyone"

    @property
    def text(self) -> str:
        """Its title and message on one line: 'Deploy: starts at 17:00'."""
        message = " ".join(self.message.split())
        return f"{self.title}: {message}" if self.title else message


def parse_pending(data: Mapping[str, Any]) -> list[PendingSend]:
    """The answer of `GET /api/scheduled`; ValueError when it is not one."""
    items = data.get("scheduled")
    if not isinstance(items, list):
        raise ValueError("the answer has no list of scheduled sends")
    return [PendingSend.from_wire(item) for item in items if isinstance(item, Mapping)]


@dataclass(frozen=True, slots=True)
class PendingRow:
    """One line of the window: when (local time), to whom, what; `key` is what Cancel cancels ("": none)."""

    when: str
    to: str
    text: str
    key: str


def rows(pending: Sequence[PendingSend], now: datetime) -> list[PendingRow]:
    return [PendingRow(shown_moment(p.deliver_at, now), p.addressee, p.text, p.key or "") for p in pending]


def summary(count: int) -> str:
    """The line above the list."""
    if count == 0:
        return "Nothing scheduled. Choose “When” in Send message… to send later."
    return f"{count} scheduled send{'s' if count != 1 else ''}, soonest first."


NO_KEY_TEXT: Final = "Scheduled without a key (e.g. by notify-hub send without --key): it cannot be cancelled."
