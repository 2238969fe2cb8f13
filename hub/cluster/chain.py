"""Ordered, exactly-once delivery of every hub's batches on this hub, with gaps filled from the store.

The shared store gives ids in commit order and each committed batch covers ids `(prev, head]`, so
the batches of all hubs form one chain. Each hub applies the chain in order: its own batches and
those published by the others. A link that is not there when it should be (Redis dropped it, or a
hub died between its commit and its publish) is read from the store after a short wait; an idle hub
also asks the store for its head now and then, to notice lost links at the end of the chain. So
Redis only makes delivery fast: correctness comes from the store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from hub.store.base import Stored

log = logging.getLogger(__name__)

#: How long a link may be missing while later ones wait, before it is read from the store.
GAP_WAIT = 0.25
#: How often an idle hub compares its position with the store's head.
POLL = 1.0
PAGE = 500


@dataclass(frozen=True, slots=True)
class Link:
    prev: int
    head: int
    items: tuple[Stored, ...]


class ChainStore(Protocol):
    async def head(self) -> int: ...
    async def stored_between(self, after_id: int, upto_id: int, limit: int) -> list[Stored]: ...


class Chain:
    def __init__(
        self,
        applied: int,
        store: ChainStore,
        deliver: Callable[[Stored], Awaitable[object]],
        *,
        gap_wait: float = GAP_WAIT,
        poll: float = POLL,
    ) -> None:
        self.applied = applied
        self.store = store
        self.deliver = deliver
        self.gap_wait = gap_wait
        self.poll = poll
        #: How many notifications were read from the store rather than received (for logs and tests).
        self.recovered = 0
        self._waiting: dict[int, Link] = {}
        self._arrived = asyncio.Event()

    def offer(self, link: Link) -> None:
        if link.head > self.applied:
            self._waiting[link.prev] = link
            self._arrived.set()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        gap_since: float | None = None
        while True:
            self._arrived.clear()
            await self._apply_ready()
            if self._waiting:
                gap_since = gap_since if gap_since is not None else loop.time()
                timeout = max(0.0, gap_since + self.gap_wait - loop.time())
            else:
                gap_since = None
                timeout = self.poll
            try:
                await asyncio.wait_for(self._arrived.wait(), timeout)
                continue
            except TimeoutError:
                pass
            try:
                await self.catch_up()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("cannot read missed notifications from the store yet: %s", exc)
            gap_since = None

    async def _apply_ready(self) -> None:
        while True:
            for prev in [p for p, link in self._waiting.items() if link.head <= self.applied]:
                del self._waiting[prev]
            link = self._waiting.pop(self.applied, None)
            if link is None:
                link = next((lk for lk in self._waiting.values() if lk.prev < self.applied < lk.head), None)
                if link is None:
                    return
                del self._waiting[link.prev]
            for item in link.items:
                if item.notification.id > self.applied:
                    await self._deliver(item)
            self.applied = max(self.applied, link.head)

    async def catch_up(self) -> None:
        """Read from the store what is missing: up to the next link waiting here, or to the store's head."""
        waiting = [link.prev for link in self._waiting.values() if link.prev > self.applied]
        head = min(waiting) if waiting else await self.store.head()
        while self.applied < head:
            page = await self.store.stored_between(self.applied, head, PAGE)
            for item in page:
                await self._deliver(item)
                self.recovered += 1
            if page:
                log.info("delivered %d notifications read from the store (missed on Redis)", len(page))
            self.applied = page[-1].notification.id if len(page) == PAGE else head

    async def _deliver(self, item: Stored) -> None:
        try:
            await self.deliver(item)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception(
                "delivering notification %d failed; its recipients get it on their next sync", item.notification.id
            )
