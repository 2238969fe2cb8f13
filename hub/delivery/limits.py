"""Per-user limits on what costs the hub: sends, room joins and leaves, and read marks."""

from __future__ import annotations

from hub.delivery.sessions import Actor
from hub.errors import MembershipRateLimited, RateLimited, ReadRateLimited
from hub.metrics import NoMetrics
from hub.ratelimit import Buckets


class SendLimits:
    """Each user's sends, over one bucket per user name (`rate_burst`, `rate_refill_per_second`)."""

    def __init__(self, buckets: Buckets, metrics: NoMetrics) -> None:
        self.buckets = buckets
        self._metrics = metrics

    async def check(self, actor: Actor) -> None:
        wait = await self.buckets.take(actor.user.name)
        if wait > 0:
            self._metrics.rate_limited(actor)
            raise RateLimited(wait)


class MembershipLimits:
    """Room joins and leaves, over the user's own bucket for them: each one is a write, and each join
    tells every member of the room (`membership_burst`, `membership_refill_per_second`)."""

    def __init__(self, buckets: Buckets) -> None:
        self.buckets = buckets

    async def check(self, actor: Actor) -> None:
        wait = await self.buckets.take(actor.user.name)
        if wait > 0:
            raise MembershipRateLimited(wait)


class ReadLimits:
    """Read marks and `seen` reports, over the user's own bucket for them (`read_burst`,
    `read_refill_per_second`): reading, however much, never holds back the user's sends."""

    def __init__(self, buckets: Buckets) -> None:
        self.buckets = buckets

    async def check(self, actor: Actor) -> None:
        wait = await self.buckets.take(actor.user.name)
        if wait > 0:
            raise ReadRateLimited(wait)
