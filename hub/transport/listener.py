"""aiohttp's HTTP server with the hub's gate in front (hub/transport/admission.py).

aiohttp has no hook for a connection before its first request, so this reaches into aiohttp's
server internals, through hub/transport/aiohttp_internals.py (checked against the release installed
by tests/hub/test_library_internals.py): `GatedRunner` makes aiohttp's `Server` build
`HubRequestHandler`s, aiohttp's per-connection protocol, which

- asks the gate about each new connection; a refused one is answered at once (429 or 503, the
  API's JSON body, `Connection: close`) without reading its request, and closed a moment later;
- tells the gate when a connection closes, and closes one the gate evicts;
- logs a malformed request (bad request line, headers, chunk sizes) as one debug line: aiohttp
  logged a traceback at error level for each, which any client could fill the log with.
"""

from __future__ import annotations

import asyncio
import json
import logging
from http import HTTPStatus
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestHandler

from hub.app_keys import GATE
from hub.errors import RateLimited, RequestError
from hub.transport.admission import Gate
from hub.transport.aiohttp_internals import RequestHandlerBase, RunnerBase, change_class, make_handler

log = logging.getLogger(__name__)

#: How long a refused connection stays open for its client to read the answer.
REFUSED_LINGER = 1.0
RETRY_AFTER = 5


def canned(exc: RequestError) -> bytes:
    """A whole HTTP response for `exc`, written before the request is even read."""
    body = json.dumps({"error": exc.body()}).encode()
    retry = exc.retry_after if isinstance(exc, RateLimited) else RETRY_AFTER
    head = (
        f"HTTP/1.1 {exc.http_status} {HTTPStatus(exc.http_status).phrase}\r\n"
        "Content-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nRetry-After: {retry}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


class HubRequestHandler(RequestHandlerBase):
    __slots__ = ("_gate", "_linger", "_refused")

    def __init__(self, manager: web.Server, *, gate: Gate, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._gate = gate
        self._refused = False
        self._linger: asyncio.TimerHandle | None = None

    # ------------------------------------------------------------------ the gate

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if isinstance(peer, tuple) and peer else "?"
        refusal = self._gate.admit(self, address)
        if refusal is None:
            super().connection_made(transport)
            return
        self._refused = True
        self.leave_server()  # aiohttp's server never hears of it
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(canned(refusal))
        if transport.can_write_eof():
            transport.write_eof()
        # Open a moment longer: a client still sending its request would otherwise get a reset,
        # which may discard the answer before it is read.
        self._linger = self.loop.call_later(REFUSED_LINGER, transport.abort)

    def data_received(self, data: bytes) -> None:
        if not self._refused:
            super().data_received(data)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._gate.left(self)
        if self._refused:
            if self._linger is not None:
                self._linger.cancel()
            return
        super().connection_lost(exc)

    def evict(self) -> None:
        log.debug("closing an idle connection to make room")
        self.force_close()

    # ------------------------------------------------------------------ logging

    def log_exception(self, *args: Any, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info")
        if isinstance(exc, HttpProcessingError) and 400 <= (exc.code or 400) < 500:
            message = " ".join(str(exc.message).split())[:200]
            log.debug("refused a malformed HTTP request from %s: %s", self.peername, message)
            return
        super().log_exception(*args, **kwargs)


class GatedServer(web.Server):
    gate: Gate

    def __call__(self) -> RequestHandler:
        return make_handler(self, HubRequestHandler, gate=self.gate)


class GatedRunner(RunnerBase):
    """`web.AppRunner` whose connections pass the app's gate."""

    def server_made(self, server: web.Server) -> web.Server:
        gated = change_class(server, GatedServer)  # aiohttp makes its Server itself; this is the same object, gated
        assert isinstance(gated, GatedServer)
        gated.gate = self.app[GATE]
        return gated
