"""What the app keeps of the hub's messages: notifications, answers to them and gap reports, as plain
frozen values."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from pydantic import TypeAdapter, ValidationError

from desktop.core.edits import key_fields
from hub import protocol
from hub.keys import KeyFields
from hub.protocol import Kind, NotificationType
from hub.rich import MAX_ACTIONS, Action, Priority, RespondAction, RichFields, TextFormat

#: The fields a rich notification adds (`hub.rich.RichFields`).
RICH_KEYS: Final = ("priority", "click", "actions", "format")
#: The fields of a keyed notification (`hub.keys.KeyFields`), read leniently (`key_fields`).
KEY_FIELDS: Final = ("key", "replaces", "edited", "retracts")
_ACTION: Final = TypeAdapter(Action)


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
    priority: Priority = Priority.DEFAULT
    click: str | None = None
    actions: tuple[Action, ...] = ()
    format: TextFormat = TextFormat.PLAIN
    #: The sender's key; `replaces` the earlier version this one is (then `edited`).
    key: str | None = None
    replaces: int | None = None
    edited: bool = False

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> ReceivedNotification:
        """Parse a delivered notification. Raises `ValueError` on a malformed payload.

        The rich fields are read leniently (`lenient_rich`): one this version cannot read (a kind of
        button from a newer hub) is left out, and the notification is kept."""
        plain = {key: value for key, value in data.items() if key not in RICH_KEYS and key not in KEY_FIELDS}
        wire = protocol.Notification.model_validate(plain)
        rich = lenient_rich(data)
        return cls(
            id=wire.id,
            kind=wire.kind,
            type=wire.type,
            title=wire.title,
            message=wire.message,
            sender=wire.sender,
            room=wire.room,
            timestamp=parse_timestamp(wire.timestamp),
            priority=rich.priority,
            click=rich.click,
            actions=rich.actions,
            format=rich.format,
            **key_fields(data),
        )

    @property
    def rich(self) -> RichFields:
        return RichFields(priority=self.priority, click=self.click, actions=self.actions, format=self.format)

    @property
    def respond_labels(self) -> tuple[str, ...]:
        return tuple(a.label for a in self.actions if isinstance(a, RespondAction))

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


def lenient_rich(data: Mapping[str, Any]) -> RichFields:
    """The rich fields of a delivered (or stored) notification, each kept only if it is valid: a bad
    click is dropped, a button of a kind this version does not know is left out, the rest stays."""
    fields: dict[str, Any] = {}
    for key in ("priority", "click", "format"):
        if key in data:
            try:
                fields[key] = getattr(RichFields.model_validate({key: data[key]}), key)
            except ValidationError:
                pass
    actions: list[Any] = []
    labels: set[str] = set()
    given = data.get("actions")
    for item in given if isinstance(given, list) else ():
        try:
            action = _ACTION.validate_python(item)
        except ValidationError:
            continue
        if action.label.casefold() not in labels and len(actions) < MAX_ACTIONS:
            labels.add(action.label.casefold())
            actions.append(action)
    return RichFields(**fields, actions=tuple(actions))


def rich_json(notification: ReceivedNotification) -> str | None:
    """The rich fields as the history stores them (JSON of what differs from a plain one), None for none;
    with the key fields (`hub.keys.KeyFields`) when it has a key."""
    n = notification
    wire = {**n.rich.rich_wire(), **KeyFields(key=n.key, replaces=n.replaces, edited=n.edited).key_wire()}
    return json.dumps(wire, separators=(",", ":")) if wire else None


def json_object(text: str | None) -> dict[str, Any]:
    """The JSON object a history column holds; empty for none or anything else."""
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def rich_from_json(text: str | None) -> RichFields:
    return lenient_rich(json_object(text))


@dataclass(frozen=True, slots=True)
class ReceivedResponse:
    """Someone answered a notification with one of its `respond` buttons (`hub.protocol.Response`)."""

    id: int
    notification_id: int
    label: str
    responder: str
    #: The notification's sender: the one the answer is for.
    to: str
    title: str
    room: str | None
    timestamp: datetime

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> ReceivedResponse:
        """Parse a `response` event. Raises `ValueError` on a malformed payload."""
        wire = protocol.Response.model_validate(dict(data))
        return cls(
            id=wire.id,
            notification_id=wire.notification_id,
            label=wire.label,
            responder=wire.responder,
            to=wire.to,
            title=wire.title,
            room=wire.room,
            timestamp=parse_timestamp(wire.timestamp),
        )
