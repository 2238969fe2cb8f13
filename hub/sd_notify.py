"""Telling systemd how the hub is doing (`Type=notify` services), without a library.

systemd passes the address of a datagram socket in `$NOTIFY_SOCKET` (a path, or `@name` for the
abstract namespace); a service writes newline-separated `KEY=value` lines to it: `READY=1` once it
serves, `RELOADING=1` then `READY=1` around a reload, `STOPPING=1` when it shuts down, `STATUS=`
for `systemctl status`. Without `$NOTIFY_SOCKET` (not under systemd) nothing is sent. The send
never blocks: a datagram socket that cannot take the message at once drops it, with a log line.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Mapping

log = logging.getLogger(__name__)


def notify(*lines: str, env: Mapping[str, str] | None = None) -> bool:
    """Send `lines` (e.g. "READY=1", "STATUS=listening") to systemd; False when not under systemd or not sent."""
    address = (os.environ if env is None else env).get("NOTIFY_SOCKET", "")
    if not address or not lines:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    elif not address.startswith("/"):
        log.warning("NOTIFY_SOCKET=%r is neither a path nor an abstract socket: not telling systemd", address)
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.setblocking(False)
            sock.connect(address)
            sock.send("\n".join(lines).encode("utf-8"))
    except OSError as exc:
        log.warning("could not tell systemd %s: %s", lines[0], exc)
        return False
    return True


def reloading() -> tuple[str, str]:
    """The lines that start a reload (systemd 253+ wants the monotonic time with them)."""
    return "RELOADING=1", f"MONOTONIC_USEC={time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000}"
