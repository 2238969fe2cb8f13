"""Rich notifications on the wire: priority, a click target, action buttons and a text format.

Field types and rules only, on the standard library and pydantic (no other hub module), so that
`hub.protocol` builds its payload models from them and the desktop client checks links with the
same rule (`safe_link`). `docs/protocol.md`, "Rich notifications", says the same for people.

Every refusal is a `PydanticCustomError` whose type is `too_large` for a limit and anything else for
a wrong shape, so `hub.validation.describe_validation_error` turns it into `too_large` or
`invalid_payload` with a sentence naming the field.
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import Annotated, Any, Final, Literal
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
)
from pydantic_core import PydanticCustomError

#: The most buttons one notification carries.
MAX_ACTIONS: Final = 3
#: The longest button label, in characters.
MAX_ACTION_LABEL_CHARS: Final = 40
#: The longest click or button URL, in characters.
MAX_URL_CHARS: Final = 2000
#: The schemes a click target, a `view` button or a Markdown link may use.
LINK_SCHEMES: Final = frozenset({"http", "https", "mailto"})


class Priority(StrEnum):
    """How insistently a client shows a notification; apart from its type (the visual category)."""

    MIN = "min"
    LOW = "low"
    DEFAULT = "default"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def level(self) -> int:
        """ntfy's number for it: 1 (min) to 5 (urgent)."""
        return _LEVELS.index(self) + 1


_LEVELS: Final = (Priority.MIN, Priority.LOW, Priority.DEFAULT, Priority.HIGH, Priority.URGENT)
#: ntfy's other name for a level (`X-Priority: max`).
_NTFY_NAMES: Final = {"max": Priority.URGENT}


def priority_from_http(value: object) -> Priority:
    """A priority as the HTTP API takes it: our names, ntfy's (`max`), or ntfy's numbers 1-5.

    Case and surrounding spaces do not matter (`X-Priority: High`, `?priority=5`). Raises
    `PydanticCustomError` (`invalid_priority`) for anything else, naming what is accepted.
    """
    if isinstance(value, Priority):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= len(_LEVELS):
        return _LEVELS[value - 1]
    if isinstance(value, str):
        text = value.strip().lower()
        if text.isascii() and text.isdigit() and 1 <= int(text) <= len(_LEVELS):
            return _LEVELS[int(text) - 1]
        if text in _NTFY_NAMES:
            return _NTFY_NAMES[text]
        try:
            return Priority(text)
        except ValueError:
            pass
    raise PydanticCustomError(
        "invalid_priority", "priority must be min, low, default, high, urgent (or max), or a number from 1 to 5"
    )


def _strict_priority(value: object) -> object:
    """On Socket.IO a priority is one of the five names, exactly."""
    if isinstance(value, str) and value in Priority.__members__.values():
        return Priority(value)
    raise PydanticCustomError("invalid_priority", "priority must be one of min, low, default, high, urgent")


class TextFormat(StrEnum):
    """How a client reads `message`: as plain text (the default) or as Markdown (a safe subset)."""

    PLAIN = "plain"
    MARKDOWN = "markdown"


def markdown_from_http(value: object) -> TextFormat:
    """ntfy's `X-Markdown` header: yes, true or 1 is Markdown; no, false or 0 is plain text."""
    text = value.strip().lower() if isinstance(value, str) else value
    if text in {"yes", "true", "1", True}:
        return TextFormat.MARKDOWN
    if text in {"no", "false", "0", "", False}:
        return TextFormat.PLAIN
    raise PydanticCustomError("invalid_markdown", "X-Markdown must be yes or no (true/false, 1/0)")


# --------------------------------------------------------------------------- links


def link_problem(url: str) -> str | None:
    """Why `url` may not be a click target, a `view` button or a Markdown link; None when it may.

    An http or https URL with a host, or a mailto URL with an address; at most `MAX_URL_CHARS`
    characters; no spaces, control characters or bidirectional controls (they could make it read
    as another address).
    """
    if any(ch.isspace() or unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for ch in url):
        return "contains spaces or control characters"
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "is not a valid URL"
    scheme = parts.scheme.lower()
    if scheme not in LINK_SCHEMES:
        return f"must be an http, https or mailto URL (not {scheme + ':' if scheme else 'a relative one'})"
    if scheme == "mailto":
        return None if parts.path else "is a mailto URL without an address"
    return None if host else "has no host"


