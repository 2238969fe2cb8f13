"""A queue that hands out what waits in batches: what the dispatcher takes the sends from.

`asyncio.Queue` costs a few calls per item on each side (`put_nowait`, `get_nowait`, `task_done`,
the wake-up bookkeeping): several microseconds per notification, a large share of what the whole of
a direct notification may cost. Here a put is an append, and a take is one slice of up to `most`
items.
"""

from __future__ import annotations

import asyncio
from typing import Generic, TypeVar

T = TypeVar("T")


class BatchQueue(Generic[T]):
    """Items in the order put, taken in batches by one consumer, which says when it has finished each."""

    def __init__(self) -> None:
        self._items: list[T] = []
        self._waiter: asyncio.Future[None] | None = None
        #: Put and not yet finished (waiting, or taken and being handled).
        self._unfinished = 0
        self._idle: asyncio.Future[None] | None = None
        #: How many items must wait before a put wakes the consumer (1, or more while it lingers).
        self._wake_at = 1
        #: The consumer waits in `more` (which `hurry` cuts short).
        self._lingering = False

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: T) -> None:
        self._items.append(item)
        self._unfinished += 1
        waiter = self._waiter
        if waiter is not None and len(self._items) >= self._wake_at:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    async def take(self, most: int) -> list[T]:
        """Up to `most` items, oldest first; waits for one if there are none."""
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        batch = self._items[:most]
        del self._items[:most]
        return batch

    async def more(self, want: int, most: int, seconds: float) -> list[T]:
        """What waits once `want` items do, or `seconds` have passed (perhaps nothing), up to
        `most`: for a consumer that would rather take a bigger batch a moment later."""
        if len(self._items) < want:
            loop = asyncio.get_running_loop()
            waiter = self._waiter = loop.create_future()
            self._wake_at = want
            self._lingering = True
            timer = loop.call_later(seconds, _wake, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                self._waiter = None
                self._wake_at = 1
                self._lingering = False
        batch = self._items[:most]
        del self._items[:most]
        return batch

    def hurry(self) -> None:
        """A consumer waiting in `more` takes what waits now."""
        waiter = self._waiter
        if waiter is not None and self._lingering:
            self._waiter = None
            _wake(waiter)

    def finished(self, count: int) -> None:
        """`count` taken items are handled."""
        self._unfinished -= count
        if self._unfinished <= 0 and self._idle is not None:
            idle, self._idle = self._idle, None
            if not idle.done():
                idle.set_result(None)

    async def join(self) -> None:
        """Wait until everything put has been taken and handled."""
        while self._unfinished > 0:
            if self._idle is None:
                self._idle = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._idle)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
