"""The one ordered pipeline every accepted send goes through, in two stages.

The dispatcher (`Pipeline`) takes what senders queued, in the order they queued it, and stores it
in batches of up to BATCH_MAX in one transaction (group commit) through an `Outlet`. On one hub that
is `LocalOutlet`: a deliverer task hands each stored notification to the live sessions of its
recipients in id order and only then resolves the sender's future, so an `ok` always means "stored".
The dispatcher commits the next batch while the deliverer hands out the one before. A cluster's
outlet (`hub.cluster.outlet.ClusterOutlet`) hands each batch to every hub instead.

While sends keep coming, a small batch waits for more to store in the same commit: every commit
costs the store's thread ~0.2 ms of CPU (the WAL write, `fdatasync`, waking threads) and the event
loop a hand-out, whatever its size, and at a few thousand sends a second each commit would otherwise
carry a handful. It waits in slices of LINGER_GAP and goes on only while each slice brings more: it
stops once the batch holds LINGER_BELOW, once `linger` seconds (`commit_linger_ms`) have passed, or
after a slice that brought nothing (the senders stopped, or wait for the answers this commit will
give them); after LINGER_MISSES lingers in a row that gathered nothing it commits at once for
LINGER_RETRY. A send after a quiet moment is stored at once, a batch that starts with a send to
everyone never waits, and a stop cuts the wait short.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from hub.delivery.batch_queue import BatchQueue
from hub.delivery.fanout import Fanout, Reach
from hub.delivery.jobs import BackgroundJobs
from hub.delivery.ports import Outlet, Waiter
from hub.errors import RequestError, Unavailable
from hub.metrics import NoMetrics
from hub.store import NewNotification, Store, Stored
from hub.store.base import TO_EVERYONE
from hub.store.schedule import ScheduleGone

log = logging.getLogger(__name__)

BATCH_MAX = 1024
#: A batch smaller than this may wait (`linger`) for more...
LINGER_BELOW = 512
#: ...when its first send came less than this many seconds after the last batch was handed on...
LINGER_RECENT = 0.010
#: ...in slices of this many seconds, for as long as each brings more. A sender that waits for its
#: answer sends nothing until this batch is committed: the slice brings nothing, and it loses it (2 ms
#: in effect: the event loop's timers are whole milliseconds). A slice of 1 ms would lose half that,
#: but a stream paced by a 1 ms timer often arrives just after such a slice ends, and then each commit
#: carries half as many or fewer.
LINGER_GAP = 0.0015
#: After this many lingers in a row that gathered nothing (the senders wait for their answers: a
#: closed loop), batches are committed at once for LINGER_RETRY seconds; then they linger again to see
#: whether it pays. One is not enough: a stream that arrives in bursts leaves some lingers empty.
LINGER_MISSES = 3
LINGER_RETRY = 0.1

Waiting = tuple[NewNotification, Waiter]


class Pipeline:
    """Drafts in, stored in order, handed to the outlet; each sender's future says how it went."""

    def __init__(self, outlet: Outlet, linger: float = 0.0) -> None:
        self.outlet = outlet
        #: Seconds a small batch may wait for more while sends keep coming (0: never).
        self.linger = linger
        self.closing = False
        self.running = False
        self._queue: BatchQueue[Waiting] = BatchQueue()
        #: When the last batch was handed on.
        self._ended = float("-inf")
        #: Lingers in a row that gathered nothing, and until when batches do not linger after LINGER_MISSES.
        self._misses = 0
        self._no_linger_until = float("-inf")

    def enqueue(self, draft: NewNotification) -> asyncio.Future[Stored]:
        """Queue a draft; the future resolves once it is stored and handed out (or fails)."""
        future: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self.offer(draft, future)
        return future

    def offer(self, draft: NewNotification, waiter: Waiter) -> None:
        """Queue a draft; `waiter` is settled once it is stored and handed out (or fails)."""
        if self.closing:
            raise Unavailable("the hub is shutting down; try again in a moment")
        self._queue.put((draft, waiter))

    def start(self, jobs: BackgroundJobs) -> None:
        jobs.spawn(self._run(), "dispatcher")
        jobs.spawn(self.outlet.run(), "deliverer")
        self.running = True

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = await self._queue.take(BATCH_MAX)
            if self._may_linger(batch, loop.time()):
                try:
                    await self._linger(batch)
                except asyncio.CancelledError:  # stopped before this batch was stored: its senders hear so
                    _fail_all(batch, Unavailable("the hub is shutting down; try again in a moment"))
                    self._queue.finished(len(batch))
                    raise
            try:
                await self._commit(batch)
            except Exception:  # the dispatcher must outlive any one batch
                log.exception("dispatching a batch failed")
                _fail_all(batch, RequestError("the notification could not be stored"))
            finally:
                self._queue.finished(len(batch))
                self._ended = loop.time()

    def _may_linger(self, batch: list[Waiting], now: float) -> bool:
        """Whether `batch` waits for more: it is small, sends keep coming, lingering has not stopped
        paying, and it does not start with a send to everyone (whose hand-out to every connection
        outweighs its commit, and whose sender may have several in flight waiting on it)."""
        if len(batch) >= LINGER_BELOW or self.linger <= 0 or self.closing or batch[0][0].kind in TO_EVERYONE:
            return False
        if now - self._ended >= LINGER_RECENT:  # after a quiet moment: stored at once, and misses forgotten
            self._misses = 0
            return False
        return now >= self._no_linger_until

    async def _linger(self, batch: list[Waiting]) -> None:
        """Add to `batch` a slice at a time, until it holds LINGER_BELOW, `linger` seconds pass, a slice
        brings nothing, or the pipeline is closing; count a linger that gathered nothing."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.linger
        size = len(batch)
        while len(batch) < LINGER_BELOW and not self.closing:
            left = deadline - loop.time()
            if left <= 0:
                break
            more = await self._queue.more(LINGER_BELOW - len(batch), BATCH_MAX - len(batch), min(LINGER_GAP, left))
            if not more:  # quiet for a whole slice: nothing more is coming soon
                break
            batch += more
        if len(batch) > size:
            self._misses = 0
        else:
            self._misses += 1
            if self._misses >= LINGER_MISSES:
                self._misses = 0
                self._no_linger_until = loop.time() + LINGER_RETRY

    async def _commit(self, batch: list[Waiting]) -> None:
        # A sender that gave up (disconnected) still gets its notification stored: it may have
        # been told nothing, but the recipient must not miss what was accepted.
        try:
            stored = await self.outlet.store([d for d, _ in batch])
        except Unavailable as exc:
            _fail_all(batch, exc)
            return
        except Exception as exc:
            if len(batch) > 1:  # one bad draft (e.g. its recipient was just deleted) fails alone
                for one in batch:
                    await self._commit([one])
                return
            # A refusal is the sender's to hear; a schedule another hub delivered is no fault.
            if not isinstance(exc, RequestError | ScheduleGone):
                log.error("could not store a notification from %s", batch[0][0].sender, exc_info=exc)
            _fail_all(
                batch, exc if isinstance(exc, RequestError) else RequestError("the notification could not be stored")
            )
            return
        await self.outlet.committed(stored, [f for _, f in batch])

    async def drain(self) -> None:
        """Refuse new sends; wait until every accepted one is stored and handed out."""
        self.closing = True
        self._queue.hurry()
        if self.running:
            await self._queue.join()
            await self.outlet.drain()


class LocalOutlet:
    """One hub: the store, then a deliverer task that hands each stored batch out in id order.

    One stored batch waits at most: while hand-out lags, the dispatcher waits and the next batch
    grows, instead of memory."""

    def __init__(self, store: Store, fanout: Fanout, metrics: NoMetrics) -> None:
        self._store = store
        self._fanout = fanout
        self._metrics = metrics
        self._stored: asyncio.Queue[tuple[Sequence[Waiter], Sequence[Stored]]] = asyncio.Queue(maxsize=1)

    async def store(self, drafts: Sequence[NewNotification]) -> Sequence[Stored]:
        return await self._store.add(drafts)

    async def committed(self, stored: Sequence[Stored], waiting: Sequence[Waiter]) -> None:
        await self._stored.put((waiting, stored))

    async def run(self) -> None:
        """The deliverer."""
        while True:
            waiting, stored = await self._stored.get()
            try:
                await self._hand_out(waiting, stored)
            except Exception:  # the deliverer must outlive any one batch; what was stored stays stored
                log.exception("delivering a batch failed; recipients get it on their next sync")
                for waiter, item in zip(waiting, stored, strict=True):
                    settle(waiter, item)
            finally:
                self._stored.task_done()

    async def _hand_out(self, waiting: Sequence[Waiter], stored: Sequence[Stored]) -> None:
        deliver = self._fanout.deliver
        reached: list[Reach] = []
        found = reached.append
        for waiter, item in zip(waiting, stored, strict=True):
            try:
                found(await deliver(item))
            except Exception:
                log.exception(
                    "delivering notification %d failed; recipients get it on their next sync", item.notification.id
                )
                found(self._fanout.presence.reach(item.recipients))  # counted all the same
            settle(waiter, item)
        self._metrics.handed_out(stored, reached)  # counted once per batch, from what the hand-out found

    async def drain(self) -> None:
        await self._stored.join()


def settle(waiter: Waiter, item: Stored) -> None:
    """Tell the sender its notification is stored and handed out, unless it was told already. A
    Socket.IO send's answer writes to its connection here: its failure is its own, not the batch's."""
    if waiter.done():
        return
    try:
        waiter.set_result(item)
    except Exception:
        log.exception("answering the sender of notification %d failed", item.notification.id)


def _fail_all(batch: list[Waiting], exc: BaseException) -> None:
    for _, waiter in batch:
        if waiter.done():
            continue
        try:
            waiter.set_exception(exc)
        except Exception:  # the dispatcher calls this from its own failure path: it must not die of it
            log.exception("telling a sender its notification failed, failed")
