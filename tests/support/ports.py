"""TCP ports for tests.

A server that can bind port 0 should: it gets a port nobody else holds and says which (`RunningHub`
returns its URL; read the port back with `port_of`). A test that starts a server again on the same
address reuses the port of the first start. `free_port` is for the rest: an address where nothing
listens (a refused connection), or a server that must be told its port before it starts. Another
process may take that port before it is used, so a server started on it should be retried on
`EADDRINUSE`.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on at this moment."""
    with socket.socket() as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def port_of(url: str) -> int:
    """The port of a server's URL (`http://127.0.0.1:41234` -> 41234)."""
    port = urlsplit(url).port
    if port is None:
        raise ValueError(f"{url!r} names no port")
    return port
