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

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: T) -> None:
        self._items.append(item)
        self._unfinished += 1
        waiter = self._waiter
        if waiter is not None:
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
