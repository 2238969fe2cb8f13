"""Every private (or undocumented) part of python-socketio the hub's transport uses, and nowhere else.

python-socketio has no hook for its Engine.IO server class, nor for the way it dispatches packets:
the hub's Socket.IO server (hub/transport/socketio_server.py) overrides those through `ServerBase`,
which turns each private hook into a name of ours. `SURFACE` lists them all, and the private names
the cluster's Redis manager (hub/cluster/manager.py) still uses; tests/hub/test_library_internals.py
checks them against the release installed.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import engineio
import socketio

from hub.surface import Kind, Library, Private, attribute

#: The namespace whose connections `RoomIndexManager.connected` holds (the one the hub serves).
DEFAULT_NAMESPACE = "/"


class ServerBase(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server with its packet handlers as `on_*` methods of ours.

    Engine.IO's "message" handler is `on_eio_message` itself (set with python-engineio's public
    `on`), so the hot path costs no call more than python-socketio's own."""

    #: The Engine.IO server python-socketio makes (it asks `_engineio_server_class()`).
    engineio_server_class: type[engineio.AsyncServer] = engineio.AsyncServer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.eio.on("message", self.on_eio_message)
        #: The binary packet each connection is waiting for the attachments of, by Engine.IO sid
        #: (python-socketio's own dict, which it only ever adds to and deletes from): read once per
        #: event on the fast path, without a call.
        self.attachments_awaited: dict[str, Any] = self._binary_packet

    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        return self.engineio_server_class

    # ------------------------------------------------------------------ packets in

    async def on_eio_message(self, eio_sid: str, data: Any) -> None:
        """An Engine.IO MESSAGE: one Socket.IO packet (or a binary attachment)."""
        await self.library_eio_message(eio_sid, data)

    async def library_eio_message(self, eio_sid: str, data: Any) -> None:
        await socketio.AsyncServer._handle_eio_message(self, eio_sid, data)

    async def _handle_event(self, eio_sid: str, namespace: str | None, id: int | None, data: Any) -> None:
        await self.on_event_packet(eio_sid, namespace, id, data)

    async def on_event_packet(self, eio_sid: str, namespace: str | None, id: int | None, data: Any) -> None:
        """An EVENT packet python-socketio has parsed."""
        await socketio.AsyncServer._handle_event(self, eio_sid, namespace, id, data)

    async def _handle_event_internal(
        self, server: Any, sid: str, eio_sid: str, data: Any, namespace: str, id: int | None
    ) -> None:
        await self.on_event(sid, eio_sid, data, namespace, id)

    async def on_event(self, sid: str, eio_sid: str, data: Any, namespace: str, id: int | None) -> None:
        """An event of a connected client: `data` is [name, *args], `id` the ack id (None: no ack)."""
        await socketio.AsyncServer._handle_event_internal(self, self, sid, eio_sid, data, namespace, id)

    async def _handle_ack(self, eio_sid: str, namespace: str | None, id: int | None, data: Any) -> None:
        await self.on_ack_packet(eio_sid, namespace, id, data)

    async def on_ack_packet(self, eio_sid: str, namespace: str | None, id: int | None, data: Any) -> None:
        """An ACK packet: a client's answer to an event sent with a callback."""
        await socketio.AsyncServer._handle_ack(self, eio_sid, namespace, id, data)

    # ------------------------------------------------------------------ state

    def run_handler(self, event: str, namespace: str, sid: str, *args: Any) -> Awaitable[Any]:
        """The registered handler of `event` (or the catch-all), as python-socketio runs it."""
        return self._trigger_event(event, namespace, sid, *args)  # type: ignore[no-any-return]

    def awaiting_attachments(self, eio_sid: str) -> Any:
        """The binary packet waiting for its attachments on this connection; None if there is none."""
        return self._binary_packet.get(eio_sid)

    def forget_attachments(self, eio_sid: str) -> None:
        self._binary_packet.pop(eio_sid, None)

    def wants_answer(self, sid: str, id: int) -> bool:
        """Whether the hub sent `sid` an event with callback `id` (and has not had its answer)."""
        return id in self.manager.callbacks.get(sid, {})


