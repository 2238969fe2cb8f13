"""The hub's transport: Engine.IO and Socket.IO on aiohttp, from the TCP connection to the events.

Events come in from clients' connections and frames go out to them (`TransportLayer`); what a
notification means is the delivery's business, not this package's. Code outside the package
imports these names from here. Engine.IO is served over HTTP, so this package uses hub.http's
request checks and body reader; hub.http imports nothing from here.

Every private part of python-engineio, python-socketio and aiohttp the hub uses is in
`engineio_internals.py`, `socketio_internals.py` and `aiohttp_internals.py`, listed in their
`SURFACE` (tests/hub/test_library_internals.py checks them against the releases installed).
"""

from hub.transport.admission import Gate, connection_limit, open_files, raise_file_limit
from hub.transport.engine_http import EngineRequests
from hub.transport.layer import TransportLayer, attach_socketio, close_all_connections
from hub.transport.listener import GatedRunner
from hub.transport.socketio_server import HubSocketIOServer
from hub.transport.websocket import install_websocket_transport

__all__ = [
    "EngineRequests",
    "Gate",
    "GatedRunner",
    "HubSocketIOServer",
    "TransportLayer",
    "attach_socketio",
    "close_all_connections",
    "connection_limit",
    "install_websocket_transport",
    "open_files",
    "raise_file_limit",
]
