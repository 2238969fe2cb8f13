"""What each piece of the hub's work costs per direct notification, measured alone.

    python -m bench.pieces                 # pin it with `taskset -c 0` for steadier figures
    python -m bench.pieces --number 1000   # fewer repetitions: a smoke run (what the test runs)

Five tables. The first times the pieces of the event loop's work for one notification, each on its
own (timeit, best of 7): validation, the rate limit, the draft, the model, the payload, encoding,
metrics, the future the sender was answered from. The second, the pieces the path has had since a
batch is its unit: metrics counted per batch, the answer that takes the future's place (with its ack
encoded), the checks that skip work for a plain send. The third times the store's work for batches of
10, 50 and 500 direct notifications: the hub's `SqliteStore.add` against the floor's one-row insert
(bench/peers/floor/server.py), on the same file system (`--dir`), CPU time of the writing thread.
The fourth, what one store call costs each thread beyond its own work: handing it to the store's
thread and the answer back, on the hub's event loop (uvloop), paid by every group commit. The fifth,
the pipeline's own hand-offs per batch (`Pipeline` and `LocalOutlet`: the dispatcher woken by
`BatchQueue.take`, the batch put on the deliverer's queue, the deliverer woken): a batch through the
real pipeline with a store that answers at once and a fan-out that does nothing, less the same
queue, store call and hand-out called directly in one task (with one task step, as the timing task
is woken once a batch there); the collector off, as the hub's raised thresholds mostly keep it.
(`python -m bench.store_layout` compares ways of laying out the store's tables.)

Measured alone, the pieces run with warm caches; in the running hub each costs more. The sum says
how much of the hub's cost over the floor is its own work rather than its layers.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import shutil
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from bench.handout import Answered
from bench.peers.floor import server as floor_store
from bench.threads import store_thread_clock
from hub.delivery import Actor, Presence, Session
from hub.delivery.sending import Sender
from hub.delivery.sessions import HandOuts
from hub.metrics import HubMetrics
from hub.protocol import Kind, Notification, NotificationType, SendNotification
from hub.ratelimit import TokenBuckets
from hub.schedule import wants_schedule
from hub.server import loop_factory
from hub.store.base import NewNotification, Stored, User
from hub.store.sqlite import SqliteStore
from hub.timeutil import utc_now_iso
from hub.transport.frames import encode_ack, encode_event
from hub.transport.send_answers import SendAnswer
from hub.validation import parse_event

#: What the bench's load generator sends, as the hub reads it off the wire (after Engine.IO's "4").
PACKET = '2["send_notification",{"userId":"u17","message":"bench|d0|123|4567.890","type":"message"}]'
STAMP = "2026-12-02T00:00:00.000Z"


def best_us(fn: Callable[[], Any], number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=7)) / number * 1e6


Piece = tuple[str, Callable[[], Any]]
#: A piece timed per call, its cost divided by how many notifications one call handles.
Shared = tuple[str, Callable[[], Any], int]


def event_loop_pieces(loop: asyncio.AbstractEventLoop) -> tuple[list[Piece], list[Shared]]:
    """The pieces of today's path (summed), and the pieces the path is made of since it works
    in batches and answers without futures (listed apart, with what they replace)."""
    args = tuple(orjson.loads(PACKET[1:])[1:])
    payload = parse_event(SendNotification, args)
    buckets = TokenBuckets(1_000_000, 1_000_000.0)
    note = Notification(
        id=1, kind=Kind.DIRECT, type=payload.type, title="", message=payload.message, sender="sender0", timestamp=STAMP
    )
    data = note.wire()
    presence = Presence()
    session = Session(user=User(id=18, name="u17", admin=False, has_password=False), sid="s", device="d", syncing=False)
    presence.add(session)
    handed_out = HandOuts()
    metrics = HubMetrics(lambda: presence)
    item = Stored(note, (18,))

    def draft() -> NewNotification:
        return NewNotification(
            kind=Kind.DIRECT,
            type=payload.type,
            title=payload.title,
            message=payload.message,
            sender="sender0",
            timestamp=utc_now_iso(),
            to_user_id=18,
        )

    def future() -> None:
        answered: asyncio.Future[int] = loop.create_future()
        answered.add_done_callback(lambda _: None)
        answered.set_result(1)

    acks: list[list[Any]] = []

    def ack(eio_sid: str, ack_id: int, args: list[Any]) -> None:
        encode_ack(ack_id, args).frames  # noqa: B018 - what a connection writes
        acks.clear()

    def refuse(sid: str, exc: BaseException, wants_ack: bool) -> dict[str, Any]:
        return {}

    def answer() -> None:
        SendAnswer("s", "e", 7, ack, refuse).set_result(item)

    def unacked() -> None:
        SendAnswer("s", "e", None, ack, refuse).set_result(item)

    actor = Actor(session.user)

    def sender_draft() -> NewNotification:
        return Sender.new(actor, Kind.DIRECT, payload.type, payload.title, payload.message, to_user_id=18)

    batch = [item] * 50

    def metrics_batch() -> None:
        metrics.dispatched_batch(batch, presence)

    return [
        ("JSON of the packet (orjson)", lambda: orjson.loads(PACKET[1:])),
        ("validation (pydantic SendNotification)", lambda: parse_event(SendNotification, args)),
        ("per-user rate limit (token bucket)", lambda: buckets.take("sender0")),
        ("draft, with its timestamp", draft),
        ("the payload dict (Notification.wire)", note.wire),
        ("encoded and framed once (orjson, websocket frame)", lambda: encode_event("notification", data)),
        ("metrics (HubMetrics.dispatched)", lambda: metrics.dispatched(item, presence)),
        ("when it was handed out (HandOuts.note)", lambda: handed_out.note(time.monotonic(), 1)),
        ("the future the sender is answered from", future),
    ], [
        ("metrics, per notification of a batch of 50 (HubMetrics.dispatched_batch)", metrics_batch, 50),
        ("the sender's answer, ack encoded and framed (SendAnswer)", answer, 1),
        ("the sender's answer, no ack asked: the bench's load (SendAnswer)", unacked, 1),
        ("draft, with its timestamp (Sender.new, positional)", sender_draft, 1),
        ("the rich fields of a plain send (SendNotification.rich_wire)", payload.rich_wire, 1),
        ("is it a scheduled send? (wants_schedule)", lambda: wants_schedule(args[0]), 1),
    ]


async def store_per_notification(folder: Path, batch: int, batches: int) -> tuple[float, float]:
    """Thread CPU µs per notification: the hub's store, then the floor's insert, same batches. As
    in `bench.run`, each notification is from one random user to another, as the hub stores a send."""
    rng = random.Random(1)
    store = SqliteStore(folder / "hub.db")
    await store.open()
    try:
        users = [await store.create_user(f"u{i}", None, admin=False) for i in range(1000)]
        drafts = [
            [
                NewNotification(
                    kind=Kind.DIRECT,
                    type=NotificationType.MESSAGE,
                    title="",
                    message=f"bench|d|{i}|123.456",
                    sender=sender.name,
                    timestamp=STAMP,
                    to_user_id=users[rng.randrange(len(users))].id,
                    sender_id=sender.id,
                )
                for i, sender in enumerate(rng.choices(users, k=batch))
            ]
            for _ in range(batches)
        ]
        # The CPU time of the store's own thread (it does nothing else meanwhile).
        clock = store_thread_clock()
        started = time.clock_gettime(clock)
        for one in drafts:
            await store.add(one)
        spent = time.clock_gettime(clock) - started
    finally:
        await store.close()
    hub = spent / (batch * batches) * 1e6

    db = floor_store.open_store(folder / "floor.db")
    rows: list[list[floor_store.Row]] = [
        [(f"u{rng.randrange(1000)}", "sender0", "message", f"bench|d|{i}|123.456", STAMP) for i in range(batch)]
        for _ in range(batches)
    ]
    started = time.thread_time()
    for chunk in rows:
        floor_store.store(db, chunk)
    floor = (time.thread_time() - started) / (batch * batches) * 1e6
    db.close()
    return hub, floor


async def store_call_handoff(folder: Path, calls: int) -> tuple[float, float]:
    """CPU µs per store call that does nothing (`SqliteStore.check`), on the event loop's thread and
    on the store's: what handing a call to the store's thread and its answer back costs, paid once
    per group commit and per every other store call."""
    store = SqliteStore(folder / "hub.db")
    await store.open()
    try:
        for _ in range(min(calls, 200)):  # warm: the thread is running, the statement prepared
            await store.check()
        clock = store_thread_clock()
        loop_started, store_started = time.thread_time(), time.clock_gettime(clock)
        for _ in range(calls):
            await store.check()
        on_loop, on_store = time.thread_time() - loop_started, time.clock_gettime(clock) - store_started
    finally:
        await store.close()
    return on_loop / calls * 1e6, on_store / calls * 1e6


class _Instant:
    """A store that answers at once, and a fan-out that reaches nobody: the pipeline's own work alone."""

    presence = None

    async def add(self, drafts: Any) -> Any:
        return drafts

    async def deliver(self, item: Any) -> tuple[int, int]:
        return 0, 0


