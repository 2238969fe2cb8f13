"""A cluster's outlet: each stored batch goes to every hub, this one included, through the `Chain`."""

from __future__ import annotations

from collections.abc import Sequence

from hub.cluster.bus import ClusterBus
from hub.cluster.chain import Chain, Link
from hub.delivery import Presence
from hub.delivery.pipeline import settle
from hub.delivery.ports import Waiter
from hub.metrics import NoMetrics
from hub.store.base import NewNotification, Stored
from hub.store.postgres import PostgresStore


class ClusterOutlet:
    """Stores in PostgreSQL, offers the batch to this hub's chain and publishes it to the others. The
    sender's `ok` means "stored in PostgreSQL"; every hub delivers from its chain (`Chain.run`)."""

    def __init__(
        self, store: PostgresStore, chain: Chain, bus: ClusterBus, metrics: NoMetrics, presence: Presence
    ) -> None:
        self._store = store
        self._chain = chain
        self._bus = bus
        self._metrics = metrics
        self._presence = presence

    async def store(self, drafts: Sequence[NewNotification]) -> Sequence[Stored]:
        return (await self._store.add_batch(drafts)).items

    async def committed(self, stored: Sequence[Stored], waiting: Sequence[Waiter]) -> None:
        # `add_batch` gives a batch the ids after the head, one per draft: (prev, head].
        link = Link(stored[0].notification.id - 1, stored[-1].notification.id, tuple(stored))
        self._chain.offer(link)
        await self._bus.publish(
            {
                "type": "batch",
                "prev": link.prev,
                "head": link.head,
                "items": [[s.notification.model_dump(mode="json"), list(s.recipients)] for s in link.items],
            }
        )
        self._metrics.dispatched_batch(stored, self._presence)  # counted by the hub that stored it
        for waiter, item in zip(waiting, stored, strict=True):
            settle(waiter, item)

    async def run(self) -> None:
        """Nothing of its own: the chain delivers (`ClusterNode` runs it)."""

    async def drain(self) -> None:
        """Nothing waits here: a batch is offered to the chain as it is committed."""
