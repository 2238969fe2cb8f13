"""The hub's logic: who may do what, addressing, durable delivery, replay, presence, limits.

No sockets here: the service talks to clients through a `Transport` (the Socket.IO namespace in
production, a recorder in unit tests) and to disk through a `Store`.

Delivery is one ordered pipeline of two stages. `send_*` validate, authorise and rate-limit, then
hand a draft to the dispatcher, one task that stores a batch of drafts in one transaction (group
commit) and passes it on to the deliverer, one task that delivers each stored notification to the
live sessions of its recipients in id order and only then resolves the sender's future, so an `ok`
always means "stored". The dispatcher commits the next batch while the deliverer hands out the one
before. A session that is replaying what it missed parks live notifications in `pending` and flushes
those it has not already replayed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from hub.config import HEARTBEAT_TICKS, HubConfig
from hub.delivery.batch_queue import BatchQueue
from hub.delivery.rooms import RoomCache
from hub.delivery.sessions import Actor, Presence, Session
from hub.errors import (
    Forbidden,
    HubError,
    MembershipRateLimited,
    NotFound,
    RateLimited,
    SignInThrottled,
    Unauthorized,
    Unavailable,
)
from hub.metrics import NoMetrics
from hub.protocol import (
    DELIVERY_EVENT,
    MAX_MESSAGE_BYTES,
    MAX_TITLE_CHARS,
    Announce,
    Broadcast,
    Event,
    Kind,
    NotificationType,
    OpenIdentity,
    RoomMessage,
    RoomPage,
    RoomRef,
    SendNotification,
    TokenAuth,
    error_body,
)
from hub.ratelimit import TokenBuckets
from hub.security import hash_token, proxy_networks
from hub.store import Draft, Store, Stored, TokenKind, User
from hub.timeutil import utc_now_iso

log = logging.getLogger(__name__)

REPLAY_PAGE = 500
BATCH_MAX = 1024
#: How long a recipient looked up by name is trusted before the store is asked again, in the
#: background: the send does not wait for it. A user removed by the admin CLI meanwhile makes a send
#: fail as "could not be stored" instead of `not_found` until that answer is in.
USER_CACHE_SECONDS = 5.0
#: Sign-in attempts (`POST /api/login`): a burst of 10 per user name and per address, then one every 5 s.
LOGIN_BURST = 10
LOGIN_REFILL_PER_SECOND = 0.2


class Transport(Protocol):
    async def emit(self, sid: str, event: str, data: Any) -> None: ...
    async def emit_many(self, sids: list[str], event: str, data: Any) -> None: ...
    async def disconnect(self, sid: str) -> None: ...
    async def drain(self, sid: str) -> None:
        """Wait until the client has read most of what it was sent."""


class HubService:
    def __init__(
        self, config: HubConfig, store: Store, transport: Transport, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config
        self.clock = clock
        #: A connection that died can go unnoticed this long (the next ping, up to a tick of the
        #: ping wheel late, its timeout, and up to one more timeout for python-engineio's service
        #: task to look): what a client that never acks was sent within it is not taken as received
        #: (see `confirm_sent`).
        ping_late = config.ping_interval / HEARTBEAT_TICKS
        self.unnoticed_window = config.ping_interval + ping_late + 2 * config.ping_timeout + 1.0
        self.store = store
        self.transport = transport
        self.presence = Presence()
        self.metrics = NoMetrics()  # app.py installs HubMetrics
        self.send_limits = TokenBuckets(config.rate_burst, config.rate_refill_per_second)
        self.login_limits = TokenBuckets(LOGIN_BURST, LOGIN_REFILL_PER_SECOND)
        self.membership_limits = TokenBuckets(config.membership_burst, config.membership_refill_per_second)
        #: Whose X-Forwarded-For names the client (`trusted_proxies`).
        self.trusted_proxies = proxy_networks(config.trusted_proxies)
        self._queue: BatchQueue[tuple[Draft, asyncio.Future[Stored]]] = BatchQueue()
        #: BatchQueue stored, in id order, waiting for the deliverer. One at most: while hand-out lags,
        #: the dispatcher waits and the next batch grows, instead of memory.
        self._stored: asyncio.Queue[tuple[list[tuple[Draft, asyncio.Future[Stored]]], list[Stored]]] = asyncio.Queue(
            maxsize=1
        )
        self._device_cursors: dict[str, int] = {}
        self._dirty: dict[str, tuple[int, int]] = {}
        self._revocation_seq = -1
        self._users: dict[str, tuple[User, float]] = {}
        #: The background job looking the stale entries of `_users` up again (cancelled at stop).
        self._stale_job: asyncio.Future[None] | None = None
        self._rooms = RoomCache(store.get_room, clock)
        self._closing = False
        self._tasks: list[asyncio.Task[None]] = []

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self._revocation_seq, _ = await self.store.revocations_after(-1)
        # Every user known from the start: a first send to someone costs no store round trip, which
        # held that sender's next sends behind the store's commits (a LAN hub has hundreds of users,
        # ~100 bytes each).
        now = self.clock()
        self._users = {user.name: (user, now) for user in await self.store.list_users()}
        self._spawn(self._dispatch_loop(), "dispatcher")
        self._spawn(self._delivery_loop(), "deliverer")
        self._spawn(self._every(1.0, self.flush_cursors), "cursor-flush")
        self._spawn(self._every(self.config.revocation_poll_seconds, self.check_revocations), "revocations")
        self._spawn(self._every(3600.0, self.prune, first_now=True), "retention")
        self._spawn(self._every(60.0, self.forget_full_buckets), "buckets")

    def _spawn(self, coro: Awaitable[None], name: str) -> None:
        self._tasks.append(asyncio.ensure_future(coro))
        self._tasks[-1].set_name(f"hub-{name}")

    async def stop(self) -> None:
        """Finish what was accepted, then stop background work and save cursors."""
        await self._drain()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            # python-socketio swallows CancelledError inside event handlers, so a task cancelled
            # while it runs one (a revocation disconnecting a session) goes on: cancel it again.
            while not task.done():
                await asyncio.wait([task], timeout=0.5)
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._stale_job is not None:
            self._stale_job.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._stale_job
        await self.flush_cursors()

    async def _drain(self) -> None:
        self._closing = True
        if self._tasks:
            await self._queue.join()
            await self._stored.join()

    async def _every(self, seconds: float, job: Callable[[], Awaitable[Any]], *, first_now: bool = False) -> None:
        if not first_now:
            await asyncio.sleep(seconds)
        while True:
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background job %s failed; will retry", getattr(job, "__name__", job))
            await asyncio.sleep(seconds)

    # ------------------------------------------------------------------ connecting

    async def connect(self, sid: str, auth: Any) -> Session | None:
        """Authenticate a connecting client. None: open mode and the client will `authenticate` later."""
        if isinstance(auth, dict) and "token" in auth:
            parsed = TokenAuth.model_validate(auth)
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
            )
        if not self.config.open:
            raise Unauthorized("authentication required: connect with auth={'token': ...}")
        if isinstance(auth, dict) and auth:
            return await self.claim(sid, OpenIdentity.model_validate(auth))
        return None

    async def claim(self, sid: str, identity: OpenIdentity) -> Session:
        """Open mode: a client names itself (the seed guide's `authenticate {userId, username}`)."""
        user = await self.store.ensure_user(identity.user_id)
        return Session(sid=sid, user=user, device=f"open:{user.name}", token_id=None, acking=False, claimed=True)

    async def activate(self, session: Session) -> None:
        """The session is authenticated: greet it, announce presence, replay what it missed, go live."""
        if session.closed:
            return  # it left before we got to it
        came_online = self.presence.add(session)
        if came_online:
            await self._user_online(session.user)
        await self.transport.emit(session.sid, Event.WELCOME, self.welcome(session))
        await self._catch_up(session, session.resume_from)

    async def _catch_up(self, session: Session, since: int | None) -> None:
        """Replay from the store, then go live with no gap and no repeat.

        Live notifications that arrive meanwhile wait in `pending`; the session leaves syncing
        mode only when `pending` is empty, with no await in between, so a live delivery can never
        overtake one still waiting. If the store fails, the client is disconnected and replays on
        its next connect instead of silently missing anything.
        """
        session.syncing = True
        try:
            await self._replay(session, since)
            while session.pending and not session.closed:
                pending, session.pending = session.pending, []
                for event, data, nid in pending:
                    if nid > session.last_sent:
                        await self._send(session, event, data, nid)
        except HubError as exc:
            log.warning("replay for %s failed (%s); disconnecting it so it retries", session.user.name, exc.message)
            session.pending.clear()
            await self.transport.disconnect(session.sid)
        finally:
            session.syncing = False

    async def _replay(self, session: Session, since: int | None) -> None:
        if since is None:
            stored = await self.store.cursor(session.device, session.user.id)
            since = max(stored, self._device_cursors.get(session.device, 0))
        pruned = await self.store.pruned_upto(session.user.id)
        if since < pruned:
            await self.transport.emit(
                session.sid,
                Event.GAP,
                {
                    "since": since,
                    "upto": pruned,
                    "message": "some notifications were removed by retention before this device received them",
                },
            )
            since = pruned
        session.last_sent = max(session.last_sent, since)
        while True:
            page = await self.store.replay(session.user.id, since, REPLAY_PAGE)
            if session.closed:
                return
            for note in page:
                if note.id > session.last_sent:
                    await self._send(session, DELIVERY_EVENT[note.kind], note.wire(), note.id)
                    await self.transport.drain(session.sid)  # a long replay goes at the client's pace
            if len(page) < REPLAY_PAGE:
                break
            since = page[-1].id

    def welcome(self, session: Session) -> dict[str, Any]:
        return {
            "message": f"Welcome to lan-notify, {session.user.name}!",
            "user": {"name": session.user.name, "admin": session.admin},
            "online": self.presence.online_names(),
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
        if not session.acking:
            self._confirm(session, session.last_sent if clean else session.sent_before(self._horizon()))
        removed, went_offline = self.presence.remove(session.sid)
        if removed is None:
            return
        if went_offline:
            await self._user_offline(session.user)

    async def _user_online(self, user: User) -> None:
        """The user's first device connected (a cluster asks the other hubs first)."""
        await self._emit_others(user.id, Event.USER_ONLINE, _presence(user.name))

    async def _user_offline(self, user: User) -> None:
        """The user's last device left."""
        await self._emit_others(user.id, Event.USER_OFFLINE, _presence(user.name))

    # ------------------------------------------------------------------ sending

    async def _check_rate(self, actor: Actor) -> None:
        wait = self.send_limits.take(actor.user.name)
        if wait > 0:
            self.metrics.rate_limited(actor)
            raise RateLimited(wait)

    async def check_login(self, username: str, address: str) -> None:
        """Refuse a sign-in attempt past the budget of its address or of its user name. The address
        first: a client past its limit adds no bucket for each new user name it tries."""
        wait = self.login_limits.take("addr:" + address)
        if wait <= 0:
            wait = self.login_limits.take("user:" + username)
        if wait > 0:
            raise SignInThrottled(wait)

    async def forget_full_buckets(self) -> None:
        """Drop rate-limit buckets that have refilled: memory stays bounded however many names are tried."""
        self.send_limits.forget_full()
        self.login_limits.forget_full()
        self.membership_limits.forget_full()

    async def check_membership(self, actor: Actor) -> None:
        """Refuse a room join or leave past the user's own bucket for them: each one is a write,
        and each join tells every member of the room."""
        wait = self.membership_limits.take(actor.user.name)
        if wait > 0:
            raise MembershipRateLimited(wait)

    # Each send has two halves: `accept_*` checks, rate-limits and queues the notification for the
    # dispatcher (in the order of calls: a sender's notifications are stored in the order it sent
    # them) and returns a future that resolves once it is stored and handed to live sessions;
    # `send_*` waits for that. The Socket.IO layer answers from the future (a connection reads its
    # next event while the store commits); the HTTP API waits.

    async def accept_direct(self, actor: Actor, payload: SendNotification) -> asyncio.Future[Stored]:
        async with actor.send_lock:
            self._check_type(actor, payload.type)
            recipient = await self._user_named(payload.to)
            if recipient is None and self.config.open:
                recipient = await self.store.ensure_user(payload.to)  # the seed guide queues for any name
            if recipient is None:
                raise NotFound(f"there is no user named {payload.to!r}")
            await self._check_rate(actor)
            return self._enqueue(
                self._draft(actor, Kind.DIRECT, payload.type, payload.title, payload.message, to_user_id=recipient.id)
            )

    async def accept_room(self, actor: Actor, payload: RoomMessage) -> asyncio.Future[Stored]:
        async with actor.send_lock:
            self._check_type(actor, payload.type)
            room = await self._rooms.sendable(payload.room, actor.user.name)
            await self._check_rate(actor)
            return self._enqueue(
                self._draft(actor, Kind.ROOM, payload.type, payload.title, payload.message, room=room.name)
            )

    async def accept_broadcast(self, actor: Actor, payload: Broadcast) -> asyncio.Future[Stored]:
        if not actor.admin:
            raise Forbidden("only admins may send to everyone")
        async with actor.send_lock:
            await self._check_rate(actor)
            return self._enqueue(self._draft(actor, Kind.EVERYONE, payload.type, payload.title, payload.message))

    async def accept_announce(self, actor: Actor, payload: Announce) -> asyncio.Future[Stored]:
        if not actor.admin:
            raise Forbidden("only admins may make announcements")
        async with actor.send_lock:
            await self._check_rate(actor)
            draft = self._draft(actor, Kind.ANNOUNCEMENT, NotificationType.SYSTEM, payload.title, payload.message)
            return self._enqueue(draft)

    async def send_direct(self, actor: Actor, payload: SendNotification) -> dict[str, Any]:
        return sent(await (await self.accept_direct(actor, payload)))

    async def send_room(self, actor: Actor, payload: RoomMessage) -> dict[str, Any]:
        return sent(await (await self.accept_room(actor, payload)))

    async def broadcast(self, actor: Actor, payload: Broadcast) -> dict[str, Any]:
        return sent(await (await self.accept_broadcast(actor, payload)))

    async def announce(self, actor: Actor, payload: Announce) -> dict[str, Any]:
        return sent(await (await self.accept_announce(actor, payload)))

    async def _user_named(self, name: str) -> User | None:
        """The user called `name`, from memory once known. A connection's events are handled in
        order, so a store round trip here holds that sender's next send behind the store's commits:
        an entry older than USER_CACHE_SECONDS is still used, and every stale entry is looked up
        again in the background (when every entry went stale at once, senders slowed to one send
        per commit)."""
        cached = self._users.get(name)
        if cached is None:
            user = await self.store.get_user(name)
            if user is not None:
                self._users[name] = (user, self.clock())
            return user
        user, at = cached
        if self.clock() - at >= USER_CACHE_SECONDS and (self._stale_job is None or self._stale_job.done()):
            self._stale_job = asyncio.ensure_future(self._look_up_stale())
        return user

    async def _look_up_stale(self) -> None:
        """Look every stale entry up again, in one store call. Entries filled together (all of them
        at the start) go stale together: one name at a time, as the sends came, a thousand
        recipients made hundreds of lookups a second queued between the store's commits."""
        now = self.clock()
        names = [name for name, (_, at) in self._users.items() if now - at >= USER_CACHE_SECONDS]
        try:
            found: dict[str, User] | None = {user.name: user for user in await self.store.get_users(names)}
        except HubError:
            # The entries are used as they are until USER_CACHE_SECONDS from now: a store that is
            # down is not asked again by every send.
            found = None
        now = self.clock()
        for name in names:
            cached = self._users.get(name)
            if cached is None:
                continue
            user = cached[0] if found is None else found.get(name)
            if user is None:
                del self._users[name]
            else:
                self._users[name] = (user, now)

    @staticmethod
    def _check_type(actor: Actor, type_: NotificationType) -> None:
        if type_ is NotificationType.SYSTEM and not actor.admin:
            raise Forbidden("only admins may send notifications of type system")

    def _draft(
        self,
        actor: Actor,
        kind: Kind,
        type_: NotificationType,
        title: str,
        message: str,
        *,
        to_user_id: int | None = None,
        room: str | None = None,
    ) -> Draft:
        return Draft(
            kind=kind,
            type=type_,
            title=title,
            message=message,
            sender=actor.user.name,
            timestamp=utc_now_iso(),
            to_user_id=to_user_id,
            room=room,
            about_user_id=actor.user.id if kind is Kind.NOTICE else None,
        )

    async def submit(self, draft: Draft) -> Stored:
        """Queue a draft for the dispatcher; returns once it is stored and handed to live sessions."""
        return await self._enqueue(draft)

    def _enqueue(self, draft: Draft) -> asyncio.Future[Stored]:
        if self._closing:
            raise Unavailable("the hub is shutting down; try again in a moment")
        future: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self._queue.put((draft, future))
        return future

    async def _dispatch_loop(self) -> None:
        while True:
            batch = await self._queue.take(BATCH_MAX)
            try:
                await self._dispatch(batch)
            except Exception:  # the dispatcher must outlive any one batch
                log.exception("dispatching a batch failed")
                _fail(batch, HubError("the notification could not be stored"))
            finally:
                self._queue.finished(len(batch))

    async def _dispatch(self, batch: list[tuple[Draft, asyncio.Future[Stored]]]) -> None:
        # A sender that gave up (disconnected) still gets its notification stored: it may have
        # been told nothing, but the recipient must not miss what was accepted.
        try:
            stored = await self.store.add([d for d, _ in batch])
        except Unavailable as exc:
            _fail(batch, exc)
            return
        except Exception as exc:
            if len(batch) > 1:  # one bad draft (e.g. its recipient was just deleted) fails alone
                for one in batch:
                    await self._dispatch([one])
                return
            log.error("could not store a notification from %s", batch[0][0].sender, exc_info=exc)
            _fail(batch, exc if isinstance(exc, HubError) else HubError("the notification could not be stored"))
            return
        await self._stored.put((batch, stored))

    async def _delivery_loop(self) -> None:
        while True:
            batch, stored = await self._stored.get()
            try:
                await self._hand_out(batch, stored)
            except Exception:  # the deliverer must outlive any one batch; what was stored stays stored
                log.exception("delivering a batch failed; recipients get it on their next sync")
                for (_, future), item in zip(batch, stored, strict=True):
                    if not future.done():
                        future.set_result(item)
            finally:
                self._stored.task_done()

    async def _hand_out(self, batch: list[tuple[Draft, asyncio.Future[Stored]]], stored: list[Stored]) -> None:
        for (_, future), item in zip(batch, stored, strict=True):
            try:
                await self._deliver(item)
            except Exception:
                log.exception(
                    "delivering notification %d failed; recipients get it on their next sync", item.notification.id
                )
            self.metrics.dispatched(item, self.presence)
            if not future.done():
                future.set_result(item)

    async def _deliver(self, item: Stored) -> None:
        note = item.notification
        event = DELIVERY_EVENT[note.kind]
        data = note.wire()
        nid = note.id
        ready: list[Session] = []
        live = self.presence.live
        for user_id in item.recipients:
            for session in live(user_id):
                if session.syncing:
                    session.pending.append((event, data, nid))
                elif nid > session.last_sent:
                    ready.append(session)
        if not ready:
            return
        await self.transport.emit_many([s.sid for s in ready], event, data)
        now = self.clock()
        for session in ready:
            session.last_sent = note.id
            if not session.acking:
                session.note_sent(now, note.id)

    async def _send(self, session: Session, event: str, data: dict[str, Any], nid: int) -> None:
        if session.closed:
            return
        await self.transport.emit(session.sid, event, data)
        session.last_sent = nid
        if not session.acking:
            session.note_sent(self.clock(), nid)

    def _horizon(self) -> float:
        return self.clock() - self.unnoticed_window

    def _confirm(self, session: Session, nid: int | None) -> None:
        if nid is not None:
            self._advance(session, nid)

    def confirm_sent(self) -> None:
        """Move the cursors of clients that never ack to what they were sent before the window."""
        horizon = self._horizon()
        for session in self.presence.sessions.values():
            if not session.acking:
                self._confirm(session, session.sent_before(horizon))

    def _advance(self, session: Session, nid: int) -> None:
        if nid > self._device_cursors.get(session.device, 0):
            self._device_cursors[session.device] = nid
            self._dirty[session.device] = (session.user.id, nid)

    async def flush_cursors(self) -> None:
        self.confirm_sent()
        if not self._dirty:
            return
        dirty, self._dirty = self._dirty, {}
        try:
            await self.store.save_cursors(dirty)
        except HubError:
            for device, value in dirty.items():
                self._dirty.setdefault(device, value)
            raise

    # ------------------------------------------------------------------ acks and sync

    def ack(self, session: Session, nid: int) -> None:
        session.acking = True
        if nid > session.acked:
            session.acked = nid
            self._advance(session, min(nid, session.last_sent))

    async def sync(self, session: Session, since: int) -> None:
        """Replay everything after `since` again (a client that lost its local state)."""
        session.acking = True
        session.last_sent = since
        await self._catch_up(session, since)

    # ------------------------------------------------------------------ rooms

    async def join_room(self, session: Session, payload: RoomRef) -> dict[str, Any]:
        await self.check_membership(session)
        if not session.admin and await self.store.get_room(payload.room) is None:
            await self._check_room_quota(session, payload.room)
        if not await self.store.may_join(payload.room, session.user.id):
            raise Forbidden(f"room {payload.room!r} is restricted to its members")
        joined = await self.store.join_room(payload.room, session.user.id)
        self._rooms.forget(payload.room)
        if joined:
            notice = self._draft(
                session,
                Kind.NOTICE,
                NotificationType.INFO,
                "",
                f"{session.user.name} joined {payload.room}",
                room=payload.room,
            )
            await self.submit(notice)
        return {"ok": True, "room": payload.room, "joined": joined}

    async def _check_room_quota(self, session: Session, name: str) -> None:
        """Joining a name no room has makes a room: at most `rooms_per_user` of them per user (admins
        are not counted; 0: only admins make rooms)."""
        limit = self.config.rooms_per_user
        if limit == 0:
            raise Forbidden(f"there is no room named {name!r}, and on this hub only admins make rooms")
        if await self.store.rooms_made_by(session.user.id) >= limit:
            raise Forbidden(
                f"you have made {limit} rooms by joining, the most this hub allows (rooms_per_user): "
                f"leave one of them, or ask an admin to make {name!r}"
            )

    async def leave_room(self, session: Session, payload: RoomRef) -> dict[str, Any]:
        await self.check_membership(session)
        left = await self.store.leave_room(payload.room, session.user.id)
        self._rooms.forget(payload.room)
        return {"ok": True, "room": payload.room, "left": left}

    async def list_rooms(self, session: Session, page: RoomPage) -> dict[str, Any]:
        """One page of rooms by name; `more` and `next` (the `after` of the next page) say whether
        there are others. A client that asks with no payload gets the first page."""
        rooms = await self.store.list_rooms(page.after, page.limit + 1)
        more = len(rooms) > page.limit
        rooms = rooms[: page.limit]
        me = session.user.name
        return {
            "ok": True,
            "rooms": [
                {"name": r.name, "restricted": r.restricted, "member": me in r.members, "members": len(r.members)}
                for r in rooms
            ],
            "more": more,
            "next": rooms[-1].name if more else None,
        }

    async def list_users(self) -> dict[str, Any]:
        users = await self.store.list_users()
        return {
            "ok": True,
            "users": [
                {
                    "name": u.name,
                    "admin": u.admin,
                    "online": self.presence.is_online(u.id),
                    "receives": await self._receives(u),
                }
                for u in users
            ],
        }

    async def _receives(self, user: User) -> bool:
        """Whether anything sent to the user can reach them: they can sign in (a password, or any name on an
        open hub) or have a device token. A script's account, with send-only tokens only, cannot."""
        if user.has_password or self.config.open or self.presence.is_online(user.id):
            return True
        return any(t.kind is TokenKind.DEVICE and not t.revoked for t in await self.store.list_tokens(user.id))

    def list_online(self) -> dict[str, Any]:
        return {"ok": True, "online": self.presence.online_names()}

    # ------------------------------------------------------------------ revocation and retention

    async def check_revocations(self) -> None:
        self._revocation_seq, revoked = await self.store.revocations_after(self._revocation_seq)
        for token_id in revoked:
            await self.kick_token(token_id)

    async def kick_token(self, token_id: int) -> None:
        for sid in self.presence.of_token(token_id):
            log.info("disconnecting session %s: its token was revoked", sid)
            await self.transport.emit(
                sid, Event.ERROR, error_body(Unauthorized.code, "this device's token was revoked: sign in again")
            )
            await self.transport.disconnect(sid)

    async def prune(self) -> None:
        result = await self.store.prune(
            keep_days=self.config.retention_days, keep_count=self.config.retention_count, now=utc_now_iso()
        )
        self.metrics.pruned(result)
        if result.removed_deliveries:
            log.info(
                "retention removed %d deliveries and %d notifications",
                result.removed_deliveries,
                result.removed_notifications,
            )

    # ------------------------------------------------------------------ helpers

    async def _emit_others(self, user_id: int, event: str, data: dict[str, Any]) -> None:
        sids = [sid for sid, session in self.presence.sessions.items() if session.user.id != user_id]
        if sids:
            await self.transport.emit_many(sids, event, data)


def _fail(batch: list[tuple[Draft, asyncio.Future[Stored]]], exc: BaseException) -> None:
    for _, future in batch:
        if not future.done():
            future.set_exception(exc)


def _presence(name: str) -> dict[str, Any]:
    return {"userId": name, "username": name}


def sent(stored: Stored) -> dict[str, Any]:
    """The answer to a send, once its notification is stored."""
    return {"ok": True, "id": stored.notification.id, "recipients": len(stored.recipients)}