class RoomIndexManager(socketio.AsyncManager):  # type: ignore[misc]
    """python-socketio's manager, but a disconnect leaves only the rooms the connection is in.

    python-socketio finds them by walking every room of the namespace, and every connection has a
    room of its own (named by its sid): O(N) per disconnect, ~1 ms at N = 10,000, and O(N²) for a hub
    stopping under N connections (67 % of a stop under 5,000). Here a connection leaves its own room,
    the namespace's (None) and the other rooms it entered, which are indexed by sid: the hub enters
    none, so the index holds nothing for its connections."""

    def __init__(self) -> None:
        super().__init__()
        self._other_rooms: dict[tuple[str, str], tuple[Any, ...]] = {}
        #: Each connection's sid on the default namespace, by its Engine.IO sid, while python-socketio
        #: counts it connected (`is_connected`): from the end of its connect to the start of its
        #: disconnect. The hub's fast event path reads it once per event, where `sid_from_eio_sid`
        #: then `is_connected` cost four calls and seven look-ups.
        self.connected: dict[str, str] = {}

    async def connect(self, sid: str, namespace: str) -> str:
        sid = await super().connect(sid, namespace)
        if namespace == DEFAULT_NAMESPACE and self.is_connected(sid, namespace):
            eio_sid = self.eio_sid_from_sid(sid, namespace)
            if eio_sid is not None:
                self.connected[eio_sid] = sid
        return sid

    def pre_disconnect(self, sid: str, namespace: str) -> Any:
        self._not_connected(sid, namespace)
        return super().pre_disconnect(sid, namespace)

    def _not_connected(self, sid: str, namespace: str) -> None:
        if namespace != DEFAULT_NAMESPACE:
            return
        eio_sid = self.rooms.get(namespace, {}).get(None, {}).get(sid)
        if eio_sid is not None and self.connected.get(eio_sid) == sid:
            del self.connected[eio_sid]

    def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: str | None = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        if room is not None and room != sid:
            rooms = self._other_rooms.get((namespace, sid), ())
            if room not in rooms:
                self._other_rooms[(namespace, sid)] = (*rooms, room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)
        rooms = self._other_rooms.get((namespace, sid))
        if rooms and room in rooms:
            rest = tuple(other for other in rooms if other != room)
            if rest:
                self._other_rooms[(namespace, sid)] = rest
            else:
                del self._other_rooms[(namespace, sid)]

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        """python-socketio's, but for the rooms it leaves (SURFACE: the source it copies)."""
        if namespace not in self.rooms:
            return
        self._not_connected(sid, namespace)
        for room in (sid, *self._other_rooms.pop((namespace, sid), ()), None):
            self.basic_leave_room(sid, namespace, room)
        if sid in self.callbacks:
            del self.callbacks[sid]
        pending = self.pending_connect
        if namespace in pending and sid in pending[namespace]:
            pending[namespace].remove(sid)
            if len(pending[namespace]) == 0:
                del pending[namespace]
        pending = self.pending_disconnect
        if namespace in pending and sid in pending[namespace]:
            pending[namespace].remove(sid)
            if len(pending[namespace]) == 0:
                del pending[namespace]


_SERVER = "socketio.async_server.AsyncServer"
_MANAGER = "socketio.async_manager.AsyncManager"


