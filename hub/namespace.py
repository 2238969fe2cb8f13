"""Thin Socket.IO handlers: parse and validate each event, call the service, answer through the ack.

A failure answers `{ok: false, error: {code, message}}` through the ack; a client that sent the
event without an ack callback (the seed guide's style) gets the same body as an `error` event.
Nothing a client sends can disconnect it or touch anybody else.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import socketio
from pydantic import BaseModel, ValidationError

from hub.errors import HubError, InvalidPayload, TooLarge, Unauthorized, UnknownEvent
from hub.protocol import (
    AckNotification,
    Announce,
    Broadcast,
    ErrorCode,
    Event,
    OpenIdentity,
    RoomMessage,
    RoomRef,
    SendNotification,
    Sync,
    describe_validation_error,
    error_body,
)
from hub.service import HubService
from hub.sessions import Session

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

_ack_wanted: contextvars.ContextVar[bool] = contextvars.ContextVar("ack_wanted", default=False)


class HubServer(socketio.AsyncServer):  # type: ignore[misc]
    """AsyncServer that lets handlers know whether the client asked for an ack."""

    async def _handle_event_internal(
        self, server: Any, sid: str, eio_sid: str, data: Any, namespace: str, id: int | None
    ) -> None:
        _ack_wanted.set(id is not None)
        await super()._handle_event_internal(server, sid, eio_sid, data, namespace, id)


def parse(model: type[M], args: tuple[Any, ...]) -> M:
    """Validate an event's first argument against a payload model."""
    data = args[0] if args else None
    if model is RoomRef and isinstance(data, str):
        data = {"room": data}  # the seed guide sends a bare room name
    if not isinstance(data, dict):
        raise InvalidPayload(f"expected a JSON object, got {_kind(data)}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        code, message = describe_validation_error(exc)
        raise (TooLarge if code is ErrorCode.TOO_LARGE else InvalidPayload)(message) from None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bytes | bytearray):
        return "binary data"
    return type(value).__name__


