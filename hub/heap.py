"""The cyclic garbage collector in `notify-hub serve`: the long-lived heap frozen out of it, and its
full (generation 2) collections timed.

A full collection walks every object the collector tracks. At 10,000 connections that is the hub's
whole heap, over a million objects (each connection's session, websocket, reader task and buffers):
tens of milliseconds during which no client is served, at a moment the hub does not choose.
`gc.freeze()` moves every tracked object into a permanent generation that collections skip. Frozen
objects are still freed by reference counting when the last reference goes; only a frozen object in
a reference cycle outlives its last use until the heap is unfrozen.

So the hub freezes:

- after start-up (modules, the app, the store), collecting first: they live as long as the process,
  and no client waits yet;
- after a connect wave (a restart's reconnect storm, the morning's logins): once the number of
  connections has moved by `WAVE` or a quarter since the last freeze and then held still for one
  check (`CHECK_SECONDS`), it freezes what is there without collecting first. `gc.freeze()` itself
  costs next to nothing; a collection first would walk the whole wave (150-300 ms measured after a
  wave of 1,000 on this loaded machine), a pause of the hub's own making. What cyclic garbage
  happens to exist at that moment is frozen with the rest: bounded by the collector's thresholds,
  and given back at the next leave wave.

A connection that closes leaves cycles behind (57 unreachable objects each, measured after 1,000
left); frozen, only a collection after `gc.unfreeze()` gives them back. So once as many connections
have closed since the last freeze as a wave takes (a wave of leaving, or the churn of devices that
reconnect), and none has closed for a check (a connection still being torn down is not garbage
yet: collected then, it would be frozen again; measured: 0 found when 5,000 of 10,000 had left
and the rest were leaving) or four times as many have closed, the hub unfreezes, collects once
and freezes again: one deliberate full collection per that many
departures (138 ms after 1,000 left, on this loaded machine), and no memory that is never given back.

`GenTwoPauses` times every full collection (`gc.callbacks`), the collector's own apart from those
before a freeze; `serve` logs their count, sum and longest when it stops, and the bench reads that line.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable
from typing import Any, Final

log = logging.getLogger(__name__)

#: Generation 0 collected every 10,000 allocations net (the default 700 ran it thousands of times a
#: second under load); generations 1 and 2 at their defaults' ratios.
GC_THRESHOLDS: Final = (10_000, 20, 50)
#: A connect (or leave) wave: at least this many connections more (or fewer) than at the last freeze.
WAVE: Final = 256
CHECK_SECONDS: Final = 2.0


class GenTwoPauses:
    """Times full collections through `gc.callbacks`: those the collector chose (`count`, `total` and
    `longest`, in seconds) apart from the hub's own before each freeze (`freezes`, `freeze_longest`)."""

    def __init__(self) -> None:
        self.count = 0
        self.total = 0.0
        self.longest = 0.0
        self.freezes = 0
        self.freeze_longest = 0.0
        #: Set while the hub collects before a freeze.
        self.planned = False
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
            return
        took = time.perf_counter() - self._started
        if self.planned:
            self.freezes += 1
            self.freeze_longest = max(self.freeze_longest, took)
            return
        self.count += 1
        self.total += took
        self.longest = max(self.longest, took)

    def install(self) -> None:
        gc.callbacks.append(self)

    def remove(self) -> None:
        if self in gc.callbacks:
            gc.callbacks.remove(self)

    def summary(self) -> str:
        return (
            f"collector: {self.count} full collections, {self.total * 1000:.1f} ms in all, "
            f"longest {self.longest * 1000:.1f} ms; "
            f"{self.freezes} freezes, longest {self.freeze_longest * 1000:.1f} ms; "
            f"{gc.get_freeze_count()} objects frozen"
        )


class HeapKeeper:
    """Freezes the heap after start-up and after each connect wave (see the module's docstring)."""

    def __init__(self, connections: Callable[[], int], departures: Callable[[], int]) -> None:
        """`connections`: how many there are; `departures`: how many have closed since the start."""
        self._connections = connections
        self._departures = departures
        self._frozen_at = 0
        self._departed_at = 0
        self._last = 0
        self._last_departures = 0
        self.pauses = GenTwoPauses()

    def start(self) -> None:
        """After start-up: collect, freeze what is left, collect generation 0 less often."""
        self.pauses.install()
        self.freeze(collect=True)
        gc.set_threshold(*GC_THRESHOLDS)
        log.debug("gc: froze %d start-up objects; thresholds %s", gc.get_freeze_count(), GC_THRESHOLDS)

    def freeze(self, *, collect: bool) -> int:
        """Freeze the heap, collecting first if asked; how many unreachable objects that collection found."""
        found = 0
        if collect:
            self.pauses.planned = True
            try:
                found = gc.collect()
            finally:
                self.pauses.planned = False
        gc.freeze()
        self._frozen_at = self._last = self._connections()
        self._departed_at = self._departures()
        return found

    def check(self) -> bool:
        """One check: freeze if a wave has come (or gone) and settled. True when it froze."""
        now = self._connections()
        settled, self._last = now == self._last, now
        wave = max(WAVE, self._frozen_at // 4)
        departed = self._departures()
        # Collected only once the departures have stopped for a check: the objects of a connection
        # still being torn down are not garbage yet, and would be frozen again with the rest.
        departures_settled, self._last_departures = departed == self._last_departures, departed
        left = departed - self._departed_at
        leaving = left >= wave and (departures_settled or left >= 4 * wave)
        if not leaving and not (settled and now - self._frozen_at >= wave):
            return False
        if leaving:
            gc.unfreeze()  # what the departed held in cycles is collected before freezing again
        started = time.perf_counter()
        found = self.freeze(collect=leaving)
        log.info(
            "gc: %d connections after a wave %s: froze the heap in %.1f ms",
            now,
            f"leaving (collected {found} unreachable objects first)" if leaving else "arriving",
            (time.perf_counter() - started) * 1000,
        )
        return True

    async def run(self) -> None:
        while True:
            await asyncio.sleep(CHECK_SECONDS)
            self.check()

    def stop(self) -> None:
        self.pauses.remove()
        log.info("%s", self.pauses.summary())
