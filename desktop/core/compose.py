"""What the compose dialog offers and sends: recipients per role, types, limits, the hub's answer in words.

No Qt: the dialog shows what these functions return and hands back a `ComposeDraft`; the app turns the
draft into one hub event with `request_for()`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from desktop.core.later import scheduled_text
from desktop.core.models import ReceivedNotification
from hub.protocol import MAX_MESSAGE_BYTES, MAX_TITLE_CHARS, Event, Kind, NotificationType
from hub.rich import MAX_ACTION_LABEL_CHARS, MAX_ACTIONS, Priority, link_problem

EVERYONE_LABEL: Final = "Everyone"
RECENT_LIMIT: Final = 8


class TargetKind(StrEnum):
    USER = "user"
    ROOM = "room"
    EVERYONE = "everyone"


@dataclass(frozen=True, slots=True)
class Recipient:
    kind: TargetKind
    name: str  # user or room name; "" for everyone
    online: bool = False

    @property
    def label(self) -> str:
        """What the recipient box shows and accepts: 'bob', '#ops', 'Everyone'."""
        if self.kind is TargetKind.ROOM:
            return f"#{self.name}"
        if self.kind is TargetKind.EVERYONE:
            return EVERYONE_LABEL
        return self.name

    @property
    def key(self) -> str:
        """How it is remembered among the recent recipients."""
        return self.label


@dataclass(frozen=True, slots=True)
class Limits:
    message_bytes: int = MAX_MESSAGE_BYTES
    title_chars: int = MAX_TITLE_CHARS

    @classmethod
    def from_welcome(cls, limits: Mapping[str, Any]) -> Limits:
        def number(key: str, default: int) -> int:
            value = limits.get(key)
            return value if isinstance(value, int) and value > 0 else default

        return cls(number("message_bytes", MAX_MESSAGE_BYTES), number("title_chars", MAX_TITLE_CHARS))


@dataclass(frozen=True, slots=True)
class ComposeDraft:
    to: Recipient
    type: NotificationType
    title: str
    message: str
    priority: Priority = Priority.DEFAULT
    #: A link opened when the notification is clicked ("" for none).
    click: str = ""
    #: The labels of `respond` buttons: answers that come back to the sender.
    answers: tuple[str, ...] = ()
    markdown: bool = False
    #: Ask for receipts: the sender's devices are told when it is delivered and seen.
    receipt: bool = False
    #: Send later: when the hub delivers it (ISO 8601 with an offset, `desktop.core.later`); "" now.
    deliver_at: str = ""
    #: Names the send: a send later with a key can be cancelled (`DELETE /api/scheduled/{key}`); "" none.
    key: str = ""


def parse_answers(text: str) -> tuple[str, ...]:
    """The answer buttons typed as 'Approve, Reject': labels separated by commas, blanks dropped."""
    return tuple(label.strip() for label in text.split(",") if label.strip())


def types_for(admin: bool) -> list[NotificationType]:
    """The types a user may send: `system` only for admins."""
    return [t for t in NotificationType if admin or t is not NotificationType.SYSTEM]


def recipients_for(
    *,
    me: str,
    users: Iterable[str],
    online: Iterable[str],
    my_rooms: Iterable[str],
    admin: bool,
    recent: Iterable[str] = (),
) -> list[Recipient]:
    """Everyone the user may address, in the order the completion shows them.

    Recent recipients first, then users online, then the others (each alphabetical), then the
    rooms the user is in, then "Everyone" for admins. The user themself comes last among users
    (sending yourself a note is allowed, just rarely what you meant).
    """
    online_set = set(online)
    names = sorted(set(users) | online_set)
    people = [Recipient(TargetKind.USER, n, n in online_set) for n in names]
    people.sort(key=lambda r: (r.name == me, not r.online, r.name.lower()))
    rooms = [Recipient(TargetKind.ROOM, r) for r in sorted(set(my_rooms))]
    everyone = [Recipient(TargetKind.EVERYONE, "")] if admin else []
    offered = [*people, *rooms, *everyone]
    by_key = {r.key: r for r in offered}
    first = [by_key[k] for k in recent if k in by_key]
    return first + [r for r in offered if r not in first]


def parse_recipient(text: str, offered: Iterable[Recipient]) -> Recipient | None:
    """The recipient the user typed: an offered label, '#room' for a room, or a user name."""
    text = text.strip()
    if not text:
        return None
    for r in offered:
        if r.label.lower() == text.lower():
            return r
    if text.startswith("#") and len(text) > 1:
        return Recipient(TargetKind.ROOM, text[1:])
    if text.lower() == EVERYONE_LABEL.lower():
        return None  # not offered: not an admin
    return Recipient(TargetKind.USER, text)


def message_size(text: str) -> int:
    """The message's size as the hub counts it: UTF-8 bytes."""
    return len(text.encode("utf-8", "surrogatepass"))


def counter_text(text: str, limits: Limits) -> tuple[str, bool]:
    """The live counter ('12 / 4096 bytes': the hub counts UTF-8 bytes) and whether the text is over the limit."""
    size = message_size(text)
    return f"{size} / {limits.message_bytes} bytes", size > limits.message_bytes


