"""Notifications for the desktop tests: as the hub sends them (`wire`), and as the app keeps them (`note`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from desktop.core.models import ReceivedNotification
from hub.protocol import Kind, NotificationType


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
