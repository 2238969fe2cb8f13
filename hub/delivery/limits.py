"""Per-user limits on what costs the hub: sends, room joins and leaves, and read marks."""

from __future__ import annotations

from hub.delivery.sessions import Actor
from hub.errors import MembershipRateLimited, RateLimited, ReadRateLimited
from hub.metrics import NoMetrics
from hub.ratelimit import Buckets, LocalBuckets


class SendLimits:
    """Each user's sends, over one bucket per user name (`rate_burst`, `rate_refill_per_second`)."""

    def __init__(self, buckets: Buckets, metrics: NoMetrics) -> None:
        self.buckets = buckets
        self._metrics = metrics

    async def check(self, actor: Actor) -> None:
        self._verdict(actor, await self.buckets.take(actor.user.name))

    def check_now(self, actor: Actor) -> bool:
        """`check` without waiting, for buckets in this process: True when allowed, False when the
        buckets are kept elsewhere (a cluster's, in Redis: call `check`). Refused: `RateLimited`."""
        buckets = self.buckets
        if not isinstance(buckets, LocalBuckets):
            return False
        wait = buckets.buckets.take(actor.user.name)
        if wait > 0:
            self._verdict(actor, wait)
        return True

    def _verdict(self, actor: Actor, wait: float) -> None:
        if wait > 0:
            self._metrics.rate_limited(actor)
            raise RateLimited(wait)


class _OwnBucket:
    """A limit over the user's own bucket for one kind of request, apart from the sends'."""

    #: What a request past the limit raises (with the seconds to wait).
    refused: type[RateLimited] = RateLimited

    def __init__(self, buckets: Buckets) -> None:
        self.buckets = buckets

    async def check(self, actor: Actor) -> None:
        wait = await self.buckets.take(actor.user.name)
        if wait > 0:
            raise self.refused(wait)


class MembershipLimits(_OwnBucket):
    """Room joins and leaves: each one is a write, and each join tells every member of the room
    (`membership_burst`, `membership_refill_per_second`)."""

    refused = MembershipRateLimited


class ReadLimits(_OwnBucket):
    """Read marks and `seen` reports (`read_burst`, `read_refill_per_second`): reading, however
    much, never holds back the user's sends."""

    refused = ReadRateLimited
