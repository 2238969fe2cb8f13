"""Where notifications are shown: lan-notify's own toasts, or the system's notifications.

The setting "Show notifications as" (`notifications/show_as`: `toasts` or `system`; unset: choose)
meets what this computer has:

- Linux: system notifications go to the freedesktop notification service (GNOME, KDE, dunst...).
  Unset, they are chosen when a service that shows buttons (Reply, Open) answers; otherwise, and
  always when there is no service at all, lan-notify shows its own toasts.
- macOS and Windows: for now "system" means the tray icon's own message (no buttons, no history).

`Presenter` is where the app's notifications and notices go; the app points it at the toast
policy of the chosen way. No Qt here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from desktop.core.models import ReceivedNotification
from desktop.core.toasts import ToastPolicy


class ShowAs(StrEnum):
    TOASTS = "toasts"  # lan-notify's own toast windows
    SYSTEM = "system"  # the desktop's notification service (freedesktop, on Linux)
    TRAY = "tray"  # the tray icon's message balloon (macOS and Windows, for now)


#: What the settings dialog offers, as (value, words).
CHOICES: Final = ((ShowAs.TOASTS.value, "lan-notify toasts"), (ShowAs.SYSTEM.value, "System notifications"))


@dataclass(frozen=True, slots=True)
class Presentation:
    show_as: ShowAs
    #: What the settings dialog says about it (why the choice could not be followed, what is missing).
    note: str = ""

    @property
    def setting(self) -> str:
        """The settings dialog's choice that this is (the tray's message counts as system notifications)."""
        return ShowAs.TOASTS.value if self.show_as is ShowAs.TOASTS else ShowAs.SYSTEM.value


def choose(pref: str, *, platform: str, capabilities: frozenset[str] | None, tray: bool) -> Presentation:
    """How to show notifications: `pref` as saved ("" unset), on `platform` (sys.platform), with the
    notification service's capabilities (None: there is none) and whether there is a system tray."""
    if platform in {"darwin", "win32"}:
        if pref != ShowAs.SYSTEM.value:
            return Presentation(ShowAs.TOASTS)
        if not tray:
            return Presentation(ShowAs.TOASTS, "There is no system tray here, so lan-notify shows its own toasts.")
        return Presentation(
            ShowAs.TRAY,
            "On this system, notifications are shown as the tray icon's messages for now: they have no Reply "
            "button and do not stay in the system's notification list.",
        )
    if pref == ShowAs.TOASTS.value:
        return Presentation(ShowAs.TOASTS)
    if capabilities is None:
        note = "No notification service answers on this desktop, so lan-notify shows its own toasts."
        return Presentation(ShowAs.TOASTS, note if pref == ShowAs.SYSTEM.value else "")
    if "actions" not in capabilities:
        if pref != ShowAs.SYSTEM.value:
            return Presentation(ShowAs.TOASTS)
        return Presentation(
            ShowAs.SYSTEM, "This desktop's notifications show no buttons: to reply, open the history instead."
        )
    return Presentation(ShowAs.SYSTEM)


class Presenter:
    """Where notifications and the app's notices go: the toast policy of the way chosen (a `Sink`)."""

    def __init__(self, target: ToastPolicy) -> None:
        self.target = target

    def push(self, notification: ReceivedNotification) -> None:
        self.target.push(notification)

    def withdraw(self, notification_ids: Collection[int]) -> None:
        self.target.withdraw(notification_ids)

    def push_notice(
        self,
        title: str,
        message: str,
        *,
        style: str = "warning",
        timeout: float | None = None,
        hint: str = "",
        write_to: str = "",
    ) -> int:
        return self.target.push_notice(title, message, style=style, timeout=timeout, hint=hint, write_to=write_to)