def problem_with(draft: ComposeDraft, limits: Limits) -> str:
    """What keeps the draft from being sent, in words; "" when it can go."""
    if not draft.message.strip():
        return "Write a message first."
    if message_size(draft.message) > limits.message_bytes:
        return f"The message is too long: at most {limits.message_bytes} bytes."
    if len(draft.title) > limits.title_chars:
        return f"The title is too long: at most {limits.title_chars} characters."
    if "\n" in draft.title or "\r" in draft.title:
        return "The title must be one line."
    if draft.click and (why := link_problem(draft.click)):
        return f"The link cannot be used: {why}."
    return _answers_problem(draft.answers)


def _answers_problem(answers: tuple[str, ...]) -> str:
    if len(answers) > MAX_ACTIONS:
        return f"At most {MAX_ACTIONS} answers."
    if any(len(label) > MAX_ACTION_LABEL_CHARS for label in answers):
        return f"An answer is too long: at most {MAX_ACTION_LABEL_CHARS} characters each."
    if len({label.casefold() for label in answers}) < len(answers):
        return "Two answers are the same."
    return ""


def request_for(draft: ComposeDraft) -> tuple[str, dict[str, Any]]:
    """The hub event and payload that send the draft."""
    body: dict[str, Any] = {"message": draft.message, "type": draft.type.value}
    if draft.title:
        body["title"] = draft.title
    if draft.priority is not Priority.DEFAULT:
        body["priority"] = draft.priority.value
    if draft.click:
        body["click"] = draft.click
    if draft.answers:
        body["actions"] = [{"action": "respond", "label": label} for label in draft.answers]
    if draft.markdown:
        body["format"] = "markdown"
    if draft.receipt:
        body["receipt"] = True
    if draft.deliver_at:
        body["deliver_at"] = draft.deliver_at
    if draft.key:
        body["key"] = draft.key
    if draft.to.kind is TargetKind.ROOM:
        return Event.ROOM_MESSAGE.value, {"room": draft.to.name, **body}
    if draft.to.kind is TargetKind.EVERYONE:
        if draft.type is NotificationType.SYSTEM:
            body.pop("type")
            return Event.ANNOUNCE.value, body
        return Event.BROADCAST.value, body
    return Event.SEND_NOTIFICATION.value, {"to": draft.to.name, **body}


def describe_refusal(code: str, message: str, retry_after: float | None, draft: ComposeDraft | None = None) -> str:
    """The hub's refusal as one sentence for the dialog."""
    if code == "rate_limited":
        wait = round(retry_after) if retry_after else None
        return f"Sending too fast: try again in {wait} s." if wait else "Sending too fast: try again shortly."
    if code == "forbidden":
        return f"Not allowed: {message}."
    if code == "not_found":
        if draft is not None and draft.to.kind is TargetKind.USER:
            return f"Unknown user: there is no one named {draft.to.name!r} on this hub."
        if draft is not None and draft.to.kind is TargetKind.ROOM:
            return f"Unknown room: there is no room named {draft.to.name!r} on this hub."
        return f"Not found: {message}."
    if code in {"invalid_payload", "too_large"}:
        return f"The hub did not accept the message: {message}."
    return f"The hub refused it: {message}."


def cannot_receive_text(name: str) -> str:
    return f"{name} cannot receive notifications: it is an account that only sends (a script's)."


def sent_text(draft: ComposeDraft, answer: Mapping[str, Any], send_only: int = 0) -> str:
    """What the dialog says once the hub took it. To everyone, the hub counts every account, `send_only`
    ones (scripts') too: the people it reaches are the others."""
    if answer.get("scheduled"):
        return scheduled_text(draft.to.label, answer, datetime.now().astimezone())
    recipients = answer.get("recipients")
    if isinstance(recipients, int) and draft.to.kind is TargetKind.EVERYONE:
        recipients = max(0, recipients - send_only)
    count = f" ({recipients} recipient{'s' if recipients != 1 else ''})" if isinstance(recipients, int) else ""
    return f"Sent to {draft.to.label}{count}."


def remember_recent(recent: list[str], key: str, limit: int = RECENT_LIMIT) -> list[str]:
    """The recent recipients after sending to `key`: it moves to the front, the oldest drops off."""
    return [key, *[k for k in recent if k != key]][:limit]


def keeps_sent(draft: ComposeDraft, answer: Mapping[str, Any], me: str) -> bool:
    """Whether the history keeps what was just sent, to show its receipts: sent now (not scheduled) with a
    receipt, to someone else, a room or everyone."""
    sent_now = not answer.get("scheduled") and isinstance(answer.get("id"), int)
    return draft.receipt and sent_now and not (draft.to.kind is TargetKind.USER and draft.to.name == me)


def sent_notification(draft: ComposeDraft, notification_id: int, me: str) -> ReceivedNotification:
    """A notification we sent (to a user, a room or everyone), as the history keeps it to show its receipts."""
    event, payload = request_for(draft)
    kind = {Event.ROOM_MESSAGE.value: Kind.ROOM, Event.BROADCAST.value: Kind.EVERYONE,
            Event.ANNOUNCE.value: Kind.ANNOUNCEMENT}.get(event, Kind.DIRECT)  # fmt: skip
    payload.pop("deliver_at", None)
    wire = {
        "type": NotificationType.SYSTEM.value if kind is Kind.ANNOUNCEMENT else draft.type.value,
        **payload,
        "id": notification_id,
        "kind": kind.value,
        "title": draft.title,
        "from": me,
        "room": draft.to.name if kind is Kind.ROOM else None,
        "timestamp": datetime.now(UTC).isoformat(),
    }
    return ReceivedNotification.from_wire(wire)