async def pipeline_handoffs(batch: int, batches: int) -> tuple[float, float]:
    """Event loop CPU µs per batch of `batch`: through the pipeline's two tasks and queues, and the
    same hand-out called directly (no task, no queue)."""
    from hub.delivery.batch_queue import BatchQueue
    from hub.delivery.jobs import BackgroundJobs
    from hub.delivery.pipeline import BATCH_MAX, LocalOutlet, Pipeline
    from hub.metrics import NoMetrics

    instant = _Instant()
    outlet = LocalOutlet(instant, instant, NoMetrics())  # type: ignore[arg-type]
    pipeline = Pipeline(outlet)
    jobs = BackgroundJobs()
    pipeline.start(jobs)
    draft: Any = object()

    async def through() -> None:
        waiters = [Answered() for _ in range(batch)]
        for waiter in waiters:
            pipeline.offer(draft, waiter)
        await pipeline._queue.join()  # stored and handed to the deliverer...
        await outlet.drain()  # ...and handed out

    async def direct() -> None:  # the same work, from the same kind of queue, in this task
        queue: BatchQueue[Any] = BatchQueue()
        for waiter in [Answered() for _ in range(batch)]:
            queue.put((draft, waiter))
        taken = await queue.take(BATCH_MAX)
        stored = await instant.add([d for d, _ in taken])
        await outlet._hand_out([w for _, w in taken], stored)
        queue.finished(len(taken))
        await asyncio.sleep(0)  # the one task step `through` spends waking this task at its join

    figures = []
    gc.disable()
    try:
        for run in (through, direct):
            for _ in range(min(batches, 50)):  # warm
                await run()
            started = time.thread_time()
            for _ in range(batches):
                await run()
            figures.append((time.thread_time() - started) / batches * 1e6)
    finally:
        gc.enable()
        await jobs.stop()
    return figures[0], figures[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pieces", description=__doc__.split("\n\n")[0])
    parser.add_argument("--number", type=int, default=100_000, help="calls per timing (default 100,000)")
    parser.add_argument(
        "--batches",
        type=int,
        default=300,
        help="store batches of 50 (default 300); as many notifications in batches of 10 and of 500",
    )
    parser.add_argument("--dir", type=Path, help="where the store files go (default: a temporary directory)")
    args = parser.parse_args(argv)

    print("| event loop's work, per notification | µs |\n| --- | ---: |")
    total = 0.0
    loop = asyncio.new_event_loop()  # for the futures; it never runs
    try:
        pieces, shared = event_loop_pieces(loop)
        for label, fn in pieces:
            cost = best_us(fn, args.number)
            total += cost
            print(f"| {label} | {cost:.2f} |")
        print(f"| in all | {total:.2f} |")
        print("\n| the batched path's pieces, per notification | µs |\n| --- | ---: |")
        for label, fn, per in shared:
            print(f"| {label} | {best_us(fn, max(1, args.number // per)) / per:.2f} |")
    finally:
        loop.close()

    print("\n| store, batch of | hub (SqliteStore.add) µs | floor (one row) µs |\n| ---: | ---: | ---: |")
    for batch in (10, 50, 500):
        folder = Path(tempfile.mkdtemp(prefix="lan-notify-pieces-", dir=args.dir))
        try:
            hub, floor = asyncio.run(store_per_notification(folder, batch, max(1, args.batches * 50 // batch)))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        print(f"| {batch} | {hub:.1f} | {floor:.1f} |")

    # The hub's loop (uvloop where installed), as `notify-hub serve` runs it; pinned to one CPU,
    # the two threads share it as they do under the bench.
    folder = Path(tempfile.mkdtemp(prefix="lan-notify-pieces-", dir=args.dir))
    try:
        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            on_loop, on_store = runner.run(store_call_handoff(folder, max(100, args.number // 30)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("\n| a store call, handed over and answered | event loop µs | store's thread µs |\n| --- | ---: | ---: |")
    print(f"| a call that does nothing (SqliteStore.check) | {on_loop:.1f} | {on_store:.1f} |")

    print(
        "\n| the pipeline's hand-offs, batch of | through the pipeline µs a batch | the hand-out alone µs a batch"
        " | hand-offs µs a batch | a notification |\n| ---: | ---: | ---: | ---: | ---: |"
    )
    for batch in (1, 30, 200, 1000):
        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            through, alone = runner.run(pipeline_handoffs(batch, max(50, args.number // 10 // batch)))
        print(f"| {batch} | {through:.1f} | {alone:.1f} | {through - alone:.1f} | {(through - alone) / batch:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
