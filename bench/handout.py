"""What the hub does between a broadcast's commit and its first write, measured alone.

    taskset -c 0 python -m bench.handout                  # N = 5,000 and 10,000
    taskset -c 0 python -m bench.handout --n 1000 --reps 20   # a smoke run (what the test runs)

`LocalOutlet`'s hand-out of one stored batch, as the deliverer runs it after a commit: `Fanout`
over the live sessions (real `Presence` and `Session`s), the frame queued for each of them (an
outbox that keeps the sids, as the transport's queue does before the end of the loop turn), the
senders settled and the metrics counted (`HubMetrics`). Figures: wall time of one hand-out, best
and median of `--reps`, on one thread with nothing else running (warm caches: the running hub, with
5,000 connections' buffers between two broadcasts, spends several times as much per recipient).

- a broadcast to everyone at each N: N users online with one device each, and `--offline` more
  users (recipients too) with no device;
- the same broadcast with half of the N users offline (recipients, no device);
- direct notifications, per notification of a batch of 50, each to one online user.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from hub.delivery import Presence, Session
from hub.delivery.fanout import Fanout
from hub.delivery.pipeline import LocalOutlet
from hub.delivery.presence_batches import PresenceBatches
from hub.metrics import HubMetrics
from hub.protocol import Kind, Notification, NotificationType
from hub.store.base import Stored, User

STAMP = "2026-12-02T00:00:00.000Z"


class QueueingOutbox:
    """Keeps what it is given, as the transport queues a frame per connection until the turn ends."""

    def __init__(self) -> None:
        self.queued = 0

    async def emit(self, sid: str, event: str, data: Any) -> None:
        self.queued += 1

    async def emit_many(self, sids: list[str], event: str, data: Any) -> None:
        self.queued += len(sids)

    async def disconnect(self, sid: str) -> None:
        return None

    async def drain(self, sid: str) -> None:
        return None


class Answered:
    """A sender's waiter that is settled and forgotten (a Socket.IO send's answer, without its write)."""

    __slots__ = ("settled",)

    def __init__(self) -> None:
        self.settled = False

    def done(self) -> bool:
        return self.settled

    def set_result(self, result: Stored, /) -> None:
        self.settled = True

    def set_exception(self, exception: BaseException, /) -> None:
        self.settled = True


def hub_with(online: int, offline: int) -> tuple[LocalOutlet, QueueingOutbox, tuple[int, ...]]:
    """A hand-out with `online` users connected (one device each) and `offline` more users; every
    user's id, ascending (what the store gives a notification to everyone as its recipients)."""
    presence = Presence()
    for user_id in range(1, online + 1):
        user = User(id=user_id, name=f"u{user_id}", admin=False, has_password=False)
        presence.add(Session(user=user, sid=f"s{user_id}", device=f"d{user_id}", syncing=False))
    outbox = QueueingOutbox()
    fanout = Fanout(presence, outbox, time.monotonic, PresenceBatches(presence, outbox, 1.0))
    metrics = HubMetrics(lambda: presence)
    everyone = tuple(range(1, online + offline + 1))
    return LocalOutlet(None, fanout, metrics), outbox, everyone  # type: ignore[arg-type]  # never stores


def note(nid: int, kind: Kind) -> Notification:
    return Notification(
        id=nid, kind=kind, type=NotificationType.MESSAGE, title="", message="m", sender="admin", timestamp=STAMP
    )


def time_hand_outs(outlet: LocalOutlet, batches: Sequence[Callable[[], list[Stored]]]) -> list[float]:
    """Seconds each batch's hand-out took (each batch made just before, untimed)."""

    async def run() -> list[float]:
        spent = []
        hand_out = outlet._hand_out
        for make in batches:
            batch = make()
            waiting = [Answered() for _ in batch]
            started = time.perf_counter()
            await hand_out(waiting, batch)
            spent.append(time.perf_counter() - started)
        return spent

    return asyncio.run(run())


def broadcast_ms(online: int, offline: int, reps: int) -> tuple[float, float, float]:
    """Best and median ms of one broadcast's hand-out, and the frames it queued (one per device)."""
    outlet, outbox, everyone = hub_with(online, offline)

    def batch(nid: int) -> Callable[[], list[Stored]]:
        # As the store gives it: a tuple of every user's id of the batch's own (list(): not the same object).
        return lambda: [Stored(note(nid, Kind.EVERYONE), tuple(list(everyone)))]

    spent = time_hand_outs(outlet, [batch(i) for i in range(1, reps + 1)])
    return min(spent) * 1e3, statistics.median(spent) * 1e3, outbox.queued / reps


def direct_us(users: int, reps: int, batch: int = 50) -> tuple[float, float]:
    outlet, _, _ = hub_with(users, 0)
    made = [
        [Stored(note(r * batch + i + 1, Kind.DIRECT), ((r * 7 + i) % users + 1,)) for i in range(batch)]
        for r in range(reps)
    ]
    batches = [lambda one=one: one for one in made]
    spent = time_hand_outs(outlet, batches)
    return min(spent) / batch * 1e6, statistics.median(spent) / batch * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.handout", description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, action="append", help="live users (default 5,000 and 10,000)")
    parser.add_argument("--offline", type=int, default=5, help="users with no device, recipients too (default 5)")
    parser.add_argument("--reps", type=int, default=200, help="hand-outs timed per figure (default 200)")
    args = parser.parse_args(argv)
    print("| hand-out of one stored batch | best | median | frames queued |\n| --- | ---: | ---: | ---: |")
    for n in args.n or [5_000, 10_000]:
        for online, offline in ((n, args.offline), (n // 2, n - n // 2)):
            best, median, frames = broadcast_ms(online, offline, args.reps)
            label = f"broadcast to everyone, {online:,} online + {offline:,} offline (ms)"
            print(f"| {label} | {best:.3f} | {median:.3f} | {frames:,.0f} |")
    best, median = direct_us(1_000, args.reps * 5)
    print(f"| direct, per notification of a batch of 50 (µs) | {best:.2f} | {median:.2f} | 1 |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
