"""What delivery needs from around it: a way out to clients (`Outbox`), a place that stores and hands
on each batch (`Outlet`), news of presence (`PresenceNews`), and the seam a cluster plugs into
(`Extension`). No sockets and no Redis here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from hub.ratelimit import Buckets
from hub.store import NewNotification, Stored, User

if TYPE_CHECKING:
    from hub.delivery.fanout import Fanout
    from hub.delivery.jobs import BackgroundJobs
    from hub.delivery.presence import Presence
    from hub.metrics import NoMetrics as Metrics


class Outbox(Protocol):
    """Frames to connected clients, by sid (the Socket.IO layer; a recorder in unit tests)."""

    async def emit(self, sid: str, event: str, data: Any) -> None: ...
    async def emit_many(self, sids: list[str], event: str, data: Any) -> None: ...
    async def disconnect(self, sid: str) -> None: ...
    async def drain(self, sid: str) -> None:
        """Wait until the client has read most of what it was sent."""


class Waiter(Protocol):
    """What waits for one queued draft: an `asyncio.Future`, or anything settled the same way (a
    Socket.IO send's answer, written to its connection as it is settled: no future, callback or
    loop turn per notification). Settled once; a second settlement is ignored by the pipeline,
    which asks `done()` first."""

    def done(self) -> bool: ...
    def set_result(self, result: Stored, /) -> None: ...
    def set_exception(self, exception: BaseException, /) -> None: ...


class Outlet(Protocol):
    """The pipeline's second half: stores each batch in one transaction, then hands what was stored on
    to the recipients and settles the senders' waiters (an `ok` always means "stored")."""

    async def store(self, drafts: Sequence[NewNotification]) -> Sequence[Stored]:
        """Store drafts in one transaction; durable when this returns. Raises, storing nothing, on failure."""
        ...

    async def committed(self, stored: Sequence[Stored], waiting: Sequence[Waiter]) -> None:
        """Hand a stored batch on; each of `waiting` resolves once its notification is handed out."""
        ...

    async def run(self) -> None:
        """Background work of its own, if any (cancelled at stop)."""
        ...

    async def drain(self) -> None:
        """Wait until every batch passed to `committed` is handed out."""
        ...


class PresenceNews(Protocol):
    """What is told, and to whom, when a user's first device connects or their last one leaves."""

    async def came_online(self, user: User) -> None: ...
    async def went_offline(self, user: User) -> None: ...


class Extension(Protocol):
    """What several hubs sharing a store add to one hub's delivery (`hub.cluster.ClusterNode`)."""

    @property
    def remote_online(self) -> Mapping[int, str]:
        """Users online on other hubs, by id (the `Presence`'s remote view)."""
        ...

    def outlet(self, fanout: Fanout, metrics: Metrics) -> Outlet: ...
    def presence_news(self, presence: Presence, fanout: Fanout) -> PresenceNews: ...
    def buckets(self, prefix: str, burst: int, refill: float, fallback: Buckets, *, what: str) -> Buckets:
        """Buckets shared by every hub (keys under `prefix`), `fallback` while they cannot be reached."""
        ...

    async def start(self, jobs: BackgroundJobs) -> None: ...
    async def settle(self) -> None:
        """Let what is under way reach the other hubs (bounded) before this one stops."""
        ...

    async def close(self) -> None: ...
