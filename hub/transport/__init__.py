"""The hub's transport: Engine.IO and Socket.IO on aiohttp, from the TCP connection to the events.

Events come in from clients' connections and frames go out to them (`TransportLayer`); what a
notification means is the delivery's business, not this package's. Code outside the package
imports these names from here. They are loaded on first use: the HTTP side imports the body
reader and the gate from here while the transport's handlers import the service, which must not
make the two wait on each other at import time.

Every private part of python-engineio, python-socketio and aiohttp the hub uses is in
`engineio_internals.py`, `socketio_internals.py` and `aiohttp_internals.py`, listed in their
`SURFACE` (tests/hub/test_library_internals.py checks them against the releases installed).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hub.transport import jsonwire
    from hub.transport.admission import Gate, connection_limit, open_files, raise_file_limit
    from hub.transport.engine_http import EngineRequests
    from hub.transport.http_body import BodyReads, close_unless_read, expect_json, read_bounded
    from hub.transport.layer import TransportLayer, attach_socketio, close_all_connections
    from hub.transport.listener import GatedRunner
    from hub.transport.socketio_server import HubSocketIOServer
    from hub.transport.websocket import install_websocket_transport

_HOMES = {
    "jsonwire": "",
    "Gate": "admission",
    "connection_limit": "admission",
    "open_files": "admission",
    "raise_file_limit": "admission",
    "EngineRequests": "engine_http",
    "BodyReads": "http_body",
    "close_unless_read": "http_body",
    "expect_json": "http_body",
    "read_bounded": "http_body",
    "TransportLayer": "layer",
    "close_all_connections": "layer",
    "attach_socketio": "layer",
    "GatedRunner": "listener",
    "HubSocketIOServer": "socketio_server",
    "install_websocket_transport": "websocket",
}

__all__ = [
    "BodyReads",
    "EngineRequests",
    "Gate",
    "GatedRunner",
    "HubSocketIOServer",
    "TransportLayer",
    "attach_socketio",
    "close_all_connections",
    "close_unless_read",
    "connection_limit",
    "expect_json",
    "install_websocket_transport",
    "jsonwire",
    "open_files",
    "raise_file_limit",
    "read_bounded",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if not home:
        return importlib.import_module(f"{__name__}.{name}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
