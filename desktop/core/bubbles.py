"""A toast as the desktop's own notification (a "bubble"): what it says, how urgent it is, what it offers.

`bubble_for` turns what lan-notify would show as a toast (`ToastInfo`) into the arguments of the
freedesktop notification specification: urgency from the type (critical for error and system, which
then stay until closed) and the priority (low for min and low, critical for urgent), Open (a click),
Reply (messages) or the sender's own buttons as actions, a category, an icon, the desktop entry and a
sound. Plain text stays plain: when the service reads markup in the body, the text is escaped; a
Markdown message is shown as its plain text. No Qt, no D-Bus here (`desktop.system.notifications`
sends bubbles).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Final

import resources
from desktop.core import markdown
from desktop.core.actions import Button, buttons_for
from desktop.core.identity import DESKTOP_ENTRY_ID
from desktop.core.toasts import ToastInfo, ToastKind, reply_target
from hub.protocol import NotificationType
from hub.rich import Priority, TextFormat

#: The action a click on the bubble invokes (the specification's "default").
OPEN: Final = "default"
REPLY: Final = "reply"
#: The action key of the sender's button number N (0-based, in `buttons_for`'s order): "button-N".
BUTTON_PREFIX: Final = "button-"
CRITICAL_TYPES: Final = frozenset({NotificationType.ERROR.value, NotificationType.SYSTEM.value})
#: Most severe first: the icon a summary borrows from what it holds.
SEVERITY: Final = ("error", "warning", "system", "message", "success", "info")


class Urgency(IntEnum):
    LOW = 0
    NORMAL = 1
    CRITICAL = 2


class CloseReason(IntEnum):
    EXPIRED = 1
    DISMISSED = 2  # by the user
    CLOSED = 3  # by a CloseNotification call
    UNDEFINED = 4


@dataclass(frozen=True, slots=True)
class Bubble:
    """One notification as the service shows it (the specification's `Notify` arguments)."""

    summary: str
    body: str = ""
    urgency: Urgency = Urgency.NORMAL
    #: (key, label) pairs; the key "default" is what a click on the bubble invokes.
    actions: tuple[tuple[str, str], ...] = ()
    #: Milliseconds on screen; 0: until the user closes it; -1: the service decides.
    expire_ms: int = -1
    category: str = ""
    app_icon: str = ""
    #: The app's desktop entry, which services use for the app's name and icon.
    desktop_entry: str = DESKTOP_ENTRY_ID
    #: A freedesktop sound name; "" for the service's own choice; None asks for silence.
    sound: str | None = ""
    #: The id of the bubble this one replaces in place (0: a new one).
    replaces: int = 0
    app_name: str = "lan-notify"


def escape_markup(text: str) -> str:
    """Plain text for a service that reads a subset of HTML in the body: nothing in it is markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def urgency_of(info: ToastInfo) -> Urgency:
    styles = info.types if info.kind is ToastKind.SUMMARY else {info.style}
    priority = info.notification.priority if info.notification is not None else Priority.DEFAULT
    if styles & CRITICAL_TYPES or (info.kind is ToastKind.NOTIFICATION and priority is Priority.URGENT):
        return Urgency.CRITICAL
    if info.kind is ToastKind.NOTIFICATION and priority in {Priority.MIN, Priority.LOW}:
        return Urgency.LOW
    return Urgency.NORMAL


def category_of(info: ToastInfo) -> str:
    if info.kind is ToastKind.NOTICE and info.write_to:
        return "presence.online"  # a teammate came online
    if info.kind is ToastKind.NOTIFICATION and info.style == NotificationType.MESSAGE.value:
        return "im.received"
    return f"x-lan-notify.{info.style}"


def text_of(info: ToastInfo) -> tuple[str, str]:
    """The bubble's summary and body: the title, then the text, who sent it and where, and any small print."""
    n = info.notification
    markdown_body = info.kind is ToastKind.NOTIFICATION and n is not None and n.format is TextFormat.MARKDOWN
    lines = [markdown.plain(info.message) if markdown_body else info.message]
    if info.kind is ToastKind.NOTIFICATION and n is not None and n.sender:
        lines.append(f"— {n.origin}")
    if info.hint:
        lines.append(info.hint)
    return info.title, "\n".join(line for line in lines if line)


def own_buttons(info: ToastInfo, me: str) -> tuple[Button, ...]:
    """The sender's buttons on a notification's bubble (none for summaries and notices)."""
    n = info.notification
    if info.kind is not ToastKind.NOTIFICATION or n is None or not n.actions:
        return ()
    return buttons_for(n, me)


def actions_of(info: ToastInfo, me: str) -> tuple[tuple[str, str], ...]:
    own = own_buttons(info, me)
    if own:
        return ((OPEN, "Open"), *((f"{BUTTON_PREFIX}{i}", b.label) for i, b in enumerate(own)))
    target = reply_target(info, me)
    if target is None:
        return ((OPEN, "Open"),)
    return ((OPEN, "Open"), (REPLY, "Message" if info.kind is ToastKind.NOTICE else "Reply"))


def icon_of(info: ToastInfo) -> str:
    """The type's icon file (as a URI); a summary's is the most severe type it holds."""
    style = info.style
    if info.kind is ToastKind.SUMMARY:
        style = next((t for t in SEVERITY if t in info.types), "info")
    return resources.type_icon_uri(style) if style in resources.NOTIFICATION_TYPES else ""


def bubble_for(
    info: ToastInfo, *, me: str, capabilities: Iterable[str], sound: str | None = "", icon: str = ""
) -> Bubble:
    """The bubble for a toast; `sound` is the freedesktop sound name to ask for, None for silence."""
    summary, body = text_of(info)
    if "body-markup" in set(capabilities):
        body = escape_markup(body)
    urgency = urgency_of(info)
    sticky = urgency is Urgency.CRITICAL or info.timeout is None
    return Bubble(
        summary=summary,
        body=body,
        urgency=urgency,
        actions=actions_of(info, me),
        expire_ms=0 if sticky else round((info.timeout or 0) * 1000),
        category=category_of(info),
        app_icon=icon,
        sound=sound,
    )
