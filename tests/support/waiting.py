"""Waiting on events, never on the clock, and a clock a test moves by hand.

    changes = Changes()             # a recorder calls changes.poke() whenever what it records changes
    await changes.until(lambda: len(seen) == 3)   # returns once true; fails after WAIT seconds

`until` checks its condition at once and again after each poke, on the event loop's thread; a poke from
a callback, a task or a Qt signal handler on that loop wakes it. Nothing is missed between a check and
the wait: both happen without giving control back to the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

#: Seconds a test waits for an event before it fails (the one value every test and helper uses).
WAIT = 10.0


class Changes:
    def __init__(self) -> None:
        self._changed = asyncio.Event()

    def poke(self) -> None:
        """Something changed: a waiting `until` checks its condition again."""
        self._changed.set()

    async def until(self, predicate: Callable[[], bool], timeout: float = WAIT) -> None:
        """Return once `predicate()` is true; raise `TimeoutError` if it is not within `timeout` seconds."""

        async def wait() -> None:
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(wait(), timeout)

    async def reached(self, predicate: Callable[[], bool], timeout: float = WAIT) -> bool:
        """`until`, for a wait whose shortfall is counted rather than failed: False once `timeout` passes."""
        try:
            await self.until(predicate, timeout)
        except TimeoutError:
            return False
        return True


class FakeClock:
    """A monotonic clock (seconds) the test moves by hand: pass it where the code takes `clock=time.monotonic`."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
