"""The dispatcher's queue: batches in the order put, a consumer that waits (or lingers for more), and a
join that waits for it."""

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


async def test_more_returns_as_soon_as_enough_wait_without_waiting_out_its_time() -> None:
    queue: BatchQueue[int] = BatchQueue()
    queue.put(1)
    more = asyncio.ensure_future(queue.more(3, 10, 60.0))
    await one_turn()
    queue.put(2)
    await one_turn()
    assert not more.done(), "two of the three wanted: it waits for the third"
    queue.put(3)
    queue.put(4)  # put in the same turn: taken too

    assert await asyncio.wait_for(more, 5) == [1, 2, 3, 4]


async def test_more_takes_what_there_is_once_its_time_is_up_or_it_is_hurried() -> None:
    queue: BatchQueue[int] = BatchQueue()
    queue.put(1)
    assert await asyncio.wait_for(queue.more(5, 10, 0.001), 5) == [1]  # fewer than wanted, after its time
    assert await asyncio.wait_for(queue.more(5, 10, 0.001), 5) == []

    queue.put(2)
    hurried = asyncio.ensure_future(queue.more(5, 10, 60.0))
    await one_turn()
    queue.hurry()
    assert await asyncio.wait_for(hurried, 5) == [2]
    queue.put(3)  # after a hurry, a put wakes a consumer that waits in `take` at once again
    assert await asyncio.wait_for(queue.take(10), 5) == [3]
