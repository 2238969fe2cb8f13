"""What a notification offers besides its text: its buttons, its click target, and how a link is put to
the user before it opens. No Qt: toasts, the history's detail pane and system notifications all ask here.

- `buttons_for`: the sender's buttons (`view`, `reply`, `respond`), as many as make sense for this
  user: no Reply to oneself, no answer to what one sent. Without any, a `message` from a person has
  the Reply it always had.
- `link_prompt`: a link never opens on a click alone: the app first says where it goes (the host of
  an http(s) URL, the address of a mailto one), so a button's label cannot pass one site off as another.
- `answers_text`: what the detail pane says of the answers to a notification.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final
from urllib.parse import unquote, urlsplit

from desktop.core.models import ReceivedNotification, ReceivedResponse
from desktop.core.reply import reply_recipient
from hub.rich import ReplyAction, RespondAction, ViewAction, safe_link

#: The label of the Reply a message from a person has when its sender gave no buttons.
REPLY_LABEL: Final = "Reply"


class ButtonKind(StrEnum):
    VIEW = "view"
    REPLY = "reply"
    RESPOND = "respond"


@dataclass(frozen=True, slots=True)
class Button:
    kind: ButtonKind
    label: str
    #: `view`: the link; `reply`: who it writes to (a user or "#room"); `respond`: "".
    target: str


def buttons_for(notification: ReceivedNotification, me: str) -> tuple[Button, ...]:
    """The buttons to show for a notification to `me` (the signed-in user), in the sender's order."""
    reply_to = reply_recipient(notification, me, any_type=True)
    if not notification.actions:
        default = reply_recipient(notification, me)
        return (Button(ButtonKind.REPLY, REPLY_LABEL, default),) if default else ()
    buttons: list[Button] = []
    for action in notification.actions:
        if isinstance(action, ViewAction) and safe_link(action.url):
            buttons.append(Button(ButtonKind.VIEW, action.label, action.url))
        elif isinstance(action, ReplyAction) and reply_to:
            buttons.append(Button(ButtonKind.REPLY, action.label, reply_to))
        elif isinstance(action, RespondAction) and notification.sender != me:
            buttons.append(Button(ButtonKind.RESPOND, action.label, ""))
    return tuple(buttons)


@dataclass(frozen=True, slots=True)
class LinkPrompt:
    """The question before a link opens: "Open a link from alice?" / "It goes to ci.lan: https://…"."""

    title: str
    text: str
    #: Where it goes: the host of a web link, the address of a mailto one.
    where: str
    url: str


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    if host and not host.isascii():
        try:
            return f"{host} ({host.encode('idna').decode('ascii')})"  # a look-alike name shows its real spelling
        except UnicodeError:
            return host
    return host


def link_prompt(url: str, sender: str) -> LinkPrompt | None:
    """What to ask before opening `url` from `sender`'s notification; None: a link that must not open."""
    if not safe_link(url):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() == "mailto":
        address = unquote(parts.path)
        return LinkPrompt(f"Write to {address}?", f"{sender}'s notification opens your mail app, to {address}.",
                          address, url)  # fmt: skip
    where = _host(url)
    shown = url if len(url) <= 120 else url[:119] + "…"
    return LinkPrompt(f"Open {where}?", f"{sender}'s notification links to {where}:\n{shown}", where, url)


def answers_text(notification: ReceivedNotification, answers: Sequence[ReceivedResponse], me: str) -> str:
    """One line per answer, oldest first: "You answered Approve", "Approved by bob" reads as "bob: Approve"."""
    lines = []
    for answer in answers:
        who = "You" if answer.responder == me else answer.responder
        lines.append(f"{who} answered {answer.label} ({answer.timestamp.astimezone():%H:%M})")
    if not lines and notification.sender != me and any(isinstance(a, RespondAction) for a in notification.actions):
        return "Not answered yet"
    return "\n".join(lines)


def answered(answers: Sequence[ReceivedResponse], me: str) -> str | None:
    """The label `me` answered with, if they did."""
    return next((a.label for a in answers if a.responder == me), None)