class SocketLayer:
    """Registers the hub's handlers on a Socket.IO server and acts as the service's transport."""

    def __init__(self, sio: socketio.AsyncServer, service_factory: Callable[[SocketLayer], HubService]) -> None:
        self.sio = sio
        self.service = service_factory(self)
        self._sessions: dict[str, Session] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._register()

    # ------------------------------------------------------------------ Transport

    async def emit(self, sid: str, event: str, data: Any) -> None:
        await self.sio.emit(event, data, to=sid)

    async def disconnect(self, sid: str) -> None:
        await self.sio.disconnect(sid)

    # ------------------------------------------------------------------ registration

    def _register(self) -> None:
        sio = self.sio
        sio.on("connect", self.on_connect)
        sio.on("disconnect", self.on_disconnect)
        sio.on("*", self.on_unknown)
        sio.on(Event.AUTHENTICATE, self.on_authenticate)
        self._route(Event.SEND_NOTIFICATION, SendNotification, self.service.send_direct)
        self._route(Event.ROOM_MESSAGE, RoomMessage, self.service.send_room)
        self._route(Event.BROADCAST, Broadcast, self.service.broadcast)
        self._route(Event.ANNOUNCE, Announce, self.service.announce)
        self._route(Event.JOIN_ROOM, RoomRef, self.service.join_room)
        self._route(Event.LEAVE_ROOM, RoomRef, self.service.leave_room)
        self._route(Event.ACK, AckNotification, self._ack)
        self._route(Event.SYNC, Sync, self._sync)
        self._route_plain(Event.LIST_ONLINE, self._list_online)
        self._route_plain(Event.LIST_USERS, self._list_users)
        self._route_plain(Event.LIST_ROOMS, self.service.list_rooms)

    def _route(
        self, event: Event, model: type[M], action: Callable[[Session, M], Awaitable[dict[str, Any] | None]]
    ) -> None:
        async def handler(sid: str, *args: Any) -> dict[str, Any] | None:
            async def run() -> dict[str, Any] | None:
                session = self._require(sid)
                return await action(session, parse(model, args))

            return await self._answer(event, sid, run)

        self.sio.on(event, handler)

    def _route_plain(self, event: Event, action: Callable[[Session], Awaitable[dict[str, Any]]]) -> None:
        async def handler(sid: str, *args: Any) -> dict[str, Any] | None:
            async def run() -> dict[str, Any] | None:
                return await action(self._require(sid))

            return await self._answer(event, sid, run)

        self.sio.on(event, handler)

    async def _answer(
        self, event: str, sid: str, run: Callable[[], Awaitable[dict[str, Any] | None]]
    ) -> dict[str, Any] | None:
        try:
            result = await run()
            return result if result is not None else {"ok": True}
        except HubError as exc:
            body = exc.body()
        except Exception:
            log.exception("event %s from %s failed", event, sid)
            body = error_body(ErrorCode.INTERNAL, "the hub could not handle this event; it has been logged")
        if not _ack_wanted.get():
            await self.emit(sid, Event.ERROR, {**body, "event": event})
        return {"ok": False, "error": body}

    def _require(self, sid: str) -> Session:
        session = self._sessions.get(sid)
        if session is None:
            raise Unauthorized("authenticate first")
        return session

    # ------------------------------------------------------------------ connection

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        try:
            session = await self.service.connect(sid, auth)
        except ValidationError as exc:
            _, message = describe_validation_error(exc)
            raise socketio.exceptions.ConnectionRefusedError(
                f"invalid auth: {message}", error_body(ErrorCode.INVALID_PAYLOAD, f"invalid auth: {message}")
            ) from None
        except HubError as exc:
            log.info("refused a connection from %s: %s", _peer(environ), exc.message)
            raise socketio.exceptions.ConnectionRefusedError(exc.message, exc.body()) from None
        if session is None:
            self._start(self._greet_anonymous(sid))
        else:
            self._activate(session)

    def _activate(self, session: Session) -> None:
        self._sessions[session.sid] = session
        log.info("%s connected (%s)", session.user.name, session.device)
        self._start(self.service.activate(session))

    async def _greet_anonymous(self, sid: str) -> None:
        await self.emit(
            sid, Event.WELCOME, {"message": "Welcome to lan-notify! Send authenticate {userId, username} to sign in."}
        )

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        session = self._sessions.pop(sid, None)
        if session is not None:
            log.info("%s disconnected (%s)", session.user.name, reason)
            await self.service.disconnected(sid)

    async def on_authenticate(self, sid: str, *args: Any) -> dict[str, Any] | None:
        async def run() -> dict[str, Any]:
            current = self._sessions.get(sid)
            if current is not None:
                # Harmless: an authenticated client cannot change who it is.
                return {"ok": True, "user": {"name": current.user.name, "admin": current.admin}}
            if not self.service.config.open:
                raise Unauthorized("this hub requires a device token at connect")
            session = await self.service.claim(sid, parse(OpenIdentity, args))
            self._activate(session)
            return {"ok": True, "user": {"name": session.user.name, "admin": session.admin}}

        return await self._answer(Event.AUTHENTICATE, sid, run)

    async def on_unknown(self, event: str, sid: str, *args: Any) -> dict[str, Any] | None:
        async def run() -> dict[str, Any]:
            raise UnknownEvent(f"unknown event {event[:64]!r}")

        return await self._answer(event[:64], sid, run)

    # ------------------------------------------------------------------ small handlers

    async def _ack(self, session: Session, payload: AckNotification) -> None:
        self.service.ack(session, payload.id)

    async def _sync(self, session: Session, payload: Sync) -> dict[str, Any]:
        await self.service.sync(session, payload.since)
        return {"ok": True}

    async def _list_online(self, session: Session) -> dict[str, Any]:
        return self.service.list_online()

    async def _list_users(self, session: Session) -> dict[str, Any]:
        return await self.service.list_users()

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


def _peer(environ: dict[str, Any]) -> str:
    return str(environ.get("REMOTE_ADDR") or "?")
