"""The hub's Socket.IO server: python-socketio's `AsyncServer` on the hub's Engine.IO layer
(`hub/transport/engine.py`), with the dispatch the hub needs.

- Handlers learn whether the client asked for an ack (`ack_wanted`), and sends are answered
  without python-socketio's handler chain (`HubSocketIOServer.sends`, see `EventRouter._route_send`).
- A malformed packet closes that client's connection, as the JavaScript server does.
- Only the hub's own events reach its handlers. python-socketio dispatches an event named `connect`
  or `disconnect` to the handler of that name, so a client sending `42["connect", ...]` ran the
  hub's connect handler (switching the connection to another token's user, forging log lines) and
  `42["disconnect"]` its disconnect handler (ending the session with the socket open). Those
  names, `*`, and anything else the hub does not serve are `unknown_event`; an event name that is
  not a string is a malformed packet.
- What a client sends never makes a log line of its own at warning level or above: an ack for
  which the hub asked nothing, or an event before the namespace is connected, are ignored
  (python-socketio logged a warning for each).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from socketio import packet as sio_packet

from hub import jsonwire
from hub.transport.engine import HubSocket
from hub.transport.engine_server import HubEngineServer
from hub.transport.frames import NAMESPACE, encode_ack, encode_packet
from hub.transport.socketio_internals import RoomIndexManager, ServerBase

log = logging.getLogger(__name__)

#: Whether the client asked for an ack of the event being handled (the handlers' answer is sent
#: as the ack, or, failing, as an `error` event).
ack_wanted: contextvars.ContextVar[bool] = contextvars.ContextVar("ack_wanted", default=False)

#: The hub's protocol has no binary payloads; a packet may carry a few attachments (they are refused
#: as `invalid_payload`), never a count that makes the server buffer frames for it.
MAX_ATTACHMENTS = 8
#: Longer ack ids are left to python-socketio (which refuses them).
MAX_ACK_DIGITS = 19
#: Event names python-socketio dispatches to its own handlers, never as a client's event.
_RESERVED_EVENTS = frozenset({"connect", "disconnect", "*"})
#: What python-socketio raises for a packet it cannot parse (bad JSON, bad placeholders, ...).
_MALFORMED = (ValueError, TypeError, IndexError, KeyError, AttributeError, RecursionError)


class HubPacket(sio_packet.Packet):  # type: ignore[misc]
    """python-socketio's packet, reading JSON as the rest of the hub does (`hub/jsonwire.py`): a
    CONNECT's `auth` or an event it parses itself with a huge number in it is refused by validation,
    not taken for a malformed packet."""

    json = jsonwire


class HubSocketIOServer(ServerBase):
    """AsyncServer on the hub's Engine.IO layer (`hub/transport/engine.py`) that lets handlers know whether
    the client asked for an ack, answers sends itself (`sends`), and closes the connection of a
    client sending a malformed packet (as the JavaScript server does)."""

    #: Send events (`EventRouter._route_send`), answered without python-socketio's handler chain:
    #: called with the sid, the payload, the client's ack id (None: no ack wanted) and the connection.
    sends: dict[str, Callable[[str, tuple[Any, ...], int | None, str], Awaitable[None]]]

    engineio_server_class = HubEngineServer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("serializer", HubPacket)
        manager = kwargs.setdefault("client_manager", RoomIndexManager())
        super().__init__(*args, **kwargs)
        self.sends = {}
        #: Each connected sid by its Engine.IO sid (`RoomIndexManager.connected`).
        self._sids: dict[str, str] = manager.connected

    async def on_event_packet(self, eio_sid: str, namespace: str | None, id: int | None, data: Any) -> None:
        namespace = namespace or NAMESPACE
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace)
        if sid is None or not self.manager.is_connected(sid, namespace):
            return  # ignored until the client connects the namespace, as Socket.IO specifies
        await super().on_event_packet(eio_sid, namespace, id, data)

    async def on_event(self, sid: str, eio_sid: str, data: Any, namespace: str, id: int | None) -> None:
        event = data[0]
        if type(event) is not str:
            raise ValueError("an event name that is not a string")  # malformed: the connection closes
        send = self.sends.get(event) if namespace == NAMESPACE else None
        if send is not None:  # a send python-socketio parsed itself (binary attachments)
            await send(sid, tuple(data[1:]), id, eio_sid)
            return
        if event in _RESERVED_EVENTS:
            unknown = self.handlers.get(namespace, {}).get("*")
            if unknown is not None:
                await self._answer_event(unknown(event, sid, *data[1:]), eio_sid, namespace, id)
            return
        await self._answer_event(self.run_handler(event, namespace, sid, *data[1:]), eio_sid, namespace, id)

    async def on_ack_packet(self, eio_sid: str, namespace: str | None, id: int | None, data: Any) -> None:
        """An answer to an event the hub sent with a callback; the hub asks none, so any other is
        ignored. (Id 0 is python-socketio's own counter of ids, never a callback.)"""
        sid = self.manager.sid_from_eio_sid(eio_sid, namespace or NAMESPACE)
        if id and self.wants_answer(sid, id):
            await super().on_ack_packet(eio_sid, namespace, id, data)

    async def _answer_event(self, handling: Awaitable[Any], eio_sid: str, namespace: str, id: int | None) -> None:
        """Run a handler (telling it whether the client wants an ack) and send its answer as the ack."""
        token = ack_wanted.set(id is not None)
        try:
            answer = await handling
        finally:
            ack_wanted.reset(token)
        if answer is not self.not_handled and id is not None:
            args = [] if answer is None else list(answer) if isinstance(answer, tuple) else [answer]
            self.ack_now(eio_sid, namespace, id, args)

    def ack_now(self, eio_sid: str, namespace: str, id: int, args: list[Any]) -> None:
        socket = self.eio.socket_by_eio_sid(eio_sid)
        if not isinstance(socket, HubSocket):
            return
        if namespace == NAMESPACE:
            socket.push(encode_ack(id, args))
        else:  # pragma: no cover - the hub serves the default namespace only
            socket.push(encode_packet(self.packet_class(sio_packet.ACK, namespace=namespace, id=id, data=args)))

    async def on_eio_message(self, eio_sid: str, data: Any) -> None:
        if self.attachments_awaited.get(eio_sid) is not None:
            if not isinstance(data, bytes):
                # python-socketio would take this text frame as the awaited attachment.
                await self.drop_connection(eio_sid, "a text frame where a binary attachment was due")
                return
        elif type(data) is str and data[:1] == "2" and await self._fast_event(eio_sid, data):
            return
        # python-socketio would log a traceback and keep the connection; after a bad binary packet
        # (placeholders that do not match, zero attachments) it would even swallow every later
        # frame of that client. Close that one connection instead; the client may reconnect.
        try:
            await self.library_eio_message(eio_sid, data)
        except _MALFORMED as exc:
            await self.drop_connection(eio_sid, f"malformed Socket.IO packet ({type(exc).__name__})")
            return
        pending = self.awaiting_attachments(eio_sid)
        if pending is not None and not 0 < pending.attachment_count <= MAX_ATTACHMENTS:
            await self.drop_connection(eio_sid, f"binary packet with {pending.attachment_count} attachments")

    async def _fast_event(self, eio_sid: str, data: str) -> bool:
        """An EVENT on the default namespace for one of the hub's handlers, dispatched without
        python-socketio's generic machinery (what its `_handle_event` and `_trigger_event` do, for
        the one case the hub's clients use). False: not that case, python-socketio handles it."""
        end = len(data)
        i = 1
        while i < end and "0" <= data[i] <= "9":
            i += 1
        if i >= end or data[i] != "[" or i > MAX_ACK_DIGITS:
            return False
        try:
            payload = jsonwire.loads(data[i:])
        except (ValueError, RecursionError) as exc:
            await self.drop_connection(eio_sid, f"malformed Socket.IO packet ({type(exc).__name__})")
            return True
        if type(payload) is not list or not payload or type(payload[0]) is not str:
            return False
        event = payload[0]
        send = self.sends.get(event)
        handler: Any = None
        if send is None:
            handler = self.handlers.get(NAMESPACE, {}).get(event) if event not in _RESERVED_EVENTS else None
            if handler is None:
                return False
        sid = self._sids.get(eio_sid)
        if sid is None:  # not connected (yet, or any more): python-socketio ignores the event
            return False
        if self.logger.isEnabledFor(logging.INFO):
            self.logger.info('received event "%s" from %s [%s]', event, sid, NAMESPACE)
        ack_id = int(data[1:i]) if i > 1 else None
        if send is not None:
            await send(sid, tuple(payload[1:]), ack_id, eio_sid)
        else:
            await self._answer_event(handler(sid, *payload[1:]), eio_sid, NAMESPACE, ack_id)
        return True

    async def drop_connection(self, eio_sid: str, why: str) -> None:
        """Close one Engine.IO connection now: the client sees a dropped transport and may
        reconnect; its session ends as on any disconnect."""
        self.forget_attachments(eio_sid)
        socket = self.eio.socket_by_eio_sid(eio_sid)
        if socket is None or socket.closed or socket.closing:
            return
        log.info("closing connection %s: %s", eio_sid, why)
        await socket.close(wait=False, reason=self.eio.reason.TRANSPORT_ERROR)
