"""The lan-notify wire protocol: event names, notification types, payload models, error codes.

This is the one place the wire format lives. It depends on the standard library and pydantic only,
so the hub, the desktop client and the tests can all import it. `docs/protocol.md` describes the
same things for people; `tests/hub/test_protocol_doc.py` keeps the two in step. What a rich
notification adds (priority, click, actions, format; `respond` and `response`) has its types in
`hub.rich`, and ntfy's headers are read in `hub.ntfy_headers`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hub.keys import KEY_FIELDS, Keyed, KeyFields
from hub.online import PresenceMode, WelcomeOnline
from hub.rich import RICH_FIELDS, Answer, HttpPriority, Priority, RichFields
from hub.rich import Respond as Respond  # the `respond` event's payload
from hub.rich import Response as Response  # the `response` event

PROTOCOL_VERSION: Final = 1

#: Largest message text, in UTF-8 bytes.
MAX_MESSAGE_BYTES: Final = 4096
#: Longest title, in characters.
MAX_TITLE_CHARS: Final = 200
#: Longest device label, in characters.
MAX_LABEL_CHARS: Final = 100
#: The Engine.IO buffer: the largest single packet the hub accepts (message + title + framing).
MAX_PACKET_BYTES: Final = 64 * 1024

NAME_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$"
ROOM_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class NotificationType(StrEnum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"
    MESSAGE = "message"
    SYSTEM = "system"


class Kind(StrEnum):
    """How a notification was addressed; decides the event it is delivered as."""

    DIRECT = "direct"
    ROOM = "room"
    EVERYONE = "everyone"
    ANNOUNCEMENT = "announcement"
    NOTICE = "notice"  # the hub's own notes to a room's members, e.g. "alice joined dev"
    RESPONSE = "response"  # an answer to a `respond` button, delivered as the `response` event
    RETRACT = "retract"  # a sender withdrew its notifications of a key, delivered as `retracted`
    READ = "read"  # control row: a user's read marks, told to all of that user's devices (hub.readstate)
    RECEIPT = "receipt"  # control row: a receipt, told to the sender's devices (hub.readstate)


class Event(StrEnum):
    """Socket.IO event names. The first block keeps the seed guide's names."""

    # client -> hub
    AUTHENTICATE = "authenticate"
    SEND_NOTIFICATION = "send_notification"
    JOIN_ROOM = "join_room"
    LEAVE_ROOM = "leave_room"
    ROOM_MESSAGE = "room_message"
    BROADCAST = "broadcast"
    ANNOUNCE = "announce"
    ACK = "ack"
    SYNC = "sync"
    LIST_ONLINE = "list_online"
    LIST_USERS = "list_users"
    LIST_ROOMS = "list_rooms"
    RESPOND = "respond"
    RETRACT = "retract"
    MARK_READ = "mark_read"
    SEEN = "seen"
    CANCEL_SCHEDULED = "cancel_scheduled"
    # hub -> client
    WELCOME = "welcome"
    NOTIFICATION = "notification"
    ROOM_NOTIFICATION = "room_notification"
    GLOBAL_NOTIFICATION = "global_notification"
    SERVER_ANNOUNCEMENT = "server_announcement"
    USER_ONLINE = "user_online"
    USER_OFFLINE = "user_offline"
    PRESENCE = "presence"
    GAP = "gap"
    RESPONSE = "response"
    RETRACTED = "retracted"
    READ = "read"
    RECEIPT = "receipt"
    ERROR = "error"


#: The event a stored notification is delivered as, by how it was addressed.
DELIVERY_EVENT: Final[dict[Kind, Event]] = {
    Kind.DIRECT: Event.NOTIFICATION,
    Kind.ROOM: Event.ROOM_NOTIFICATION,
    Kind.EVERYONE: Event.GLOBAL_NOTIFICATION,
    Kind.ANNOUNCEMENT: Event.SERVER_ANNOUNCEMENT,
    Kind.NOTICE: Event.NOTIFICATION,
    Kind.RESPONSE: Event.RESPONSE,
    Kind.RETRACT: Event.RETRACTED,
    Kind.READ: Event.READ,
    Kind.RECEIPT: Event.RECEIPT,
}


class ErrorCode(StrEnum):
    """Stable error codes, sent as `error.code`. Never renamed; new ones may be added."""

    INVALID_PAYLOAD = "invalid_payload"
    TOO_LARGE = "too_large"
    UNAUTHORIZED = "unauthorized"
    PASSWORD_EXPIRED = "password_expired"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"
    UNKNOWN_EVENT = "unknown_event"
    UNAVAILABLE = "unavailable"
    TOO_MANY_CONNECTIONS = "too_many_connections"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    TIMEOUT = "timeout"
    INTERNAL = "internal"


# --------------------------------------------------------------------------- field types

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: What breaks a line or paragraph beyond the ASCII controls: NEL, LINE and PARAGRAPH SEPARATOR.
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
#: Bidirectional embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069): in one-line
#: text they can make it read as something else ("invoice_\u202egnp.exe" shows as "invoice_exe.png")
#: and reorder what a client shows around it. Message bodies may hold them: clients show a body
#: isolated (see desktop/core/bidi.py).
BIDI_CONTROLS: Final = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI_CONTROL = re.compile(f"[{BIDI_CONTROLS}]")


