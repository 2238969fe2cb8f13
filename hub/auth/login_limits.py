"""Sign-in attempts (`POST /api/login`) limited per client address and per user name."""

from __future__ import annotations

from collections.abc import Sequence

from hub.auth.proxies import Network
from hub.errors import SignInThrottled
from hub.ratelimit import Buckets

#: Sign-in attempts: a burst of 10 per user name and per address, then one every 5 s.
LOGIN_BURST = 10
LOGIN_REFILL_PER_SECOND = 0.2


class LoginLimits:
    """One bucket per address and one per user name (in this process, or shared through Redis)."""

    def __init__(self, buckets: Buckets, trusted_proxies: Sequence[Network]) -> None:
        self.buckets = buckets
        #: Whose X-Forwarded-For names the client (`trusted_proxies`).
        self.trusted_proxies = trusted_proxies

    async def check(self, username: str, address: str) -> None:
        """Refuse a sign-in attempt past the budget of its address or of its user name. The address
        first: a client past its limit adds no bucket for each new user name it tries."""
        wait = await self.buckets.take("addr:" + address)
        if wait <= 0:
            wait = await self.buckets.take("user:" + username)
        if wait > 0:
            raise SignInThrottled(wait)
