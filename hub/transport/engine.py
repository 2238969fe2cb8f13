"""The hub's Engine.IO layer: websocket frames written straight to the connection, no queue per socket.

python-engineio gives every connection an `asyncio.Queue` and a writer task: each packet sent is a
queue put, a task wake-up, an encode and a frame write, and each received packet costs a task and a
`wait_for`: machinery paid again for every recipient of every send. Here, once a
connection is on an uncompressed websocket (the normal case, and every client of the hub's own
apps), a packet becomes a websocket frame for the connection's transport:

- sending is synchronous: the order of frames on a connection is the order of the calls, with no
  task in between, so the fan-out fast path (`hub/transport/frames.py`) can write one pre-built frame to
  every recipient;
- the frames a connection is sent in one event-loop iteration go out in one write (one system
  call) at the end of that iteration: a batch of notifications, or a sender's acks, cost a
  connection one `send` instead of one each;
- receiving is one loop over `WebSocketResponse.receive()` per connection;
- a client that stops reading is found by its unsent bytes (the transport's write buffer): past
  `max_send_buffer` its connection is aborted, and it recovers from the store when it comes back.

Connections on long-polling (until they upgrade) or with permessage-deflate (per-connection zlib
state: frames cannot be shared) keep python-engineio's queue and writer, unchanged.
`tests/hub/test_engine.py` and `tests/hub/test_fastpath.py` check both kinds deliver the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from aiohttp import WSMsgType
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet

from hub.transport.engineio_internals import Payload, SocketBase
from hub.transport.frames import PING, Frames, frame
from hub.transport.websocket import NORMAL_CLOSE_CODES

log = logging.getLogger(__name__)

#: What a connection that is not reading may have waiting to be sent, in bytes, before the hub
#: closes it (its TCP buffers in the kernel come on top). A connect wave of 5,000 clients queues a
#: `user_online` of ~70 bytes for every one of them to each early client: 350 KB.
MAX_SEND_BUFFER = 8 * 1024 * 1024
#: What all connections together may have waiting (hub/transport/backlog.py).
MAX_SEND_BUFFER_TOTAL = 64 * 1024 * 1024
#: Connections still on a queue (long-polling, compressed websockets) count packets instead.
QUEUED_PACKET_BYTES = 512
#: A replay waits for the client to read once this much is unsent.
DRAIN_ABOVE = 256 * 1024

#: The Engine.IO packet types a client sends once connected (PING only as the upgrade probe).
_FROM_CLIENT = frozenset({eio_packet.CLOSE, eio_packet.PONG, eio_packet.MESSAGE, eio_packet.UPGRADE})
#: Where `hub.transport.engine_http` leaves a long-polling POST's body for `HubSocket.handle_post_request`.
POLLING_BODY = "hub.polling_body"


class HubSocket(SocketBase):
    """An Engine.IO connection that writes frames directly once it is on a plain websocket."""

    # Class-level defaults: python-engineio builds an AsyncSocket, which HubEngineServer turns into
    # a HubSocket before anything is sent through it.
    _out: asyncio.WriteTransport | None = None
    _ws: Any = None  # hub.transport.websocket.HubWebSocket
    _reader: asyncio.Task[Any] | None = None
    _stop_reading = False
    #: Frames written in this loop iteration, not yet handed to the transport.
    _pending: list[bytes] | None = None
    #: python-engineio's packet queue (an asyncio.Queue) until the connection writes directly, then None.
    queue: Any
    stuck = False
    #: It carries a signed-in Socket.IO session (`sign_in`).
    signed = False
    #: The server's backlog knows of unsent bytes here (hub/transport/backlog.py).
    _noted = False
    last_ping: float | None  # python-engineio's: when the unanswered ping went out
    # ------------------------------------------------------------------ heartbeat

    def schedule_ping(self) -> None:
        """The next ping, `ping_interval` after the last pong, on the server's ping wheel, where
        python-engineio keeps a sleeping task per connection (memory per idle client)."""
        if self.last_ping:
            self.last_ping = None
            self.server.ping_later(self)

    def ping(self) -> None:
        if self.closing or self.closed:
            return
        self.last_ping = time.time()
        self.push(PING)

    def sign_in(self) -> None:
        """Its Socket.IO session is signed in: no deadline any more, and its TCP connection (once a
        websocket) no longer counts as pending."""
        self.signed = True
        self.server.signed_in(self, self._ws.protocol if self._ws is not None else None)

    # ------------------------------------------------------------------ receiving

    async def receive(self, pkt: eio_packet.Packet) -> None:
        """A packet from the client. OPEN, PING, NOOP and types past 6 (`7`, `9`, ...) mean nothing
        from a client: they are ignored without a log line, on both transports (python-engineio
        logged a traceback for each packet of a type it has no name for)."""
        if pkt.packet_type in _FROM_CLIENT:
            await super().receive(pkt)

    async def handle_post_request(self, environ: dict[str, Any]) -> None:
        """A long-polling POST, whose body `hub.transport.engine_http` has already read (bounded in size and
        time). A body that is not an Engine.IO payload ends this connection with a 400, as other
        malformed input does; python-engineio logged a traceback, answered 200 and dropped the data,
        and dropped any body of more than 16 packets the same way."""
        if self.closing or self.closed:
            raise eio_exceptions.EngineIOError("this connection is closed")
        try:
            packets = Payload(encoded_payload=environ[POLLING_BODY].decode("utf-8")).packets
        except (UnicodeDecodeError, ValueError, TypeError, IndexError, KeyError) as exc:
            why = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not an Engine.IO payload"
            log.info("closing connection %s: a long-polling body that is %s", self.sid, why)
            # Closed here without waiting: python-engineio's own close would wait for the client's
            # next poll to take the close packet, and this request would hang until then.
            await self.close(wait=False, reason=self.server.reason.TRANSPORT_ERROR)
            raise eio_exceptions.EngineIOError(f"the long-polling body is {why}") from None
        for pkt in packets:
            await self.receive(pkt)

    # ------------------------------------------------------------------ sending

    @property
    def closed_cleanly(self) -> bool:
        """Whether the client closed its websocket with a normal close frame (it was reading until then)."""
        return self._ws is not None and self._ws.clean_close is True

    @property
    def direct(self) -> bool:
        return self._out is not None

    async def send(self, pkt: eio_packet.Packet) -> None:
        if self._out is None:
            await super().send(pkt)
            self._check_queue()
            return
        if not await self.check_ping_timeout():
            return
        self._write(frame(pkt.encode()))

    def push(self, out: Frames) -> bool:
        """Send pre-encoded packets now, without awaiting; False if the connection is gone."""
        if self.closed or self.closing:
            return False
        if self._out is None:
            for p in out.packets:
                self.queue.put_nowait(p)
            self._check_queue()
            return True
        pending = self._pending  # `_write`, inline: a call fewer per recipient of every send
        if pending is None:
            self._pending = pending = []
            self.server.to_flush(self)
        pending.extend(out.frames)
        return True

    def _write(self, data: bytes) -> None:
        """Queue a frame for this loop iteration's one write to the connection (`flush`)."""
        pending = self._pending
        if pending is None:
            self._pending = [data]
            self.server.to_flush(self)
        else:
            pending.append(data)

    def flush(self) -> None:
        """Write the frames queued in this loop iteration, in order, with one system call."""
        pending = self._pending
        if pending is None:
            return
        self._pending = None
        out = self._out
        if out is None or out.is_closing():
            return  # the reading loop sees the connection end and cleans up
        try:
            out.write(pending[0] if len(pending) == 1 else b"".join(pending))
        except Exception as exc:  # a transport or TLS error: this connection is lost, not the others
            self.broken(exc)
            return
        unsent = out.get_write_buffer_size()
        if unsent > self.server.max_send_buffer:
            self.abandon(f"{unsent} bytes unsent")
        elif unsent or self._noted:
            self._noted = bool(unsent)
            self.server.backlog.note(self, unsent)

    def _check_queue(self) -> None:
        queued = self.queue.qsize() * QUEUED_PACKET_BYTES
        if queued > self.server.max_send_buffer:
            self.abandon(f"{self.queue.qsize()} packets queued")
        elif not (self.closing or self.closed):  # a closed one's close packet may wait for ever
            self.server.backlog.note(self, queued)

    def _take_queued(self) -> list[eio_packet.Packet | None]:
        """Empty python-engineio's queue, returning what was in it."""
        taken: list[eio_packet.Packet | None] = []
        while True:
            try:
                taken.append(self.queue.get_nowait())
            except asyncio.QueueEmpty:
                return taken
            self.queue.task_done()

    def unsent(self) -> int:
        """Bytes (or, on a queue, packets' worth of bytes) waiting to be sent to this client."""
        if self._out is None:
            return int(self.queue.qsize()) * QUEUED_PACKET_BYTES
        self.flush()
        return 0 if self._out.is_closing() else self._out.get_write_buffer_size()

    async def drain(self) -> None:
        """Wait until the client has read most of what it was sent (replays go at its pace)."""
        if self._out is None or self._ws is None:
            return
        if self.unsent() <= min(DRAIN_ABOVE, self.server.max_send_buffer // 4):
            return
        writer = self._ws.payload_writer
        if writer is not None:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await writer.drain()

    def abandon(self, why: str) -> None:
        """The client is not reading: drop what waits for it and cut the connection."""
        if self.stuck:
            return
        self.stuck = True
        log.info("closing connection %s: it is not reading (%s)", self.sid, why)
        self.server.dropped_slow += 1
        self.server.backlog.forget(self)
        self._pending = None
        if self._out is not None:
            self._out.abort()  # the reading loop ends and the session is closed as on any disconnect
            return
        self._take_queued()
        if self._ws is not None:
            self._ws.transport.abort()  # nothing more can be written to it
        self.server.start_closing(self, abort=True)

    def broken(self, exc: Exception) -> None:
        """Writing to the connection failed: drop what waits for it and cut it; its session ends as
        on any disconnect, and the client recovers from the store when it comes back."""
        log.info("closing connection %s: writing to it failed (%s)", self.sid, exc)
        self._pending = None
        self.server.backlog.forget(self)
        with contextlib.suppress(Exception):
            if self._out is not None:
                self._out.abort()  # the reading loop ends and closes the session
                return
        self.server.start_closing(self, abort=True)

    # ------------------------------------------------------------------ closing

    async def close(self, wait: bool = True, abort: bool = False, reason: Any = None) -> None:
        self.server.cancel_ping(self)
        self.server.unsigned.discard(self)
        self.server.backlog.forget(self)
        if self._out is None:
            closing_now = not (self.closing or self.closed)
            await super().close(wait=False, abort=abort, reason=reason)
            if closing_now:
                if wait and not abort:
                    # The close packet goes out with the client's next poll: a live client polls
                    # again at once. python-engineio waited for ever, so one that never came back
                    # held this task (and the request that closed it) until the hub stopped.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.queue.join(), float(self.server.ping_timeout))
                # python-engineio's writer would wait for packets until the ping timeout: it ends
                # once it has sent what is queued (the close packet, if any), and closes the websocket.
                self.queue.put_nowait(None)
            return
        # Writes are synchronous: there is never a queue to wait for.
        await super().close(wait=False, abort=abort, reason=reason)
        self._end_websocket(abort=abort)

    def _end_websocket(self, *, abort: bool) -> None:
        self.flush()  # what was sent before the close goes out before it
        if self._stop_reading:
            return
        self._stop_reading = True
        if abort and self._out is not None:
            # No goodbye: the TCP connection closes once what was written is sent (or at once for
            # a client that is not reading), and the reading loop ends.
            if self.stuck:
                self._out.abort()
            else:
                self._out.close()
        elif asyncio.current_task() is not self._reader and self._ws is not None:
            # The reading loop is waiting for the client: aiohttp's close() wakes it and says goodbye.
            self.server.start_task(self._ws.close())

    # ------------------------------------------------------------------ the websocket

    async def on_websocket(self, ws: Any) -> None:
        if ws.compressed:
            self._ws = ws
            if self.signed:
                self.server.signed_in(self, ws.protocol)
            await self.library_websocket(ws)  # per-connection zlib state: python-engineio's writer
            return
        if getattr(self, "connected", False):  # on long-polling until now
            if not await self.upgrade_from_polling(ws):
                return
        else:
            self.connected = True
            self.upgraded = True
        self._go_direct(ws)
        try:
            await self._read(ws)
        finally:
            self._stop_reading = True
            await self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)
            with contextlib.suppress(Exception):
                await ws.close()

    def _go_direct(self, ws: Any) -> None:
        """Write what is queued (the OPEN packet, anything sent while polling), then write directly."""
        self._ws = ws
        self._reader = asyncio.current_task()
        if self.signed:  # signed in while on long-polling
            self.server.signed_in(self, ws.protocol)
        queued = self._take_queued()
        self._out = ws.transport
        # Nothing uses python-engineio's queue from now on (`send`, `push` and `close` write
        # directly): an asyncio.Queue with its deques and Event is ~3 KB per idle connection.
        self.queue = None
        for pkt in queued:
            if pkt is None:  # a close was asked for while polling
                self._stop_reading = True
                break
            self._write(frame(pkt.encode()))

    async def _read(self, ws: Any) -> None:
        receive = ws.response.receive
        on_message = self.server.message_handler()  # python-socketio's packet handler
        while not self._stop_reading:
            try:
                msg = await receive()
            except (TimeoutError, RuntimeError, ConnectionError):
                return
            kind = msg.type
            if kind is WSMsgType.TEXT:
                data: str | bytes = msg.data
                if not data:
                    return  # python-engineio refuses an empty packet: close, as it does
                if data[0] == "4":  # MESSAGE: the Socket.IO layer's packets, nearly everything
                    try:
                        await on_message(self.sid, data[1:])
                    except Exception:
                        self.server.logger.exception("message async handler error")
                    continue
            elif kind is WSMsgType.BINARY:
                data = msg.data  # aiohttp refuses a message over max_http_buffer_size (an ERROR)
            else:
                if kind is WSMsgType.CLOSE:
                    ws.clean_close = msg.data in NORMAL_CLOSE_CODES
                return  # CLOSE, CLOSING, CLOSED, ERROR: the connection is over
            try:
                pkt = eio_packet.Packet(encoded_packet=data)
            except (ValueError, TypeError, IndexError):
                return  # not Engine.IO: close
            try:
                await self.receive(pkt)
            except eio_exceptions.UnknownPacketError:
                pass
            except eio_exceptions.SocketIsClosedError:
                return
            except Exception:
                self.server.logger.exception("Unknown receive error")
