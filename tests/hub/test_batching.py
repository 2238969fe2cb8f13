"""The dispatcher's queue: batches in the order put, a consumer that waits, and a join that waits for it."""

from __future__ import annotations

import asyncio

from hub.delivery.batch_queue import BatchQueue


async def one_turn() -> None:
    """Let the tasks just started run up to where they wait: one turn of the loop, not a timed sleep."""
    await asyncio.sleep(0)


async def test_batches_come_in_the_order_put_and_no_larger_than_asked() -> None:
    queue: BatchQueue[int] = BatchQueue()
    for i in range(5):
        queue.put(i)

    assert await queue.take(2) == [0, 1]
    assert await queue.take(10) == [2, 3, 4]
    assert len(queue) == 0


async def test_a_consumer_waits_for_the_next_put() -> None:
    queue: BatchQueue[str] = BatchQueue()
    taking = asyncio.ensure_future(queue.take(10))
    await one_turn()  # it waits: nothing is there yet
    assert not taking.done()

    queue.put("a")
    queue.put("b")

    assert await asyncio.wait_for(taking, 5) == ["a", "b"]


async def test_a_cancelled_consumer_loses_nothing() -> None:
    queue: BatchQueue[str] = BatchQueue()
    taking = asyncio.ensure_future(queue.take(10))
    await one_turn()
    taking.cancel()
    await asyncio.gather(taking, return_exceptions=True)

    queue.put("kept")

    assert await asyncio.wait_for(queue.take(10), 5) == ["kept"]


async def test_join_waits_until_everything_taken_is_finished() -> None:
    queue: BatchQueue[int] = BatchQueue()
    await asyncio.wait_for(queue.join(), 5)  # nothing put: at once
    queue.put(1)
    queue.put(2)
    joining = asyncio.ensure_future(queue.join())

    batch = await queue.take(10)
    await one_turn()
    assert not joining.done(), "taken is not finished"
    queue.finished(len(batch))

    await asyncio.wait_for(joining, 5)
