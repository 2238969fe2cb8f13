"""Which toasts are on screen, for how long, and what a burst collapses into.

The policy is a plain object with an injectable clock. It never sleeps: the UI asks
`next_deadline()`, arms one timer for it and calls `expire()` when it fires.

- Auto-dismiss per type: info/success/message 5 s, warning 10 s, error and system stay until closed;
  a notification of priority `high` stays twice as long, one of priority `urgent` until closed.
- Newest on top; at most `max_visible` on screen, the rest counted as "+N more" (their clocks keep
  running, so stale ones leave quietly; sticky ones come up when there is room).
- A burst (more than `burst_threshold` arrivals within `burst_window` seconds) collapses the toasts
  of that window and everything that follows it into one summary toast, updated in place.
- While the pointer is over a toast on screen (`set_hovered(key)`), no clock runs. The pause belongs
  to that toast: when it leaves the screen (closed, folded into a summary, pushed below "+N more"),
  the clocks run again, whether or not the UI ever saw the pointer leave.
- `expire()` returns the next deadline: a timer that fired a little early finds nothing due and
  is armed again for what is left, never given up.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from desktop.core.models import ReceivedNotification
from desktop.core.reply import reply_recipient
from hub.protocol import NotificationType
from hub.rich import Priority

Clock = Callable[[], float]

AUTO_DISMISS: Final[Mapping[NotificationType, float | None]] = {
    NotificationType.INFO: 5.0,
    NotificationType.SUCCESS: 5.0,
    NotificationType.MESSAGE: 5.0,
    NotificationType.WARNING: 10.0,
    NotificationType.ERROR: None,
    NotificationType.SYSTEM: None,
}
SUMMARY_TIMEOUT: Final = 10.0
#: The key `set_hovered` takes for the "+N more" line under the toasts.
MORE: Final = 0
MAX_VISIBLE: Final = 4
BURST_WINDOW: Final = 1.0
BURST_THRESHOLD: Final = 5


class ToastKind(StrEnum):
    NOTIFICATION = "notification"
    SUMMARY = "summary"
    NOTICE = "notice"


@dataclass(frozen=True, slots=True)
class ToastInfo:
    """What one toast shows. `style` is a notification type name or "summary"."""

    key: int
    kind: ToastKind
    style: str
    title: str
    message: str
    #: The notification to open in the history on click (the newest one for a summary).
    notification_id: int | None
    notification: ReceivedNotification | None
    #: Seconds before it leaves on its own; None = stays until closed.
    timeout: float | None
    count: int = 1
    #: The notification types a summary holds.
    types: frozenset[str] = frozenset()
    #: A notice's small print (e.g. "Click to open the history"); "" for none.
    hint: str = ""
    #: Who a notice's Message action writes to (a teammate who came online); "" for no action.
    write_to: str = ""


@dataclass(frozen=True, slots=True)
class ToastView:
    visible: tuple[ToastInfo, ...]  # newest first
    more: int  # alive but not shown: the "+N more"
    #: The keys of every toast still alive (shown or counted in "+N more").
    alive: frozenset[int] = frozenset()
    #: The pointer is over a toast on screen: no clock runs.
    paused: bool = False


@dataclass(slots=True)
class _Toast:
    key: int
    kind: ToastKind
    style: str
    title: str
    message: str
    notification: ReceivedNotification | None
    timeout: float | None
    arrived: float
    remaining: float | None
    deadline: float | None
    by_type: Counter[str] = field(default_factory=Counter)
    newest_id: int | None = None
    hint: str = ""
    write_to: str = ""
    #: A summary holding an urgent notification (it stays until closed).
    urgent: bool = False

    def info(self) -> ToastInfo:
        count = sum(self.by_type.values()) if self.kind is ToastKind.SUMMARY else 1
        return ToastInfo(
            key=self.key,
            kind=self.kind,
            style=self.style,
            title=self.title,
            message=self.message,
            notification_id=self.newest_id,
            notification=self.notification,
            timeout=self.timeout,
            count=count,
            types=frozenset(self.by_type),
            hint=self.hint,
            write_to=self.write_to,
        )


def _summary_text(by_type: Counter[str]) -> tuple[str, str]:
    total = sum(by_type.values())
    order = [t.value for t in NotificationType]
    parts = [f"{by_type[t]} {t}" for t in order if by_type[t]]
    return f"{total} new notifications", ", ".join(parts)


Listener = Callable[[ToastView], None]


class ToastPolicy:
    def __init__(
        self,
        *,
        clock: Clock = time.monotonic,
        max_visible: int = MAX_VISIBLE,
        burst_window: float = BURST_WINDOW,
        burst_threshold: int = BURST_THRESHOLD,
        auto_dismiss: Mapping[NotificationType, float | None] = AUTO_DISMISS,
        summary_timeout: float = SUMMARY_TIMEOUT,
    ) -> None:
        self._clock = clock
        self._max_visible = max_visible
        self._burst_window = burst_window
        self._burst_threshold = burst_threshold
        self._auto_dismiss = dict(auto_dismiss)
        self._summary_timeout = summary_timeout
        self._toasts: list[_Toast] = []  # newest first
        self._arrivals: deque[float] = deque()
        self._summary: _Toast | None = None
        self._summary_touched = float("-inf")
        self._hovered: int | None = None  # the toast under the pointer (MORE: the "+N more" line)
        self._frozen = False  # the clocks are stopped (the pointer is over a toast on screen)
        self._next_key = 1
        self._listeners: list[Listener] = []

    # ------------------------------------------------------------------ reading

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def view(self) -> ToastView:
        shown = self._toasts[: self._max_visible]
        return ToastView(
            visible=tuple(t.info() for t in shown),
            more=len(self._toasts) - len(shown),
            alive=frozenset(t.key for t in self._toasts),
            paused=self._frozen,
        )

    def next_deadline(self) -> float | None:
        """Clock time of the next expiry, or None when nothing will leave on its own."""
        deadlines = [t.deadline for t in self._toasts if t.deadline is not None]
        return min(deadlines) if deadlines else None

    def now(self) -> float:
        """The policy's clock (deadlines are in its time)."""
        return self._clock()

    @property
    def paused(self) -> bool:
        """The clocks are stopped: the pointer is over a toast (or the "+N more" line) on screen."""
        return self._frozen

    @property
    def hovered(self) -> int | None:
        """The key of the toast the pointer is over (`MORE`: the "+N more" line), or None."""
        return self._hovered

    # ------------------------------------------------------------------ changes

    def push(self, notification: ReceivedNotification) -> None:
        """A new notification arrived (already deduplicated by the history). A new version of one on a
        toast (`replaces`) shows there instead, in place, with its clock started again."""
        now = self._clock()
        replaces = notification.replaces
        old = next((t for t in self._toasts if replaces is not None and t.newest_id == replaces), None)
        if old is not None and old.kind is ToastKind.NOTIFICATION:
            old.style, old.title, old.message = notification.type.value, notification.heading, notification.message
            old.notification, old.newest_id = notification, notification.id
            old.timeout = old.remaining = timeout_for(notification, self._auto_dismiss.get(notification.type))
            old.deadline = None if old.timeout is None or self._frozen else now + old.timeout
            self._changed()
            return
        self._arrivals.append(now)
        while self._arrivals and self._arrivals[0] <= now - self._burst_window:
            self._arrivals.popleft()

        summary = self._summary if self._summary in self._toasts else None
        if summary is not None and now - self._summary_touched < self._burst_window:
            self._fold(summary, [notification], now)
        elif len(self._arrivals) > self._burst_threshold:
            window = [
                t for t in self._toasts if t.kind is ToastKind.NOTIFICATION and t.arrived > now - self._burst_window
            ]
            for toast in window:
                self._toasts.remove(toast)
            members = [t.notification for t in reversed(window) if t.notification is not None]
            summary = self._new(ToastKind.SUMMARY, "summary", "", "", None, None, now)
            self._summary = summary
            self._fold(summary, [*members, notification], now)
        else:
            timeout = timeout_for(notification, self._auto_dismiss.get(notification.type))
            self._new(
                ToastKind.NOTIFICATION,
                notification.type.value,
                notification.heading,
                notification.message,
                notification,
                timeout,
                now,
            )
        self._changed()

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
        """An app notice (missed notifications, no keyring...): not a notification, never folded. Returns its key.

        `hint` is the notice's small print under the message (what a click does, for instance); `write_to`
        gives it a Message action that opens the compose dialog to that user.
        """
        toast = self._new(ToastKind.NOTICE, style, title, message, None, timeout, self._clock())
        toast.hint, toast.write_to = hint, write_to
        self._changed()
        return toast.key

    def dismiss(self, key: int) -> None:
        """The user closed a toast (or opened it)."""
        before = len(self._toasts)
        self._toasts = [t for t in self._toasts if t.key != key]
        if len(self._toasts) != before:
            self._changed()

    def withdraw(self, notification_ids: Collection[int]) -> None:
        """Their sender retracted these notifications: their toasts close."""
        keep = [t for t in self._toasts if t.kind is not ToastKind.NOTIFICATION or t.newest_id not in notification_ids]
        if len(keep) != len(self._toasts):
            self._toasts = keep
            self._changed()

    def dismiss_all(self) -> None:
        if self._toasts:
            self._toasts.clear()
            self._changed()

    def expire(self) -> float | None:
        """Drop every toast whose time is up; returns the next deadline (None: nothing leaves on its own).

        Call it when the timer for `next_deadline()` fires, then arm the timer again for what it returns:
        a timer may fire a little early (Qt's coarse timers, by up to 5 %), and then nothing is due yet.
        """
        now = self._clock()
        keep = [t for t in self._toasts if t.deadline is None or t.deadline > now]
        if len(keep) != len(self._toasts):
            self._toasts = keep
            self._changed()
        return self.next_deadline()

    def set_auto_dismiss(self, auto_dismiss: Mapping[NotificationType, float | None]) -> None:
        """New per-type durations (settings): they apply to toasts that arrive from now on."""
        self._auto_dismiss = {**AUTO_DISMISS, **auto_dismiss}

    def set_hovered(self, key: int | None) -> None:
        """The pointer is over this toast (its key, or `MORE`), or over none (None).

        The clocks stop while it is over a toast on screen, and run again when it leaves, or when that
        toast does (a pointer resting where a toast was deleted pauses nothing).
        """
        if key == self._hovered:
            return
        self._hovered = key
        before = self._frozen
        self._sync_pause()
        if self._frozen != before:
            self._changed()

    # ------------------------------------------------------------------ internals

    def _new(
        self,
        kind: ToastKind,
        style: str,
        title: str,
        message: str,
        notification: ReceivedNotification | None,
        timeout: float | None,
        now: float,
    ) -> _Toast:
        toast = _Toast(
            key=self._next_key,
            kind=kind,
            style=style,
            title=title,
            message=message,
            notification=notification,
            timeout=timeout,
            arrived=now,
            remaining=timeout,
            deadline=None if timeout is None or self._frozen else now + timeout,
            newest_id=notification.id if notification else None,
        )
        self._next_key += 1
        self._toasts.insert(0, toast)
        return toast

    def _fold(self, summary: _Toast, notifications: list[ReceivedNotification], now: float) -> None:
        for n in notifications:
            summary.by_type[n.type.value] += 1
            summary.urgent = summary.urgent or n.priority is Priority.URGENT
            summary.newest_id = n.id if summary.newest_id is None else max(summary.newest_id, n.id)
        summary.title, summary.message = _summary_text(summary.by_type)
        # A summary holding an error or system notice stays until closed, like those would have.
        sticky = summary.urgent or any(self._auto_dismiss.get(NotificationType(t)) is None for t in summary.by_type)
        summary.timeout = None if sticky else self._summary_timeout
        summary.remaining = summary.timeout
        summary.deadline = None if summary.timeout is None or self._frozen else now + summary.timeout
        self._summary_touched = now
        # The summary moves back on top as it grows.
        self._toasts.remove(summary)
        self._toasts.insert(0, summary)

    def _pointer_over_one(self) -> bool:
        if self._hovered is None:
            return False
        if self._hovered == MORE:
            return len(self._toasts) > self._max_visible
        return any(t.key == self._hovered for t in self._toasts[: self._max_visible])

    def _sync_pause(self) -> None:
        """Stop or restart the clocks as the pointer's toast is, or no longer is, on screen."""
        if self._hovered is not None and not self._pointer_over_one():
            self._hovered = None  # that toast went away: the pointer is over nothing of ours
        frozen = self._hovered is not None
        if frozen == self._frozen:
            return
        self._frozen = frozen
        now = self._clock()
        for toast in self._toasts:
            if frozen and toast.deadline is not None:
                toast.remaining = max(0.0, toast.deadline - now)
                toast.deadline = None
            elif not frozen and toast.remaining is not None:
                toast.deadline = now + toast.remaining

    def _changed(self) -> None:
        self._sync_pause()
        view = self.view()
        for listener in list(self._listeners):
            listener(view)


def timeout_for(notification: ReceivedNotification, by_type: float | None) -> float | None:
    """How long a notification's toast stays: its type's time, twice that for `high`, until closed for `urgent`."""
    if notification.priority is Priority.URGENT or by_type is None:
        return None
    return by_type * 2 if notification.priority is Priority.HIGH else by_type


def reply_target(info: ToastInfo, me: str = "") -> str | None:
    """Who the toast's action writes to: the sender of a `message` from a user (or its #room), the teammate
    of a "came online" notice; None: no action (nor for what `me`, the signed-in user, sent)."""
    if info.kind is ToastKind.NOTICE:
        return info.write_to or None
    if info.kind is not ToastKind.NOTIFICATION or info.notification is None:
        return None
    return reply_recipient(info.notification, me)
