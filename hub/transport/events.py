"""Thin Socket.IO handlers: parse and validate each event, call delivery's parts, answer through the ack.

`EventRouter` registers the hub's handlers on the Socket.IO server; what they send goes out through
`Connections` (hub/transport/connections.py).

A failure answers `{ok: false, error: {code, message}}` through the ack; a client that sent the
event without an ack callback (the seed guide's style) gets the same body as an `error` event.
Nothing a client sends can disconnect it or touch anybody else.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import socketio
from pydantic import BaseModel

from hub.delivery import Delivery
from hub.delivery.sessions import Session
from hub.edits import Retract
from hub.errors import (
    RequestError,
    TooManyConnections,
    Unauthorized,
    Unavailable,
    UnknownEvent,
)
from hub.online import OnlinePage
from hub.protocol import (
    AckNotification,
    Announce,
    Broadcast,
    ErrorCode,
    Event,
    OpenIdentity,
    Respond,
    RoomMessage,
    RoomPage,
    RoomRef,
    SendNotification,
    Sync,
    error_body,
)
from hub.readstate import MarkRead, Seen
from hub.schedule import SCHEDULED, CancelScheduled, wants_schedule
from hub.store import Stored
from hub.transport.connections import Connections
from hub.transport.send_answers import SendAnswer
from hub.transport.socketio_server import HubSocketIOServer, ack_wanted
from hub.transport.websocket import RESERVE_ENVIRON, slim_environ
from hub.validation import parse_event

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
A = TypeVar("A")


class EventRouter:
    """Registers the hub's handlers on a Socket.IO server and routes each event to delivery's parts."""

    def __init__(self, sio: HubSocketIOServer, connections: Connections, delivery: Delivery) -> None:
        self.sio = sio
        self.connections = connections
        self.delivery = delivery
        self._sessions: dict[str, Session] = {}
        #: Signed-in connections per user id, for `max_connections_per_user` (counted as they are
        #: signed in: presence learns of them a task later).
        self._per_user: dict[int, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._register()

    # ------------------------------------------------------------------ registration

    def _register(self) -> None:
        sio = self.sio
        sio.on("connect", self.on_connect)
        sio.on("disconnect", self.on_disconnect)
        sio.on("*", self.on_unknown)
        sio.on(Event.AUTHENTICATE, self.on_authenticate)
        sender = self.delivery.sender
        self._route_send(Event.SEND_NOTIFICATION, SendNotification, sender.accept_direct, sender.offer_direct)
        self._route_send(Event.ROOM_MESSAGE, RoomMessage, self.delivery.sender.accept_room)
        self._route_send(Event.BROADCAST, Broadcast, self.delivery.sender.accept_broadcast)
        self._route_send(Event.ANNOUNCE, Announce, self.delivery.sender.accept_announce)
        self._route(Event.JOIN_ROOM, RoomRef, self.delivery.rooms.join)
        self._route(Event.LEAVE_ROOM, RoomRef, self.delivery.rooms.leave)
        self._route(Event.ACK, AckNotification, self._ack)
        self._route(Event.SYNC, Sync, self._sync)
        self._route(Event.LIST_ONLINE, OnlinePage, self.delivery.roster.list_online)
        self._route_plain(Event.LIST_USERS, self._list_users)
        self._route(Event.LIST_ROOMS, RoomPage, self.delivery.roster.list_rooms)
        self._route(Event.RESPOND, Respond, self.delivery.answers.respond)
        self._route(Event.RETRACT, Retract, self.delivery.edits.retract)
        self._route(Event.MARK_READ, MarkRead, self.delivery.reads.mark_read)
        self._route(Event.SEEN, Seen, self.delivery.reads.seen)
        self._route(Event.CANCEL_SCHEDULED, CancelScheduled, self._cancel_scheduled)

    def _route(
        self, event: Event, model: type[M], action: Callable[[Session, M], Awaitable[dict[str, Any] | None]]
    ) -> None:
        async def handler(sid: str, *args: Any) -> dict[str, Any] | None:
            async def run() -> dict[str, Any] | None:
                session = self._require(sid)
                return await action(session, parse_event(model, args))

            return await self._answer(event, sid, run)

        self.sio.on(event, handler)

    def _route_send(
        self,
        event: Event,
        model: type[M],
        accept: Callable[[Session, M], Awaitable[asyncio.Future[Stored]]],
        offer: Callable[[Session, M, SendAnswer], bool] | None = None,
    ) -> None:
        """A send: checked and queued in order, acknowledged once stored. Meanwhile the connection
        reads its next event, so a client that sends many notifications has many in one group commit.
        `offer`, when given, queues it at once if nothing has to wait (else `accept` waits for it).

        `HubSocketIOServer.sends` calls it directly: every notification passes here, and python-socketio's
        handler chain (the other events') costs four more coroutines and a context variable."""
        ack = self.connections.ack
        sessions = self._sessions

        def refuse(sid: str, exc: BaseException, wants_ack: bool) -> dict[str, Any]:
            return self._refusal(event, sid, exc, wants_ack)

        async def send(sid: str, args: tuple[Any, ...], ack_id: int | None, eio_sid: str) -> None:
            answer = SendAnswer(sid, eio_sid, ack_id, ack, refuse)
            if args and wants_schedule(args[0]):  # to deliver later (hub/delivery/scheduler.py)
                try:
                    body = await self._schedule(event, sid, args)
                except Exception as exc:
                    answer.set_exception(exc)
                    return
                if ack_id is not None:
                    ack(eio_sid, ack_id, [body])
                return
            try:
                session = sessions.get(sid)  # `_require`, inline: every send passes here
                if session is None:
                    raise Unauthorized("authenticate first")
                payload = parse_event(model, args)
                if offer is not None and offer(session, payload, answer):
                    return
                stored = await accept(session, payload)
            except Exception as exc:
                answer.set_exception(exc)
                return
            stored.add_done_callback(answer.settle)

        self.sio.sends[event] = send

    def _route_plain(self, event: Event, action: Callable[[Session], Awaitable[dict[str, Any]]]) -> None:
        async def handler(sid: str, *args: Any) -> dict[str, Any] | None:
            async def run() -> dict[str, Any] | None:
                return await action(self._require(sid))

            return await self._answer(event, sid, run)

        self.sio.on(event, handler)

    async def _answer(self, event: str, sid: str, run: Callable[[], Awaitable[A | None]]) -> A | dict[str, Any]:
        try:
            result = await run()
            return result if result is not None else {"ok": True}
        except Exception as exc:
            return self._refusal(event, sid, exc, ack_wanted.get())

    def _refusal(self, event: str, sid: str, exc: BaseException, wants_ack: bool) -> dict[str, Any]:
        """The failed answer `{ok: false, error}`; a client that asked for no ack gets it as an `error` event."""
        if isinstance(exc, RequestError):
            body = exc.body()
        else:
            log.error("event %s from %s failed", event, sid, exc_info=exc)
            body = error_body(ErrorCode.INTERNAL, "the hub could not handle this event; it has been logged")
        if not wants_ack:
            self.connections.emit_now(sid, Event.ERROR, {**body, "event": event})
        return {"ok": False, "error": body}

    def _require(self, sid: str) -> Session:
        session = self._sessions.get(sid)
        if session is None:
            raise Unauthorized("authenticate first")
        return session

    # ------------------------------------------------------------------ connection

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        try:
            session = await self.delivery.connect(sid, auth)
            if session is not None:
                self._check_room(session, environ)
        except RequestError as exc:
            log.info("refused a connection from %s: %s", _peer(environ), exc.message)
            raise socketio.exceptions.ConnectionRefusedError(exc.message, exc.body()) from None
        slim_environ(environ)  # a long-polling client's (its websocket's is slimmed at the upgrade)
        if not self.connections.add(sid):
            # It closed while the store was asked: python-socketio ran no disconnect handler for it and
            # runs none later, so it is refused (python-socketio then forgets the sid) before anything
            # counts it online.
            log.info("a connection from %s closed before its connect was answered", _peer(environ))
            raise socketio.exceptions.ConnectionRefusedError("the connection closed while connecting")
        if session is None:
            self._start(self._greet_anonymous(sid))
        else:
            self._activate(session)

    def _check_room(self, session: Session, environ: Mapping[str, Any]) -> None:
        """Refuse a sign-in past the account's connection cap, or on a connection the hub took on
        reserve (hub/transport/admission.py) unless it is an admin's."""
        cap = self.delivery.config.max_connections_per_user
        if self._per_user.get(session.user.id, 0) >= cap:
            raise TooManyConnections(
                f"{session.user.name} already has {cap} connections (max_connections_per_user): close one first"
            )
        if environ.get(RESERVE_ENVIRON) and not session.admin:
            raise Unavailable("the hub is serving as many connections as it can: try again later")

    def _activate(self, session: Session) -> None:
        self._sessions[session.sid] = session
        user_id = session.user.id
        self._per_user[user_id] = self._per_user.get(user_id, 0) + 1
        self.connections.sign_in(session.sid)
        log.info("%s connected (%s)", session.user.name, session.device)
        self._start(self.delivery.activate(session))

    async def _greet_anonymous(self, sid: str) -> None:
        await self.connections.emit(
            sid, Event.WELCOME, {"message": "Welcome to lan-notify! Send authenticate {userId, username} to sign in."}
        )

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        socket = self.connections.remove(sid)
        session = self._sessions.pop(sid, None)
        if session is not None:
            left = self._per_user.pop(session.user.id, 1) - 1
            if left:
                self._per_user[session.user.id] = left
            log.info("%s disconnected (%s)", session.user.name, reason)
            said_goodbye = socket is not None and socket.closed_cleanly
            clean = reason == self.sio.reason.CLIENT_DISCONNECT or said_goodbye
            await self.delivery.disconnected(session, clean=clean)

    async def on_authenticate(self, sid: str, *args: Any) -> dict[str, Any] | None:
        async def run() -> dict[str, Any]:
            current = self._sessions.get(sid)
            if current is not None:  # harmless: an authenticated client cannot change who it is
                return _signed_in(current)
            if not self.delivery.config.open:
                raise Unauthorized("this hub requires a device token at connect")
            session = await self.delivery.claim(sid, parse_event(OpenIdentity, args))
            if not self.connections.live(sid):  # it left while the store was asked: its disconnect has run
                raise Unavailable("the connection closed while signing in")
            current = self._sessions.get(sid)
            if current is not None:
                # Another `authenticate` of this connection signed it in while the store was asked
                # (long-polling POSTs of one connection are handled side by side): one session only.
                return _signed_in(current)
            self._check_room(session, self.sio.get_environ(sid) or {})
            self._activate(session)
            return _signed_in(session)

        return await self._answer(Event.AUTHENTICATE, sid, run)

    async def on_unknown(self, event: str, sid: str, *args: Any) -> dict[str, Any] | None:
        async def run() -> dict[str, Any]:
            raise UnknownEvent(f"unknown event {event[:64]!r}")

        return await self._answer(event[:64], sid, run)

    # ------------------------------------------------------------------ small handlers

    async def _ack(self, session: Session, payload: AckNotification) -> None:
        before = session.acked
        self.delivery.cursors.ack(session, payload.id)
        reads = self.delivery.reads
        if reads.may_cover_receipts(before, session.acked):  # told beside, not before the client's next event
            self._start(reads.acked(session, before, session.acked))

    async def _sync(self, session: Session, payload: Sync) -> dict[str, Any]:
        await self.delivery.replay.sync(session, payload.since)
        return {"ok": True}

    async def _schedule(self, event: Event, sid: str, args: tuple[Any, ...]) -> dict[str, Any]:
        payload = parse_event(SCHEDULED[event], args)
        return await self.delivery.scheduler.schedule(self._require(sid), payload, payload)

    async def _cancel_scheduled(self, session: Session, payload: CancelScheduled) -> dict[str, Any]:
        return await self.delivery.scheduler.cancel(session, payload.key)

    async def _list_users(self, session: Session) -> dict[str, Any]:
        return await self.delivery.roster.list_users()

    # ------------------------------------------------------------------ tasks

    def _start(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("session task failed", exc_info=task.exception())

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            try:
                await task
            except BaseException:
                pass


def _signed_in(session: Session) -> dict[str, Any]:
    """The answer to `authenticate`: who the connection is signed in as."""
    return {"ok": True, "user": {"name": session.user.name, "admin": session.admin}}


def _peer(environ: dict[str, Any]) -> str:
    return str(environ.get("REMOTE_ADDR") or "?")
