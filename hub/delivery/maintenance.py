"""The hub's periodic upkeep: revoked tokens disconnected, retention, full rate-limit buckets let go."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from hub.config import HubConfig
from hub.delivery.ports import Outbox
from hub.delivery.presence import Presence
from hub.errors import Unauthorized
from hub.metrics import NoMetrics
from hub.protocol import Event, error_body
from hub.ratelimit import Buckets
from hub.store import Store
from hub.timeutil import utc_now_iso

log = logging.getLogger(__name__)


class Maintenance:
    def __init__(
        self,
        config: HubConfig,
        store: Store,
        presence: Presence,
        outbox: Outbox,
        metrics: NoMetrics,
        buckets: Sequence[Buckets],
    ) -> None:
        self._config = config
        self._store = store
        self._presence = presence
        self._outbox = outbox
        self._metrics = metrics
        #: Every rate limit's buckets (a list the hub appends to as it makes them).
        self._buckets = buckets
        self._revocation_seq = -1

    async def start(self) -> None:
        self._revocation_seq, _ = await self._store.revocations_after(-1)

    async def check_revocations(self) -> None:
        self._revocation_seq, revoked = await self._store.revocations_after(self._revocation_seq)
        for token_id in revoked:
            await self.kick_token(token_id)

    async def kick_token(self, token_id: int) -> None:
        """Disconnect every session signed in with the token (it was revoked)."""
        for sid in self._presence.of_token(token_id):
            log.info("disconnecting session %s: its token was revoked", sid)
            await self._outbox.emit(
                sid, Event.ERROR, error_body(Unauthorized.code, "this device's token was revoked: sign in again")
            )
            await self._outbox.disconnect(sid)

    async def prune(self) -> None:
        result = await self._store.prune(
            keep_days=self._config.retention_days, keep_count=self._config.retention_count, now=utc_now_iso()
        )
        self._metrics.pruned(result)
        if result.removed_deliveries:
            log.info(
                "retention removed %d deliveries and %d notifications",
                result.removed_deliveries,
                result.removed_notifications,
            )

    async def forget_full_buckets(self) -> None:
        """Drop rate-limit buckets that have refilled: memory stays bounded however many names are tried."""
        for buckets in self._buckets:
            buckets.forget_full()
