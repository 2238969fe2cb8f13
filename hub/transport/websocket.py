"""The Engine.IO websocket transport, as the hub wants it.

- No permessage-deflate unless configured. python-engineio's aiohttp driver opens
  `WebSocketResponse` with aiohttp's default, which negotiates permessage-deflate with every client:
  each frame is compressed and each connection keeps zlib state (most of the memory of an idle
  connection). Node's socket.io has it off by default. Notifications are
  small, so the hub turns it off too; `websocket_compression` turns it back on for slow links.
- It records how the connection ended (`clean_close`). A client that closes with a proper close
  frame (1000 or 1001, e.g. `socket.disconnect()` or a browser tab closing) was alive and reading
  until then; one that vanished (killed, lid closed, cable pulled) was not. The hub uses this to
  decide what a client that never acks has really received (see `Cursors.left`). It is
  kept on the websocket, which the Engine.IO connection holds (`HubSocket.closed_cleanly`): a
  client that began on long-polling has its websocket opened by a request of its own.
"""

from __future__ import annotations

from typing import Any

import socketio
from aiohttp import WSMsgType
from aiohttp.web import WebSocketResponse

from hub.transport.aiohttp_internals import drop_http_parser, payload_writer
from hub.transport.engineio_internals import WebSocketDriverBase

#: Close codes of a client that said goodbye: normal closure, going away (a tab closing).
NORMAL_CLOSE_CODES = frozenset({1000, 1001})


#: Set in a connection's environ when it came on reserve (hub/transport/admission.py): only an admin may sign in.
RESERVE_ENVIRON = "hub.reserve"
#: What the hub reads from a connection's environ once it is open: the peer's address (for the log
#: of a refused Socket.IO connect), and whether it came on reserve. python-engineio's holds every
#: request header as well, for as long as the connection lasts.
_KEPT_ENVIRON = ("REMOTE_ADDR", RESERVE_ENVIRON)


def slim_environ(environ: dict[str, Any]) -> None:
    """Keep only `_KEPT_ENVIRON` (the headers are ~1 KB per idle connection). In place, as
    python-socketio and the websocket hold the same dict; `clear` gives the dict's table back."""
    kept = {key: environ[key] for key in _KEPT_ENVIRON if key in environ}
    environ.clear()
    environ.update(kept)


def _websocket_class(compress: bool) -> type[WebSocketDriverBase]:
    class HubWebSocket(WebSocketDriverBase):
        #: True once the client closed with a normal close frame, False with another; None: no
        #: close frame (the connection dropped, or the hub closed it).
        clean_close: bool | None = None

        async def __call__(self, environ: dict[str, Any]) -> WebSocketResponse:
            request = self.request_of(environ)
            # No receive timeout (a timer per message): python-engineio's service task closes a
            # connection whose client missed a pong, which ends the reading loop.
            response = WebSocketResponse(max_msg_size=self.server.max_http_buffer_size, compress=compress)
            self.response = response
            await response.prepare(request)
            drop_http_parser(request)
            environ["REMOTE_ADDR"] = request.remote  # python-engineio's aiohttp driver writes 127.0.0.1
            slim_environ(environ)
            self.transport = request.transport
            self.protocol = request.protocol  # the TCP connection, as hub/transport/admission.py knows it
            await self.handler(self)
            return response

        @property
        def compressed(self) -> bool:
            return bool(self.response.compress)

        @property
        def payload_writer(self) -> Any:
            return payload_writer(self.response)

        async def wait(self) -> str | bytes:
            msg = await self.response.receive()
            if msg.type is WSMsgType.CLOSE:
                self.clean_close = msg.data in NORMAL_CLOSE_CODES
            if not isinstance(msg.data, bytes | str):
                raise OSError()
            return msg.data

    return HubWebSocket


def install_websocket_transport(sio: socketio.AsyncServer, *, compress: bool) -> None:
    sio.eio.replace_driver_part("websocket", _websocket_class(compress))
