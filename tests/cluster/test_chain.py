"""The chain that orders every hub's batches on one hub: in order, once, gaps read from the store."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import pytest

from hub.cluster.chain import Chain, Link
from hub.protocol import Kind, Notification, NotificationType
from hub.store.base import Stored
from tests.support.waiting import WAIT, Changes


def stored(nid: int) -> Stored:
    note = Notification(
        id=nid,
        kind=Kind.DIRECT,
        type=NotificationType.INFO,
        title="",
        message=f"m{nid}",
        sender="alice",
        timestamp="2026-01-01T00:00:00.000Z",
    )
    return Stored(note, (1,))


def link(prev: int, head: int) -> Link:
    return Link(prev, head, tuple(stored(i) for i in range(prev + 1, head + 1)))


class FakeStore:
    def __init__(self, upto: int = 0) -> None:
        self.notes = {i: stored(i) for i in range(1, upto + 1)}

    async def head(self) -> int:
        return max(self.notes, default=0)

    async def stored_between(self, after_id: int, upto_id: int, limit: int) -> list[Stored]:
        return [self.notes[i] for i in sorted(self.notes) if after_id < i <= upto_id][:limit]


class Recorder:
    def __init__(self) -> None:
        self.ids: list[int] = []
        self.changes = Changes()

    async def deliver(self, item: Stored) -> None:
        self.ids.append(item.notification.id)
        self.changes.poke()

    async def until(self, done: Callable[[list[int]], bool]) -> list[int]:
        await self.changes.until(lambda: done(self.ids))
        return self.ids


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@contextlib.asynccontextmanager
async def running(chain: Chain) -> AsyncIterator[Chain]:
    task = asyncio.ensure_future(chain.run())
    try:
        yield chain
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_links_arriving_out_of_order_are_delivered_in_order_once(recorder: Recorder) -> None:
    chain = Chain(0, FakeStore(), recorder.deliver, gap_wait=WAIT, poll=WAIT)
    async with running(chain):
        chain.offer(link(3, 5))
        chain.offer(link(0, 3))
        chain.offer(link(0, 3))  # a duplicate publish
        chain.offer(link(5, 6))
        assert await recorder.until(lambda ids: len(ids) >= 6) == [1, 2, 3, 4, 5, 6]
    assert chain.recovered == 0


async def test_a_lost_link_is_read_from_the_store(recorder: Recorder) -> None:
    chain = Chain(0, FakeStore(upto=5), recorder.deliver, gap_wait=0.01, poll=WAIT)
    async with running(chain):
        chain.offer(link(3, 5))  # (0, 3] was never published
        assert await recorder.until(lambda ids: len(ids) >= 5) == [1, 2, 3, 4, 5]
    assert chain.recovered == 3


async def test_lost_links_at_the_end_are_found_by_the_idle_poll(recorder: Recorder) -> None:
    chain = Chain(0, FakeStore(upto=3), recorder.deliver, gap_wait=WAIT, poll=0.01)
    async with running(chain):
        assert await recorder.until(lambda ids: len(ids) >= 3) == [1, 2, 3]
        chain.offer(link(0, 3))  # late: already read from the store
        chain.offer(link(2, 4))  # overlaps what was read: only 4 is new
        assert await recorder.until(lambda ids: len(ids) >= 4) == [1, 2, 3, 4]


async def test_a_store_that_fails_is_retried(recorder: Recorder) -> None:
    store = FakeStore(upto=2)
    calls = 0
    real_head = store.head

    async def flaky_head() -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("database restarting")
        return await real_head()

    store.head = flaky_head  # type: ignore[method-assign]
    chain = Chain(0, store, recorder.deliver, gap_wait=WAIT, poll=0.01)
    async with running(chain):
        assert await recorder.until(lambda ids: len(ids) >= 2) == [1, 2]