def _message_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # the str type check reports it
    if len(value.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES:
        raise PydanticCustomError("too_large", "message is longer than {limit} bytes", {"limit": MAX_MESSAGE_BYTES})
    if _CONTROL.search(value):
        raise PydanticCustomError("control_character", "message contains control characters")
    return value


def _one_line(value: str, what: str) -> None:
    """The rule for one-line text (a title, a device label): no control character or line break of
    any kind, no bidirectional control."""
    if _CONTROL_OR_NEWLINE.search(value):
        raise PydanticCustomError(
            "control_character", "{what} contains control characters or line breaks", {"what": what}
        )
    if _BIDI_CONTROL.search(value):
        raise PydanticCustomError(
            "bidi_control",
            "{what} contains bidirectional control characters (U+202A-U+202E, U+2066-U+2069)",
            {"what": what},
        )


def _title_text(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if len(value) > MAX_TITLE_CHARS:
        raise PydanticCustomError("too_large", "title is longer than {limit} characters", {"limit": MAX_TITLE_CHARS})
    _one_line(value, "title")
    return value


def _label_text(value: Any) -> Any:
    if isinstance(value, str):
        _one_line(value, "device label")
    return value


def _no_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise PydanticCustomError("invalid_text", "text is not valid UTF-8") from None
    return value


MessageText = Annotated[
    str,
    StringConstraints(strict=True, min_length=1),
    BeforeValidator(_message_text),
    BeforeValidator(_no_surrogates),
]
TitleText = Annotated[
    str, StringConstraints(strict=True), BeforeValidator(_title_text), BeforeValidator(_no_surrogates)
]
#: A device's label (`POST /api/login`'s `device`): one line, shown in `notify-hub token list` and logs.
LabelText = Annotated[
    str,
    StringConstraints(strict=True, max_length=MAX_LABEL_CHARS),
    BeforeValidator(_label_text),
    BeforeValidator(_no_surrogates),
]
UserName = Annotated[str, StringConstraints(strict=True, pattern=NAME_PATTERN)]
RoomName = Annotated[str, StringConstraints(strict=True, pattern=ROOM_PATTERN)]
#: The largest notification id: a signed 64-bit integer, what SQLite and PostgreSQL (BIGINT) store.
MAX_NOTIFICATION_ID: Final = 2**63 - 1
NotificationId = Annotated[int, Field(strict=True, ge=0, le=MAX_NOTIFICATION_ID)]


class _Payload(BaseModel):
    # Unknown keys (for instance a forged `from`) are ignored, never trusted.
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


# --------------------------------------------------------------------------- client -> hub


class SendNotification(_Payload, RichFields, Keyed):
    """`send_notification`: to one user, on every device of theirs. `userId` is the seed guide's name for `to`."""

    to: UserName = Field(validation_alias=AliasChoices("to", "userId"))
    message: MessageText
    type: NotificationType = NotificationType.MESSAGE
    title: TitleText = ""


class RoomMessage(_Payload, RichFields, Keyed):
    """`room_message`: to every member of a room."""

    room: RoomName
    message: MessageText
    type: NotificationType = NotificationType.MESSAGE
    title: TitleText = ""


class RoomRef(_Payload):
    """`join_room` / `leave_room`: `{room}` or, as in the seed guide, a bare room-name string."""

    room: RoomName


class Broadcast(_Payload, RichFields, Keyed):
    """`broadcast`: to everyone (admins only)."""

    message: MessageText
    type: NotificationType = NotificationType.INFO
    title: TitleText = ""


class Announce(_Payload, RichFields, Keyed):
    """`announce`: a system announcement to everyone (admins only); always type `system`."""

    message: MessageText
    title: TitleText = ""


class AckNotification(_Payload):
    """`ack`: the client has everything up to and including `id` (cumulative)."""

    id: NotificationId


class Sync(_Payload):
    """`sync`: replay everything after `since` (the last id the client has)."""

    since: NotificationId


class OpenIdentity(_Payload):
    """Open mode only: the identity a client claims (seed guide `authenticate {userId, username}`)."""

    user_id: UserName = Field(validation_alias=AliasChoices("userId", "user_id", "username"))
    username: str | None = None
    presence: PresenceMode = "events"
    online: WelcomeOnline = None


class TokenAuth(_Payload):
    """The Socket.IO `auth` object of an authenticated client."""

    token: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=200)]
    presence: PresenceMode = "events"
    online: WelcomeOnline = None
    #: Resume point: the last notification id this device has. Given: the client acks what it gets.
    last_id: NotificationId | None = Field(default=None, validation_alias=AliasChoices("last_id", "lastId"))


class Login(_Payload):
    """`POST /api/login`."""

    username: UserName
    password: Annotated[str, StringConstraints(strict=True, min_length=1, max_length=1024)]
    device: LabelText = ""


