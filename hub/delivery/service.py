"""`Delivery`: the hub's delivery parts built and ordered; no sockets here.

The parts talk to clients through an `Outbox` (the Socket.IO layer in production, a recorder in unit
tests) and to disk through a `Store`. Callers use the parts themselves (`sender`, `rooms`, `roster`,
`replay`, `cursors`, `presence`, `maintenance`); this class builds them, with a cluster's
`Extension` or without, starts and stops them in order, and handles a client's arrival and leaving.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from hub.auth import hash_token
from hub.config import HubConfig
from hub.delivery.answers import Answers
from hub.delivery.cursors import Cursors
from hub.delivery.edits import Edits
from hub.delivery.fanout import Fanout
from hub.delivery.jobs import BackgroundJobs
from hub.delivery.limits import MembershipLimits, ReadLimits, SendLimits
from hub.delivery.maintenance import Maintenance
from hub.delivery.pipeline import LocalOutlet, Pipeline
from hub.delivery.ports import Extension, Outbox, Outlet, PresenceNews
from hub.delivery.presence import LocalPresenceNews, Presence
from hub.delivery.presence_batches import PresenceBatches
from hub.delivery.reads import Reads
from hub.delivery.replay import Replay
from hub.delivery.rooms import RoomCache, Rooms
from hub.delivery.roster import Roster
from hub.delivery.scheduler import Scheduler
from hub.delivery.sending import Sender
from hub.delivery.sessions import Session
from hub.delivery.users import UserCache
from hub.errors import Forbidden, HubError, Unauthorized
from hub.metrics import NoMetrics
from hub.protocol import MAX_MESSAGE_BYTES, MAX_TITLE_CHARS, Event, OpenIdentity, TokenAuth
from hub.ratelimit import Buckets, LocalBuckets
from hub.store import Store, TokenKind
from hub.validation import validate

log = logging.getLogger(__name__)


class Delivery:
    def __init__(
        self,
        config: HubConfig,
        store: Store,
        outbox: Outbox,
        *,
        metrics: NoMetrics | None = None,
        extension: Extension | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.store = store
        self.outbox = outbox
        self.metrics = NoMetrics() if metrics is None else metrics
        self.extension = extension
        self.jobs = BackgroundJobs()
        #: Every rate limit's buckets, for `Maintenance.forget_full_buckets`.
        self.all_buckets: list[Buckets] = []
        self.presence = Presence(None if extension is None else extension.remote_online)
        self.batches = PresenceBatches(self.presence, outbox, config.presence_interval_seconds)
        self.fanout = Fanout(self.presence, outbox, clock, self.batches)
        self.news: PresenceNews
        outlet: Outlet
        if extension is None:
            self.news = LocalPresenceNews(self.fanout)
            outlet = LocalOutlet(store, self.fanout, self.metrics)
        else:
            self.news = extension.presence_news(self.presence, self.fanout)
            outlet = extension.outlet(self.fanout, self.metrics)
        self.pipeline = Pipeline(outlet, config.commit_linger_ms / 1000)
        self.users = UserCache(store, clock)
        self.room_cache = RoomCache(store.get_room, clock)
        send_buckets = self.buckets("", config.rate_burst, config.rate_refill_per_second, what="rate limit")
        self.send_limits = SendLimits(send_buckets, self.metrics)
        burst, refill = config.membership_burst, config.membership_refill_per_second
        self.membership_limits = MembershipLimits(self.buckets("membership:", burst, refill, what="membership limit"))
        self.sender = Sender(config, store, self.users, self.room_cache, self.send_limits, self.pipeline)
        self.rooms = Rooms(config, store, self.room_cache, self.membership_limits, self.sender)
        self.roster = Roster(config, store, self.presence)
        self.answers = Answers(store, self.users, self.send_limits, self.sender)
        self.edits = Edits(store, self.users, self.send_limits, self.sender)
        read_buckets = self.buckets("read:", config.read_burst, config.read_refill_per_second, what="read limit")
        self.reads = Reads(store, self.users, ReadLimits(read_buckets), self.sender)
        self.fanout.noted = self.reads.noted
        parts = (self.users, self.room_cache, self.send_limits, self.sender)
        self.scheduler = Scheduler(config, store, *parts, clustered=extension is not None)
        self.edits.add_pending(self.scheduler.retracted)
        self.cursors = Cursors(config, store, self.presence, clock, self.fanout.handed_out)
        self.replay = Replay(store, outbox, self.cursors, clock)
        self.maintenance = Maintenance(config, store, self.presence, outbox, self.metrics, self.all_buckets)

    def buckets(self, prefix: str, burst: int, refill: float, *, what: str) -> Buckets:
        """Token buckets for a limit: in this process, or shared by a cluster's hubs (keys under
        `prefix`, this process's while they cannot be reached). `what` names the limit in logs."""
        local = LocalBuckets(burst, refill)
        made = local if self.extension is None else self.extension.buckets(prefix, burst, refill, local, what=what)
        self.all_buckets.append(made)
        return made

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        if self.extension is not None:
            await self.extension.start(self.jobs)
        await self.maintenance.start()
        await self.users.prime()
        self.pipeline.start(self.jobs)
        self.jobs.spawn(self.scheduler.run(), "scheduler")
        self.jobs.spawn(self.batches.run(), "presence-batches")
        self.jobs.every(1.0, self.cursors.flush, "cursor-flush")
        self.jobs.every(self.config.revocation_poll_seconds, self.maintenance.check_revocations, "revocations")
        self.jobs.every(3600.0, self.maintenance.prune, "retention", first_now=True)
        self.jobs.every(60.0, self.maintenance.forget_full_buckets, "buckets")

    async def stop(self) -> None:
        """Finish what was accepted, then stop background work and save cursors."""
        if self.extension is not None:
            await self.extension.settle()
        await self.pipeline.drain()
        await self.jobs.stop()
        await self.users.close()
        await self.cursors.flush()
        if self.extension is not None:
            await self.extension.close()

    # ------------------------------------------------------------------ clients coming and going

    async def connect(self, sid: str, auth: Any) -> Session | None:
        """Authenticate a connecting client. None: open mode and the client will `authenticate` later."""
        if isinstance(auth, dict) and "token" in auth:
            parsed = validate(TokenAuth, auth, prefix="invalid auth: ", oversize_is_invalid=True)
            found = await self.store.token_by_hash(hash_token(parsed.token))
            if found is None:
                raise Unauthorized("this device token is not valid (unknown or revoked): sign in again")
            token, user = found
            if token.kind is not TokenKind.DEVICE:
                raise Forbidden("a send-only token cannot receive notifications")
            return Session(
                sid=sid,
                user=user,
                device=f"token:{token.id}",
                token_id=token.id,
                acking=parsed.last_id is not None,
                resume_from=parsed.last_id,
                batched=parsed.presence == "batched",
                listed=_listed(parsed),
            )
        if not self.config.open:
            raise Unauthorized("authentication required: connect with auth={'token': ...}")
        if isinstance(auth, dict) and auth:
            return await self.claim(
                sid, validate(OpenIdentity, auth, prefix="invalid auth: ", oversize_is_invalid=True)
            )
        return None

    async def claim(self, sid: str, identity: OpenIdentity) -> Session:
        """Open mode: a client names itself (the seed guide's `authenticate {userId, username}`)."""
        user = await self.store.ensure_user(identity.user_id)
        return Session(
            sid=sid,
            user=user,
            device=f"open:{user.name}",
            token_id=None,
            acking=False,
            claimed=True,
            batched=identity.presence == "batched",
            listed=_listed(identity),
        )

    async def activate(self, session: Session) -> None:
        """The session is authenticated: greet it, announce presence, replay what it missed, go live."""
        if session.closed:
            return  # it left before we got to it
        if self.presence.add(session):
            await self.news.came_online(session.user)
        unread = await self.reads.unread(session.user)
        await self.outbox.emit(session.sid, Event.WELCOME, {**self.welcome(session), **unread})
        if session.batched and not session.listed:
            self.batches.arrived(session)  # everyone online comes in its first `presence` event
        await self.replay.catch_up(session, session.resume_from)
        if session.resume_from is not None and not session.closed:
            await self._resumed(session, session.resume_from)

    async def _resumed(self, session: Session, last_id: int) -> None:
        """`last_id` at connect is an ack of everything up to it: the device's cursor moves there,
        and the senders who asked for a receipt of what it covers since the last ack learn it."""
        try:
            before = await self.store.cursor(session.device, session.user.id)
        except HubError as exc:
            log.warning("could not read the cursor of %s's device: %s", session.user.name, exc.message)
            return
        upto = min(last_id, session.last_sent)
        before = max(before, self.cursors.last_saved(session.device))
        if upto > before:
            self.cursors.advance(session, upto)
            await self.reads.acked(session, before, upto)

    def welcome(self, session: Session) -> dict[str, Any]:
        return {
            "message": f"Welcome to lan-notify, {session.user.name}!",
            "user": {"name": session.user.name, "admin": session.admin},
            **({"online": self.presence.online_names()} if session.listed else {}),
            "limits": {
                "message_bytes": MAX_MESSAGE_BYTES,
                "title_chars": MAX_TITLE_CHARS,
                "rate_burst": self.config.rate_burst,
                "rate_refill_per_second": self.config.rate_refill_per_second,
            },
        }

    async def disconnected(self, session: Session, *, clean: bool = False) -> None:
        """The client is gone. `clean`: it said goodbye itself, so it had read what it was sent."""
        session.closed = True  # before anything else: an activation still running stops
        self.cursors.left(session, clean=clean)
        removed, went_offline = self.presence.remove(session.sid)
        if removed is None:
            return
        if went_offline:
            await self.news.went_offline(session.user)


def _listed(auth: TokenAuth | OpenIdentity) -> bool:
    """Whether the client's `welcome` carries who is online: as it asked, else unless it asked for batches."""
    return auth.presence != "batched" if auth.online is None else auth.online
