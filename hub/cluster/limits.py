"""Rate limits shared by every hub: one token bucket per key in Redis, this hub's own while Redis is away."""

from __future__ import annotations

from hub.cluster.health import REDIS_DOWN, RedisHealth
from hub.cluster.redis_state import RedisState
from hub.ratelimit import Buckets


class RedisBuckets:
    """`Buckets` in Redis under `prefix` (sends: `rate:<user>`; sign-ins: `rate:login:addr:<address>` and
    `rate:login:user:<user>`; room joins and leaves: `rate:membership:<user>`). `what` names the limit
    in the log when Redis cannot be reached and `fallback` decides meanwhile."""

    def __init__(
        self,
        state: RedisState,
        prefix: str,
        burst: int,
        refill: float,
        fallback: Buckets,
        health: RedisHealth,
        *,
        what: str,
    ) -> None:
        self._state = state
        self._prefix = prefix
        self._burst = burst
        self._refill = refill
        self._fallback = fallback
        self._health = health
        self._what = what

    async def take(self, key: str) -> float:
        try:
            wait = await self._state.take(self._prefix + key, self._burst, self._refill)
        except REDIS_DOWN as exc:
            self._health.failed(self._what, exc)
            return await self._fallback.take(key)
        self._health.back()
        return wait

    def forget_full(self) -> None:
        self._fallback.forget_full()
