"""Engine.IO's HTTP requests (handshakes, long-polling GETs and POSTs, websocket upgrades), checked
before python-engineio sees them.

python-engineio's aiohttp driver turns each request into an environ (`translate_request`); the hub
puts its own in that place, which can refuse a request with an HTTP answer of the API's shape:

- a `Host` the hub does not answer to (`hub/http/web_guard.py`): 403;
- a long-polling POST is read here, bounded in size (MAX_PACKET_BYTES) and in time
  (`http_body_timeout`). python-engineio refused an oversized body by closing the session with a
  wait for the client's next poll, so the request hung for ever, its memory held; a body that
  trickles in held the request as long as the client liked. Both now answer at once (413, 408),
  close that connection and end its session;
- a POST for a session that is closed answers 400 (python-engineio raised, a 500 and a traceback);
- a body on any other request (a GET or an OPTIONS) is malformed Engine.IO: 400, connection closed;
- the gate (hub/transport/admission.py) learns which TCP connections carry an Engine.IO connection that is
  not signed in, and which a signed-in long-polling session; one taken on reserve is marked so in
  the environ, where the Socket.IO connect handler refuses anyone but an admin.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from engineio.async_drivers import aiohttp as aiohttp_driver

from hub.config import HubConfig
from hub.errors import InvalidPayload, RequestError
from hub.http import BodyReads, Refusal, WebGuard, read_bounded
from hub.protocol import MAX_PACKET_BYTES
from hub.transport.admission import Gate
from hub.transport.engine import POLLING_BODY
from hub.transport.engine_server import HubEngineServer
from hub.transport.websocket import RESERVE_ENVIRON

log = logging.getLogger(__name__)


class EngineRequests:
    """The hub's `translate_request` for python-engineio's aiohttp driver."""

    def __init__(
        self, server: HubEngineServer, config: HubConfig, guard: WebGuard, reads: BodyReads, gate: Gate
    ) -> None:
        self.server = server
        self.config = config
        self.guard = guard
        self.reads = reads
        self.gate = gate

    def install(self) -> None:
        # A bound coroutine method: python-engineio awaits it (inspect.iscoroutinefunction).
        self.server.replace_driver_part("translate_request", self.translate)

    async def translate(self, request: web.Request) -> dict[str, Any]:
        try:
            self.guard.check_host(request.headers)
        except RequestError as exc:
            raise Refusal(exc, close=True) from None
        self._tell_gate(request)
        environ: dict[str, Any] = aiohttp_driver.translate_request(request)
        if self.gate.on_reserve(request.protocol):
            environ[RESERVE_ENVIRON] = True
        if request.method == "POST":
            environ[POLLING_BODY] = await self._polling_body(request)
        elif request.body_exists:
            raise Refusal(InvalidPayload(f"an Engine.IO {request.method} request has no body"), close=True)
        return environ

    def _tell_gate(self, request: web.Request) -> None:
        """Which TCP connection carries what: a signed-in session's long-polling requests, or an
        Engine.IO connection not signed in yet (which the gate may close to make room)."""
        sid = request.query.get("sid")
        socket = self.server.socket_by_eio_sid(sid) if sid else None
        if getattr(socket, "signed", False):
            self.gate.signed_in(request.protocol)
        else:
            self.gate.engine(request.protocol)

    async def _polling_body(self, request: web.Request) -> bytes:
        sid = request.query.get("sid")
        socket = self.server.socket_by_eio_sid(sid) if sid else None
        if socket is None or socket.closed:
            # python-engineio refuses an unknown session without reading the body; a closed one made it raise.
            raise Refusal(InvalidPayload("no such Engine.IO session (it may have been closed)"), close=True)
        try:
            body = await read_bounded(request, MAX_PACKET_BYTES, self.config.http_body_timeout, self.reads)
        except RequestError as exc:
            log.info("closing connection %s: a long-polling body refused (%s)", sid, exc.message)
            await socket.close(wait=False, reason=self.server.reason.TRANSPORT_ERROR)
            raise Refusal(exc, close=True) from None
        if socket.closed:  # while its body arrived (a ping timeout, a revoked token)
            raise Refusal(InvalidPayload("this Engine.IO session was closed"))
        return body