#: Rooms one `list_rooms` answer holds: by default, and at most.
ROOM_PAGE: Final = 100
MAX_ROOM_PAGE: Final = 500


class RoomPage(_Payload):
    """`list_rooms`: `{after?, limit?}`, rooms by name after `after`; no payload is the first page."""

    after: Annotated[str, StringConstraints(strict=True, pattern=f"{ROOM_PATTERN}|^$")] = ""
    limit: Annotated[int, Field(strict=True, ge=1, le=MAX_ROOM_PAGE)] = ROOM_PAGE


# --------------------------------------------------------------------------- HTTP send API


class HttpNotification(_Payload, RichFields, Keyed):
    """`POST /api/notifications`: exactly one of `to`, `room`, `everyone: true` addresses it.

    `priority` also takes ntfy's names and numbers here (`hub.rich.priority_from_http`)."""

    to: UserName | None = Field(default=None, validation_alias=AliasChoices("to", "userId"))
    room: RoomName | None = None
    everyone: Annotated[bool, Field(strict=True)] = False
    message: MessageText
    #: Default as on Socket.IO: `message` for a user or a room, `info` for everyone.
    type: NotificationType | None = None
    title: TitleText = ""
    priority: HttpPriority = Priority.DEFAULT

    @model_validator(mode="after")
    def _one_target(self) -> HttpNotification:
        if (self.to is not None) + (self.room is not None) + self.everyone != 1:
            raise PydanticCustomError("one_target", "give exactly one of to, room or everyone: true")
        return self

    def target(self) -> SendNotification | RoomMessage | Broadcast:
        """The send this asks for, as the Socket.IO event's payload would give it. Built with
        `model_construct`: its fields were validated here, by the same types, so they are not
        checked a second time; a `type` not given takes that model's default."""
        fields: dict[str, Any] = {
            "message": self.message,
            "title": self.title,
            "priority": self.priority,
            "click": self.click,
            "actions": self.actions,
            "format": self.format,
            "key": self.key,
            "receipt": self.receipt,
        }
        if self.type is not None:
            fields["type"] = self.type
        if self.to is not None:
            return SendNotification.model_construct(to=self.to, **fields)
        if self.room is not None:
            return RoomMessage.model_construct(room=self.room, **fields)
        return Broadcast.model_construct(**fields)


# --------------------------------------------------------------------------- hub -> client


class Notification(RichFields, KeyFields):
    """A stored notification as delivered (`notification`, `room_notification`, ...).

    The rich fields (`hub.rich.RichFields`) are on the wire only when they differ from a plain
    notification's, so clients that know nothing of them see what they always saw."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    id: int
    kind: Kind
    type: NotificationType
    title: str
    message: str
    sender: str = Field(serialization_alias="from", validation_alias=AliasChoices("from", "sender"))
    room: str | None = None
    timestamp: str
    #: For kind `response` only: what was answered (the `response` event's own fields).
    answer: Answer | None = None
    control: dict[str, Any] | None = None

    def wire(self) -> dict[str, Any]:
        """The JSON object sent to clients. `sender` repeats `from` for seed-guide room clients.

        Written out rather than `model_dump(by_alias=True, mode="json")` plus `sender` (what it
        equals, as a test checks): it runs for every notification delivered. An answer (kind
        `response`) is the `response` event's object instead."""
        if self.answer is not None:
            return self.answer.response(self.id, self.sender, self.title, self.room, self.timestamp).wire()
        if self.control is not None:
            return {"id": self.id, "kind": self.kind.value, "timestamp": self.timestamp, **self.control}
        # `_value_` is what the enums' `value` property returns, without its two calls.
        out = {
            "id": self.id,
            "kind": self.kind._value_,
            "type": self.type._value_,
            "title": self.title,
            "message": self.message,
            "from": self.sender,
            "room": self.room,
            "timestamp": self.timestamp,
            "sender": self.sender,
        }
        if not self.__pydantic_fields_set__.isdisjoint(_EXTRA_WIRE):  # rich or key fields given
            out.update(self.rich_wire())
            out.update(self.key_wire())
        return out


#: The fields a notification has on the wire only when given (`rich_wire`, `key_wire`).
_EXTRA_WIRE = RICH_FIELDS | KEY_FIELDS


def error_body(code: ErrorCode, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code.value, "message": message, **extra}


def nack(code: ErrorCode, message: str, **extra: Any) -> dict[str, Any]:
    """A failed ack: `{ok: false, error: {code, message, ...}}`."""
    return {"ok": False, "error": error_body(code, message, **extra)}


def sent_ack(notification_id: int, recipients: int) -> dict[str, Any]:
    """The ok-ack of a send, once its notification is stored (the pair of `nack`)."""
    return {"ok": True, "id": notification_id, "recipients": recipients}


def presence_body(name: str) -> dict[str, Any]:
    """The body of `user_online` / `user_offline`: the seed guide's `{userId, username}`."""
    return {"userId": name, "username": name}


Role = Literal["user", "admin"]