def safe_link(url: str) -> bool:
    """The link rule for clients: a Markdown link or a click target they may open."""
    return len(url) <= MAX_URL_CHARS and link_problem(url) is None


def _link(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # the str type check reports it
    if len(value) > MAX_URL_CHARS:
        raise PydanticCustomError("too_large", "URL is longer than {limit} characters", {"limit": MAX_URL_CHARS})
    problem = link_problem(value)
    if problem is not None:
        raise PydanticCustomError("invalid_url", "URL {problem}", {"problem": problem})
    return value


def _not_in_a_label(ch: str) -> bool:
    """Control characters, line breaks, lone surrogates and bidirectional embeddings, overrides, isolates."""
    bidi = "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069"
    return bidi or unicodedata.category(ch) in {"Cc", "Cs", "Zl", "Zp"}


def _label(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if len(value) > MAX_ACTION_LABEL_CHARS:
        raise PydanticCustomError(
            "too_large", "label is longer than {limit} characters", {"limit": MAX_ACTION_LABEL_CHARS}
        )
    if not value.strip():
        raise PydanticCustomError("empty_label", "label is empty")
    if any(_not_in_a_label(ch) for ch in value):
        raise PydanticCustomError(
            "control_character", "label contains control characters, line breaks or bidirectional controls"
        )
    return value


LinkUrl = Annotated[str, StringConstraints(strict=True), BeforeValidator(_link)]
ActionLabel = Annotated[str, StringConstraints(strict=True), BeforeValidator(_label)]
PriorityName = Annotated[Priority, BeforeValidator(_strict_priority)]
HttpPriority = Annotated[Priority, BeforeValidator(priority_from_http)]


# --------------------------------------------------------------------------- actions


class ActionKind(StrEnum):
    VIEW = "view"  # opens `url`, as a click does
    REPLY = "reply"  # opens the client's compose, addressed to the sender
    RESPOND = "respond"  # sends `label` back to the sender through the hub (`respond` event)


class _Action(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ViewAction(_Action):
    action: Literal[ActionKind.VIEW] = ActionKind.VIEW
    label: ActionLabel
    url: LinkUrl


class ReplyAction(_Action):
    action: Literal[ActionKind.REPLY] = ActionKind.REPLY
    label: ActionLabel = "Reply"


class RespondAction(_Action):
    action: Literal[ActionKind.RESPOND] = ActionKind.RESPOND
    label: ActionLabel


Action = Annotated[ViewAction | ReplyAction | RespondAction, Field(discriminator="action")]
_KINDS: Final = ", ".join(k.value for k in ActionKind)


def _actions(value: Any) -> Any:
    """The list's own rules, before each action is read: how many, known kinds, unique labels."""
    if not isinstance(value, list | tuple):
        return value  # the tuple type check reports it
    if len(value) > MAX_ACTIONS:
        raise PydanticCustomError("too_large", "at most {limit} actions", {"limit": MAX_ACTIONS})
    labels: set[str] = set()
    for item in value:
        if not isinstance(item, dict):
            continue
        kind = item.get("action")
        if kind not in {k.value for k in ActionKind}:
            raise PydanticCustomError(
                "unsupported_action",
                "action '{kind}' is not supported: use one of {kinds}",
                {"kind": str(kind)[:40], "kinds": _KINDS},
            )
        label = item.get("label", "Reply" if kind == ActionKind.REPLY else None)
        if isinstance(label, str):
            if label.casefold() in labels:
                raise PydanticCustomError("duplicate_label", "two actions are labelled '{label}'", {"label": label})
            labels.add(label.casefold())
    return value


Actions = Annotated[tuple[Action, ...], BeforeValidator(_actions)]
#: The rich fields' values in a plain notification: never on the wire.
_PLAIN: Final[dict[str, object]] = {
    "priority": Priority.DEFAULT,
    "click": None,
    "actions": (),
    "format": TextFormat.PLAIN,
    "receipt": False,
}


#: The names of the rich fields.
RICH_FIELDS: Final = frozenset(_PLAIN)


#: A notification's key fields (`hub.keys.KeyFields`) when it has no key: left out of a dump too.
KEY_PLAIN: Final[dict[str, object]] = {"key": None, "replaces": None, "edited": False, "retracts": None}


class RichFields(BaseModel):
    """What a rich notification adds to a plain one; every field absent means today's behaviour.

    Shared by every send payload (Socket.IO and HTTP) and by the delivered notification.
    """

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    priority: PriorityName = Priority.DEFAULT
    click: LinkUrl | None = None
    actions: Actions = ()
    format: TextFormat = TextFormat.PLAIN
    #: The sender asks for receipts: `delivered` and `seen` (hub.readstate).
    receipt: Annotated[bool, Field(strict=True)] = False

    @model_serializer(mode="wrap")
    def _without_defaults(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A dump leaves out the rich fields a plain notification has, as `rich_wire` does."""
        data: dict[str, Any] = handler(self)
        for key, plain in _PLAIN.items():
            if getattr(self, key) == plain:
                data.pop(key, None)
        if data.get("answer", False) is None:  # a notification's (`hub.protocol.Notification`), not an answer
            del data["answer"]
        for key, plain in KEY_PLAIN.items():  # a notification's key fields (`hub.keys.KeyFields`), when unused
            if key in data and data[key] == plain:
                del data[key]
        if data.get("control", False) is None:  # a notification's, not a control row's (hub.readstate)
            del data["control"]
        return data

    def rich_wire(self) -> dict[str, Any]:
        """The rich fields as sent to clients: only those that differ from a plain notification's,
        so a client that knows none of them sees exactly what it saw before."""
        # pydantic's own attribute, which `model_fields_set` returns (a property call per send)
        if self.__pydantic_fields_set__.isdisjoint(_PLAIN):  # none given: all plain (the usual send)
            return {}
        out: dict[str, Any] = {}
        if self.priority is not Priority.DEFAULT:
            out["priority"] = self.priority.value
        if self.click is not None:
            out["click"] = self.click
        if self.actions:
            out["actions"] = [a.model_dump(mode="json") for a in self.actions]
        if self.format is not TextFormat.PLAIN:
            out["format"] = self.format.value
        if self.receipt:
            out["receipt"] = True
        return out

    def respond_labels(self) -> tuple[str, ...]:
        """The answers a recipient may give (the labels of its `respond` buttons)."""
        return tuple(a.label for a in self.actions if isinstance(a, RespondAction))


# --------------------------------------------------------------------------- answers


class Respond(BaseModel):
    """`respond`: a recipient's answer to a notification, one of the labels of its `respond` buttons."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    #: The notification answered (a signed 64-bit id, as every notification id).
    id: Annotated[int, Field(strict=True, ge=0, le=2**63 - 1)]
    label: ActionLabel


class Answer(BaseModel):
    """What a stored answer adds to its notification row: the notification answered, the label and
    whom it is for (the row's own sender, title, room and time are the answerer's, the answered
    notification's title and room, and when)."""

    model_config = ConfigDict(frozen=True)

    notification_id: int
    label: str
    to: str

    def response(self, response_id: int, responder: str, title: str, room: str | None, at: str) -> Response:
        return Response(
            id=response_id,
            notification_id=self.notification_id,
            label=self.label,
            responder=responder,
            to=self.to,
            title=title,
            room=room,
            timestamp=at,
        )


class Response(BaseModel):
    """`response`: a recipient answered a notification with one of its `respond` buttons.

    Sent to every device of the sender and of the notification's recipients, the one who answered
    included (for an `everyone` notification, to the sender's and the answerer's only). `id` comes
    from the notifications' sequence, so a response is
    replayed, acked and resumed exactly as a notification is (`last_id`, `ack`, `sync`).
    """

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    id: int
    notification_id: int
    label: str
    #: Who answered.
    responder: str = Field(serialization_alias="from", validation_alias=AliasChoices("from", "responder"))
    #: The sender of the notification answered: the one the answer is for.
    to: str
    #: The notification's title, or when it has none the start of its message (one line).
    title: str
    room: str | None = None
    timestamp: str

    def wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, mode="json")
