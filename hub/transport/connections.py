"""The connected clients as delivery sees them: frames out to a sid, many sids at once, acks.

`Connections` is delivery's `Outbox` (`hub.delivery.ports.Outbox`): it finds each sid's Engine.IO
connection once, at connect, and writes pre-encoded frames to it (hub/transport/frames.py).
"""

from __future__ import annotations

from typing import Any

from hub.transport.engine import HubSocket
from hub.transport.frames import NAMESPACE, encode_event
from hub.transport.socketio_server import HubSocketIOServer


class Connections:
    """Each connected sid's Engine.IO connection, and the ways to write to it."""

    def __init__(self, sio: HubSocketIOServer, *, max_send_buffer: int | None = None) -> None:
        self.sio = sio
        if max_send_buffer is not None:
            self.max_send_buffer = max_send_buffer
        #: Each connected sid's Engine.IO connection, found once at connect: python-socketio's own
        #: lookup (a bidict, then the server's socket table) is paid per recipient of every send.
        self._sockets: dict[str, HubSocket] = {}

    # ------------------------------------------------------------------ slow readers

    @property
    def max_send_buffer(self) -> int:
        """Bytes a client that does not read may have waiting before the hub closes its connection.

        Delivery to everybody else never waits for a slow reader; this bounds the memory one can
        hold. An acking client loses nothing: it reconnects with `last_id` and the hub replays
        from the store. Configured by `max_send_buffer`."""
        return int(self.sio.eio.max_send_buffer)

    @max_send_buffer.setter
    def max_send_buffer(self, value: int) -> None:
        self.sio.eio.max_send_buffer = value

    @property
    def dropped_slow(self) -> int:
        """Connections closed because they stopped reading (for tests and metrics)."""
        return int(self.sio.eio.dropped_slow)

    # ------------------------------------------------------------------ the table

    def add(self, sid: str) -> bool:
        """`sid` is connecting: find its Engine.IO connection once. False: that connection has closed
        (or is closing) already, while the connect handler waited, and nothing is added.

        python-socketio runs no disconnect handler for a connection that closes while its connect
        handler runs, so the handler must refuse a connect whose connection is gone."""
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, NAMESPACE)
        socket = self.sio.eio.socket_by_eio_sid(eio_sid) if eio_sid is not None else None
        if not _open(socket):
            return False
        if isinstance(socket, HubSocket):
            self._sockets[sid] = socket
        return True

    def live(self, sid: str) -> bool:
        """Whether `sid`'s connection is in the table and open (its disconnect handler has not run)."""
        return _open(self._sockets.get(sid))

    def remove(self, sid: str) -> HubSocket | None:
        return self._sockets.pop(sid, None)

    def sign_in(self, sid: str) -> None:
        """`sid` carries a signed-in session now (no sign-in deadline; see hub/transport/admission.py)."""
        socket = self._sockets.get(sid)
        if socket is not None:
            socket.sign_in()

    # ------------------------------------------------------------------ delivery's outbox

    async def emit(self, sid: str, event: str, data: Any) -> None:
        self.emit_now(sid, event, data)

    def emit_now(self, sid: str, event: str, data: Any) -> None:
        socket = self._sockets.get(sid)
        if socket is not None:
            socket.push(encode_event(event, data))

    async def emit_many(self, sids: list[str], event: str, data: Any) -> None:
        """The same event to many clients: encoded once, queued for each (`HubSocket.push`) and written
        at the end of the loop turn with whatever else it is sent in the turn (see hub/transport/frames.py)."""
        out = encode_event(event, data)
        sockets = self._sockets
        for sid in sids:
            socket = sockets.get(sid)
            if socket is not None:
                socket.push(out)

    def ack(self, eio_sid: str, ack_id: int, args: list[Any]) -> None:
        """Answer the client's event `ack_id` on the default namespace."""
        self.sio.ack_now(eio_sid, NAMESPACE, ack_id, args)

    async def drain(self, sid: str) -> None:
        socket = self._sockets.get(sid)
        if socket is not None:
            await socket.drain()

    async def disconnect(self, sid: str) -> None:
        await self.sio.disconnect(sid)


def _open(socket: Any) -> bool:
    """Whether an Engine.IO socket is there and neither closing nor closed."""
    return socket is not None and not (socket.closing or socket.closed)