SOCKETIO = Library(
    distribution="python-socketio",
    tested="5.18.1",
    revisit="hub/transport/socketio_internals.py",
    surface=(
        Private(
            _SERVER,
            "_engineio_server_class",
            Kind.CALLABLE,
            "(self)",
            "ServerBase.engineio_server_class: the hub's Engine.IO server",
        ),
        Private(
            _SERVER,
            "_handle_eio_message",
            Kind.CALLABLE,
            "(self, eio_sid, data)",
            "ServerBase.library_eio_message: packets the fast event path leaves to python-socketio",
            "sio.on handlers (they cost the per-event CPU the fast path saves)",
        ),
        Private(
            _SERVER,
            "_handle_event",
            Kind.CALLABLE,
            "(self, eio_sid, namespace, id, data)",
            "ServerBase.on_event_packet: events before the namespace is connected are ignored quietly",
        ),
        Private(
            _SERVER,
            "_handle_event_internal",
            Kind.CALLABLE,
            "(self, server, sid, eio_sid, data, namespace, id)",
            "ServerBase.on_event: sends with attachments; handlers learn whether an ack is wanted",
        ),
        Private(
            _SERVER,
            "_handle_ack",
            Kind.CALLABLE,
            "(self, eio_sid, namespace, id, data)",
            "ServerBase.on_ack_packet: an ack the hub did not ask for is ignored quietly",
        ),
        Private(
            _SERVER,
            "_trigger_event",
            Kind.CALLABLE,
            "(self, event, namespace, *args)",
            "ServerBase.run_handler: an event's handler",
        ),
        attribute(
            _SERVER,
            "_binary_packet",
            "ServerBase.attachments_awaited (the same dict, read per event): text frame or too many attachments",
        ),
        attribute(_SERVER, "not_handled", "socketio_server: a handler's answer that is no answer"),
        attribute(_SERVER, "packet_class", "socketio_server.HubSocketIOServer.ack_now: acks on another namespace"),
        attribute(_SERVER, "handlers", "socketio_server: the handlers of the default namespace"),
        attribute(_SERVER, "eio", "the Engine.IO server (documented as an attribute only in examples)"),
        Private(
            _MANAGER,
            "sid_from_eio_sid",
            Kind.CALLABLE,
            "(self, eio_sid, namespace)",
            "socketio_server.HubSocketIOServer: the sid of an Engine.IO connection",
        ),
        Private(
            _MANAGER,
            "eio_sid_from_sid",
            Kind.CALLABLE,
            "(self, sid, namespace)",
            "connections.Connections.add: the Engine.IO connection of a sid (was the manager.rooms layout)",
        ),
        Private(
            _MANAGER,
            "is_connected",
            Kind.CALLABLE,
            "(self, sid, namespace)",
            "socketio_server: connected sids only; RoomIndexManager.connected follows it",
        ),
        Private(
            _MANAGER,
            "connect",
            Kind.CALLABLE,
            "(self, sid, namespace)",
            "RoomIndexManager.connect: overridden, to hold the sid by its Engine.IO sid once connected",
        ),
        Private(
            _MANAGER,
            "pre_disconnect",
            Kind.CALLABLE,
            "(self, sid, namespace)",
            "RoomIndexManager.pre_disconnect: overridden, the sid is no longer held as connected",
        ),
        attribute(_MANAGER, "callbacks", "ServerBase.wants_answer; RoomIndexManager.basic_disconnect"),
        attribute(_MANAGER, "rooms", "RoomIndexManager: rooms by namespace, then by name"),
        attribute(_MANAGER, "pending_connect", "RoomIndexManager.basic_disconnect"),
        attribute(_MANAGER, "pending_disconnect", "RoomIndexManager.basic_disconnect"),
        # RoomIndexManager.connected follows python-socketio's own connected state through the manager
        # calls these make, in this order (connect after the handler; pre_disconnect before it).
        Private(
            _SERVER,
            "_handle_connect",
            Kind.SOURCE,
            "5b33c4148808f030",
            "RoomIndexManager.connected: a sid is held once manager.connect ran",
        ),
        Private(
            _SERVER,
            "_handle_disconnect",
            Kind.SOURCE,
            "1258368e1b240fbc",
            "RoomIndexManager.connected: a sid is let go at manager.pre_disconnect",
        ),
        Private(
            _SERVER,
            "disconnect",
            Kind.SOURCE,
            "4d04a7422ed7c71c",
            "RoomIndexManager.connected: a sid the hub disconnects is let go at manager.pre_disconnect",
        ),
        Private(
            _MANAGER,
            "basic_enter_room",
            Kind.CALLABLE,
            "(self, sid, namespace, room, eio_sid=None)",
            "RoomIndexManager: overridden, to index rooms by sid",
        ),
        Private(
            _MANAGER,
            "basic_leave_room",
            Kind.CALLABLE,
            "(self, sid, namespace, room)",
            "RoomIndexManager: overridden, to index rooms by sid",
        ),
        Private(
            _MANAGER,
            "basic_disconnect",
            Kind.SOURCE,
            "1a690ed3f46f456b",
            "RoomIndexManager.basic_disconnect copies it, leaving only the connection's rooms",
            "none (upstream candidate: an index of rooms by sid)",
        ),
    ),
)
