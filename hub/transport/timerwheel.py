"""One timer for many deadlines: the connections due a ping, the connections due to have signed in.

A timer per connection (`loop.call_later`) costs ~500 bytes per idle connection; here the deadlines
are grouped in ticks and one timer serves them all. A deadline fires at most one tick late, never
early.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T", bound=Hashable)


class TimerWheel(Generic[T]):
    """Items due after a delay; `fire(item)` is called once each is due, unless discarded first."""

    def __init__(self, tick: Callable[[], float], fire: Callable[[T], None], what: str) -> None:
        self._tick = tick  # seconds per tick, read each time (a setting may change before start)
        self._fire = fire
        self._what = what
        self._due: dict[T, int] = {}
        self._ticks: dict[int, dict[T, None]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0

    def add(self, item: T, delay: float) -> None:
        """Fire `item` once `delay` seconds have passed (again: the earlier deadline is replaced)."""
        due = math.ceil((asyncio.get_running_loop().time() + delay) / self._tick())
        self.discard(item)
        self._due[item] = due
        self._ticks.setdefault(due, {})[item] = None
        if self._timer is None or due < self._timer_at:
            if self._timer is not None:
                self._timer.cancel()
            self._set_timer(due)

    def discard(self, item: T) -> None:
        due = self._due.pop(item, None)
        if due is None:
            return
        bucket = self._ticks.get(due)
        if bucket is not None:
            bucket.pop(item, None)
            if not bucket:
                del self._ticks[due]

    def __contains__(self, item: object) -> bool:
        return item in self._due

    def __len__(self) -> int:
        return len(self._due)

    def clear(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._due.clear()
        self._ticks.clear()

    def _set_timer(self, due: int) -> None:
        # The tick is kept, not read back from the timer: qasync's handles have no `when()`.
        self._timer_at = due
        self._timer = asyncio.get_running_loop().call_at(due * self._tick(), self._turn)

    def _turn(self) -> None:
        """Fire every item due by the tick the timer was set for (whatever the clock says: a loop may
        run a timer a little early), then set the timer for the next tick that has items."""
        self._timer = None
        for due in sorted(d for d in self._ticks if d <= self._timer_at):
            for item in self._ticks.pop(due):
                del self._due[item]
                try:
                    self._fire(item)
                except Exception:  # the others due on this tick still fire
                    log.exception("%s failed for %r", self._what, item)
        if self._ticks:
            self._set_timer(min(self._ticks))
