"""Whether this hub reaches Redis, as its presence and limits last found: logged once per change."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

log = logging.getLogger(__name__)

#: What a Redis call raises when Redis cannot be reached (or answers too late).
REDIS_DOWN = (RedisError, OSError, TimeoutError)


class RedisHealth:
    def __init__(self) -> None:
        self.ok = True

    def failed(self, what: str, exc: BaseException) -> None:
        if self.ok:
            log.warning("Redis unreachable (%s: %s): this hub falls back to local state until it returns", what, exc)
        self.ok = False

    def back(self) -> None:
        if not self.ok:
            log.info("Redis is back")
        self.ok = True
