"""Per-key token buckets (in the spirit of ntfy: a burst, then a steady refill)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float


class TokenBuckets:
    """`take(key)` returns 0 when allowed, else the seconds to wait before one more is allowed."""

    def __init__(
        self,
        burst: int,
        refill_per_second: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        max_keys: int = 10_000,
    ) -> None:
        self.burst = burst
        self.refill = refill_per_second
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str, cost: float = 1.0) -> float:
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self.forget_full()  # keys that come and go (names, addresses) must not pile up
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        else:
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.stamp) * self.refill)
            bucket.stamp = now
        if bucket.tokens >= cost:
            bucket.tokens -= cost
            return 0.0
        return (cost - bucket.tokens) / self.refill

    def forget_full(self) -> None:
        """Drop buckets that have refilled completely (they carry no state); keeps memory bounded."""
        now = self._clock()
        full = [key for key, b in self._buckets.items() if b.tokens + (now - b.stamp) * self.refill >= self.burst]
        for key in full:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


class Buckets(Protocol):
    """Token buckets by key, wherever they are kept (this process, or Redis for a cluster)."""

    async def take(self, key: str) -> float:
        """0 when allowed, else the seconds to wait before one more is allowed."""
        ...

    def forget_full(self) -> None:
        """Drop what carries no state any more, so memory stays bounded however many keys are tried."""
        ...


class LocalBuckets:
    """`Buckets` in this process's memory (`TokenBuckets`)."""

    def __init__(self, burst: int, refill_per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.buckets = TokenBuckets(burst, refill_per_second, clock)

    async def take(self, key: str) -> float:
        return self.buckets.take(key)

    def forget_full(self) -> None:
        self.buckets.forget_full()

    def __len__(self) -> int:
        return len(self.buckets)
