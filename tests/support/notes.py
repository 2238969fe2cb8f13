"""Small builders shared by the desktop tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from desktop.core.models import ReceivedNotification
from hub.protocol import Kind, NotificationType


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def wire(nid: int, ntype: str = "info", **overrides: Any) -> dict[str, Any]:
    """A notification as the hub sends it."""
    data: dict[str, Any] = {
        "id": nid,
        "kind": "direct",
        "type": ntype,
        "title": f"Title {nid}",
        "message": f"Message {nid}",
        "from": "alice",
        "sender": "alice",
        "room": None,
        "timestamp": "2026-11-25T09:00:00+00:00",
    }
    data.update(overrides)
    return data


def note(nid: int, ntype: NotificationType | str = NotificationType.INFO, **overrides: Any) -> ReceivedNotification:
    values: dict[str, Any] = {
        "id": nid,
        "kind": Kind.DIRECT,
        "type": NotificationType(ntype),
        "title": f"Title {nid}",
        "message": f"Message {nid}",
        "sender": "alice",
        "room": None,
        "timestamp": datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
    }
    values.update(overrides)
    return ReceivedNotification(**values)
