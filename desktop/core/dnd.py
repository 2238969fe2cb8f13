"""Do not disturb and quiet hours: which toasts wait, and the one summary when the quiet ends.

While do-not-disturb is on (by hand, for a while, or inside the quiet hours), notifications still
go to the history and the unread badge, but their toasts are held, except `error` and `system`,
which always show, as do notifications of priority `urgent`. When it ends, one summary toast says
how many arrived ("7 notifications while you were away").

No sleeps and no Qt: the clock is injected; the UI arms one timer for `next_change()` and calls
`check()` when it fires (and the gate checks on every arrival).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Final, Protocol

from desktop.core.models import ReceivedNotification
from hub.protocol import NotificationType
from hub.rich import Priority

WallClock = Callable[[], datetime]
ALWAYS_SHOWN: Final = frozenset({NotificationType.ERROR, NotificationType.SYSTEM})
#: The small print of the end-of-quiet summary toast (a click opens the history at the top).
SUMMARY_HINT: Final = "Click to see them in the history"
#: "Until tomorrow" ends at this local time on the next day.
MORNING: Final = time(8, 0)


def local_now() -> datetime:
    return datetime.now().astimezone()


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window in local time; `start > end` spans midnight (19:00-08:00)."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def next_edge(self, now: datetime) -> datetime:
        """The next moment after `now` where the window opens or closes."""
        candidates = []
        for edge in (self.start, self.end):
            at = now.replace(hour=edge.hour, minute=edge.minute, second=0, microsecond=0)
            if at <= now:
                at += timedelta(days=1)
            candidates.append(at)
        return min(candidates)

    @classmethod
    def parse(cls, text: str) -> QuietHours | None:
        """'19:00-08:00' -> QuietHours; '' -> None. Raises ValueError on anything else."""
        text = text.strip()
        if not text:
            return None
        try:
            start, end = (time.fromisoformat(part.strip()) for part in text.split("-", 1))
        except ValueError:
            raise ValueError("quiet hours look like 19:00-08:00") from None
        return cls(start, end)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


class Sink(Protocol):
    def push(self, notification: ReceivedNotification) -> None: ...
    def withdraw(self, notification_ids: Collection[int]) -> None: ...
    def push_notice(
        self, title: str, message: str, *, style: str = ..., timeout: float | None = ..., hint: str = ...
    ) -> int: ...


def summary_text(held: Counter[str]) -> tuple[str, str]:
    total = sum(held.values())
    noun = "notification" if total == 1 else "notifications"
    order = [t.value for t in NotificationType]
    return f"{total} {noun} while you were away", ", ".join(f"{held[t]} {t}" for t in order if held[t])


class DoNotDisturb:
    def __init__(self, clock: WallClock = local_now, quiet_hours: QuietHours | None = None) -> None:
        self._clock = clock
        self._quiet = quiet_hours
        self._manual = False
        self._until: datetime | None = None  # with _manual: None = until turned off
        self._held: Counter[str] = Counter()
        self._was_active = self._compute(clock())
        self._listeners: list[Callable[[], None]] = []
        self._summary_sink: Sink | None = None

    # ------------------------------------------------------------------ reading

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    @property
    def quiet_hours(self) -> QuietHours | None:
        return self._quiet

    @property
    def manual(self) -> bool:
        return self._manual

    @property
    def until(self) -> datetime | None:
        return self._until

    @property
    def held(self) -> int:
        return sum(self._held.values())

    def active(self) -> bool:
        return self._compute(self._clock())

    def holds(self, notification: ReceivedNotification) -> bool:
        if notification.type in ALWAYS_SHOWN or notification.priority is Priority.URGENT:
            return False
        return self.active()

    def describe(self) -> str:
        """For the menu: 'Do not disturb: on until 14:05', 'quiet hours (19:00-08:00)', 'off'."""
        now = self._clock()
        if self._manual:
            return f"on until {self._until:%a %H:%M}" if self._until is not None else "on"
        if self._quiet is not None and self._quiet.contains(now.time()):
            return f"quiet hours ({self._quiet})"
        return "off"

    def next_change(self) -> datetime | None:
        """When the state may change on its own (a manual end, a quiet-hours edge), or None."""
        now = self._clock()
        moments = []
        if self._manual and self._until is not None:
            moments.append(self._until)
        if self._quiet is not None and self._quiet.start != self._quiet.end:
            moments.append(self._quiet.next_edge(now))
        return min(moments) if moments else None

    # ------------------------------------------------------------------ changes

    def set_summary_sink(self, sink: Sink) -> None:
        """Where the end-of-quiet summary goes (the toast policy)."""
        self._summary_sink = sink

    def turn_on(self, until: datetime | None = None) -> None:
        self._manual, self._until = True, until
        self.check()

    def for_hours(self, hours: float = 1.0) -> None:
        self.turn_on(self._clock() + timedelta(hours=hours))

    def until_tomorrow(self) -> None:
        now = self._clock()
        morning = (now + timedelta(days=1)).replace(hour=MORNING.hour, minute=MORNING.minute, second=0, microsecond=0)
        self.turn_on(morning)

    def turn_off(self) -> None:
        self._manual, self._until = False, None
        self.check()

    def set_quiet_hours(self, quiet: QuietHours | None) -> None:
        self._quiet = quiet
        self.check()

    def hold(self, notification: ReceivedNotification) -> None:
        self._held[notification.type.value] += 1
        self._notify()

    def check(self, *, always: bool = True) -> None:
        """Apply the clock: end an expired manual period; summarise what was held when the quiet ends.

        Listeners hear of it (the timer for `next_change()` is armed again from there); with `always=False`,
        only when something changed (every arrival checks: a thousand at once must not redraw the menu
        a thousand times).
        """
        before = (self._manual, self._until, self._was_active)
        now = self._clock()
        if self._manual and self._until is not None and now >= self._until:
            self._manual, self._until = False, None
        active = self._compute(now)
        ended = self._was_active and not active
        self._was_active = active
        if ended and self._held:
            title, message = summary_text(self._held)
            self._held.clear()
            if self._summary_sink is not None:
                self._summary_sink.push_notice(title, message, style="info", timeout=None, hint=SUMMARY_HINT)
        if always or (self._manual, self._until, self._was_active) != before:
            self._notify()

    def _compute(self, now: datetime) -> bool:
        if self._manual and (self._until is None or now < self._until):
            return True
        return self._quiet is not None and self._quiet.contains(now.time())

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()


class ToastGate:
    """Stands between the inbox and the toast policy: holds what do-not-disturb holds, and lets no toast
    through for a priority below `min_priority` ("Show toasts from priority ..."; `min` never toasts).
    What it stops is in the history and the badge all the same."""

    def __init__(self, policy: Sink, dnd: DoNotDisturb, *, min_priority: Priority = Priority.LOW) -> None:
        self.policy = policy
        self.dnd = dnd
        self.min_priority = min_priority
        dnd.set_summary_sink(policy)

    def push(self, notification: ReceivedNotification) -> None:
        if not toasts_for(notification.priority, self.min_priority):
            return
        self.dnd.check(always=False)
        if self.dnd.holds(notification):
            self.dnd.hold(notification)
        else:
            self.policy.push(notification)

    def push_notice(
        self, title: str, message: str, *, style: str = "warning", timeout: float | None = None, hint: str = ""
    ) -> int:
        return self.policy.push_notice(title, message, style=style, timeout=timeout, hint=hint)

    def withdraw(self, notification_ids: Collection[int]) -> None:
        self.policy.withdraw(notification_ids)


def toasts_for(priority: Priority, minimum: Priority) -> bool:
    """Whether a notification of `priority` pops a toast when toasts start at `minimum`: `min` never does."""
    return priority is not Priority.MIN and priority.level >= minimum.level
