"""The hub's Engine.IO server: python-engineio's `AsyncServer` making `HubSocket`s (hub/transport/engine.py),
with a cap on what a client that stops reading may hold, one timer for every connection's pings,
and an owner for the tasks that close connections."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from hub.config import HEARTBEAT_TICKS
from hub.transport.admission import Gate
from hub.transport.backlog import Backlog
from hub.transport.engine import MAX_SEND_BUFFER, MAX_SEND_BUFFER_TOTAL, HubSocket
from hub.transport.engineio_internals import ServerBase, adopt
from hub.transport.heartbeat import PingWheel
from hub.transport.timerwheel import TimerWheel

log = logging.getLogger(__name__)


class HubEngineServer(ServerBase):
    """python-engineio's server with HubSockets, a send-buffer cap, a deadline to sign in and an owner
    for closing tasks."""

    #: Told which TCP connections carry a signed-in session (hub/transport/admission.py); None: not gated.
    gate: Gate | None = None
    #: Seconds a connection may stay without a signed-in session (`sign_in_timeout`).
    sign_in_timeout = 45.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_send_buffer = MAX_SEND_BUFFER
        #: Unsent bytes of every connection, capped in all (`max_send_buffer_total`).
        self.backlog = Backlog(MAX_SEND_BUFFER_TOTAL)
        #: Connections closed because they stopped reading.
        self.dropped_slow = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._unflushed: list[HubSocket] = []
        self._flush_soon: asyncio.Handle | None = None
        #: Connections due a ping (`ping_later`), on one timer.
        self.pings = PingWheel(lambda: float(self.ping_interval))
        #: Connections not signed in yet, closed when their time is up (`sign_in_timeout`).
        self.unsigned: TimerWheel[HubSocket] = TimerWheel(
            lambda: self.sign_in_timeout / HEARTBEAT_TICKS, self._sign_in_expired, "closing a connection"
        )
        #: Connections closed because they did not sign in in time.
        self.dropped_unsigned = 0

    def to_flush(self, socket: HubSocket) -> None:
        """Write `socket`'s frames at the end of this loop iteration, with everyone else's."""
        self._unflushed.append(socket)
        if self._flush_soon is None:
            self._flush_soon = asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_soon = None
        sockets, self._unflushed = self._unflushed, []
        for socket in sockets:
            # A connection whose write fails is cut (HubSocket.flush); whatever else goes wrong with
            # one, the others still get their frames, and are not left with frames that no later
            # round would write.
            try:
                socket.flush()
            except Exception:
                log.exception("writing to connection %s failed", socket.sid)

    # ------------------------------------------------------------------ heartbeat

    def ping_later(self, socket: HubSocket) -> None:
        """Ping `socket` once `ping_interval` has passed, at most a tick late."""
        self.pings.later(socket)

    def cancel_ping(self, socket: HubSocket) -> None:
        self.pings.cancel(socket)

    # ------------------------------------------------------------------ signing in

    def signed_in(self, socket: HubSocket, transport_owner: object | None) -> None:
        """`socket` carries a signed-in session now; `transport_owner`: its TCP connection's protocol."""
        self.unsigned.discard(socket)
        if self.gate is not None and transport_owner is not None:
            self.gate.signed_in(transport_owner)

    def _sign_in_expired(self, socket: HubSocket) -> None:
        if socket.signed or socket.closing or socket.closed:
            return
        log.debug("closing connection %s: not signed in within %g s", socket.sid, self.sign_in_timeout)
        self.dropped_unsigned += 1
        self.start_task(socket.close(wait=False, reason=self.reason.TRANSPORT_ERROR))

    def on_socket_opened(self, eio_sid: str) -> None:
        socket = self.socket_by_eio_sid(eio_sid)
        if adopt(socket, HubSocket):
            self.unsigned.add(socket, self.sign_in_timeout)

    async def send_packet(self, sid: str, pkt: Any) -> None:
        """python-engineio's, without its warning for a connection that has gone: python-socketio
        answers a connect the hub refuses because its connection closed while the handler waited
        (hub/transport/events.py), and the client that left is no fault of the hub's. (python-engineio's
        service task forgets closed sockets.)"""
        socket = self.socket_by_eio_sid(sid)
        if socket is None or socket.closed:
            return
        await super().send_packet(sid, pkt)

    def start_task(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.debug("closing a connection failed: %r", task.exception())

    def start_closing(self, socket: HubSocket, *, abort: bool) -> None:
        self.start_task(socket.close(wait=False, abort=abort, reason=self.reason.TRANSPORT_ERROR))

    async def close_connections(self) -> None:
        """Close every connection without a goodbye packet (the hub is stopping).

        wait=False: a connection whose client is already gone has no writer left to drain its queue."""
        sockets = self.all_sockets()
        if sockets:
            log.info("closing %d client connections", len(sockets))
        for socket in sockets:
            await socket.close(wait=False, abort=True, reason=self.reason.SERVER_DISCONNECT)

    async def shutdown(self) -> None:
        await super().shutdown()
        self.pings.clear()
        self.unsigned.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
