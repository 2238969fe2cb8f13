"""Read marks in the fault run: a user marks notifications read from one device (some ids, or all up
to an id) while the faults go on, retrying a mark until the hub confirms it, as a client does after
a lost answer; the checker then asks that the user's devices agree on which of the notifications
they show are read, and that this is what the store holds."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from hub.store import SqliteStore
from tests.support.peers import NotSent, Peer


class Marker:
    """Marks read from `device` until stopped; then once more (ids), confirmed."""

    def __init__(self, device: Peer, prng: random.Random) -> None:
        self.device = device
        self.prng = prng
        self.confirmed = 0
        self.attempts = 0
        self._pending: dict[str, Any] | None = None

    def _next_mark(self) -> dict[str, Any] | None:
        seen = sorted({s.id for s in self.device.seen})
        if not seen:
            return None
        if self.prng.random() < 0.7:
            return {"ids": self.prng.sample(seen, min(len(seen), self.prng.randint(1, 5)))}
        return {"all": True, "upto": seen[len(seen) // 3]}  # not everything: some stay unread

    async def mark_once(self) -> bool:
        """Send the pending mark (or a new one); True once the hub confirmed it."""
        mark = self._pending or self._next_mark()
        if mark is None:
            return False
        self._pending = mark
        self.attempts += 1
        try:
            await self.device.send("mark_read", mark)
        except NotSent:
            return False
        self._pending = None
        self.confirmed += 1
        return True

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            if self.device.up.is_set():
                await self.mark_once()
            await asyncio.sleep(self.prng.uniform(0.05, 0.3))  # workload pacing, not synchronisation

    async def finish(self) -> None:
        """The mark under way, then a last one of some ids, each retried until confirmed (bounded)."""
        for _ in range(2 if self._pending is not None else 1):
            for _ in range(100):
                await asyncio.wait_for(self.device.up.wait(), 30)
                if await self.mark_once():
                    break
                await asyncio.sleep(0.1)  # the hub may be restarting


def disagreement(devices: list[Peer]) -> dict[str, list[int]]:
    """Per device, the ids it shows read that another device of the user shows unread; empty when
    they agree. Only what every device shows now counts: a version of a key that one device got and
    another never did (an update replaced it, or a retraction withdrew it, while that one was away)
    is read on the first and absent on the other, and a user sees no difference."""
    common = set.intersection(*(d.showing() for d in devices))
    read = [d.read_set() & common for d in devices]
    everywhere = set.intersection(*read)
    apart = {f"{d.name}#{i}": sorted(read[i] - everywhere) for i, d in enumerate(devices)}
    return {device: ids for device, ids in apart.items() if ids}


def agreeing(devices: list[Peer]) -> bool:
    """Every device of the user shows the same notifications read (of those they all show)."""
    return not disagreement(devices)


async def diverging(store: SqliteStore, name: str, devices: list[Peer], keyed: set[str]) -> int:
    """How many of the user's devices show a read set other than the store's (over what they show).
    Keyed notifications (texts in `keyed`) are left out: a later version or a retraction deletes them
    from the store, so "all up to" marks them on a device and not in the store."""
    user = await store.get_user(name)
    assert user is not None
    shown = sorted({s.id for d in devices for s in d.seen if s.message not in keyed})
    stored = await store.reads.read_among(user.id, shown)
    return sum(1 for d in devices if d.read_set() & set(shown) != stored)
