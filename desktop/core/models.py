"""What the app keeps of the hub's messages: notifications and gap reports, as plain frozen values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hub import protocol
from hub.protocol import Kind, NotificationType


def parse_timestamp(text: str) -> datetime:
    """An ISO 8601 timestamp as an aware UTC datetime (a naive one is taken as UTC)."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class ReceivedNotification:
    """A notification as the app received it (parsed from the wire form, `hub.protocol.Notification`)."""

    id: int
    kind: Kind
    type: NotificationType
    title: str
    message: str
    sender: str
    room: str | None
    timestamp: datetime

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> ReceivedNotification:
        """Parse a delivered notification. Raises `ValueError` on a malformed payload."""
        wire = protocol.Notification.model_validate(dict(data))
        return cls(
            id=wire.id,
            kind=wire.kind,
            type=wire.type,
            title=wire.title,
            message=wire.message,
            sender=wire.sender,
            room=wire.room,
            timestamp=parse_timestamp(wire.timestamp),
        )

    @property
    def heading(self) -> str:
        """The title, or a fallback naming the type when the sender gave none."""
        return self.title or self.type.value.capitalize()

    @property
    def origin(self) -> str:
        """Who sent it and where: 'alice', 'alice in #ops'."""
        return f"{self.sender} in #{self.room}" if self.room else self.sender


@dataclass(frozen=True, slots=True)
class Gap:
    """The hub could not replay notifications after `since` up to `upto`: they are gone for this device."""

    since: int
    upto: int
    message: str

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Gap:
        try:
            since, upto = int(data["since"]), int(data["upto"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed gap report: {exc}") from None
        return cls(since=since, upto=upto, message=str(data.get("message") or "Some notifications were missed."))
