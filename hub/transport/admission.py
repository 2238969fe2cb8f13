"""Which TCP connections the hub takes, so that idle, half-open and hostile ones cannot use up its
file descriptors.

Every connection is counted from the moment it is accepted until it closes, and is *pending*
until it carries a signed-in Socket.IO session (a device token, or `authenticate` in open mode):

- **Per address.** Past `max_pending_per_address` pending connections from one address, a new one
  from there is answered `429 too_many_connections` at once and closed. Signed-in connections do
  not count, so an office behind one NAT, or a bench's thousands of clients on loopback, get in
  as long as they sign in. Addresses in `trusted_proxies` are not limited (the proxy should be).
- **In all.** Past `max_connections` (by default the open-file limit, raised to its hard limit at
  start, minus the files the hub holds and 128 more), the oldest pending connection that is doing
  nothing (no request yet, an idle keep-alive, an Engine.IO connection not signed in) is closed to
  make room. When there is none, up to RESERVE more connections are taken *on reserve*: they may
  only ask for `/api/health`, or be an admin's (a bearer token or a Socket.IO sign-in); anything
  else is answered `503 unavailable`. Past that, a new connection is answered 503 at once and
  closed. MARGIN more files stay free for the store, the log and the hub's own sockets.
- How long a pending connection may stay is bounded elsewhere: `http_idle_timeout` (aiohttp's idle
  timer, also before the first request and while headers trickle in), `http_body_timeout`
  (hub/http/body_reads.py), `sign_in_timeout` (hub/transport/engine_server.py), the Socket.IO heartbeat.

This module is the bookkeeping, with no I/O: `hub/transport/listener.py` calls it from aiohttp's protocol.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import resource
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from hub.auth import Network
from hub.config import HubConfig
from hub.errors import RequestError, TooManyConnections, Unavailable

log = logging.getLogger(__name__)

#: Connections past `max_connections` kept for /api/health and admins.
RESERVE = 64
#: Files kept free past those for the hub itself: the store, the log, database and Redis sockets.
MARGIN = 64
#: Seconds between two log lines about refused connections from one address.
LOG_EVERY = 60.0


class Handle(Protocol):
    """A connection as the gate sees it (aiohttp's protocol object, in hub/transport/listener.py)."""

    @property
    def busy(self) -> bool:
        """A request is being handled on it."""
        ...

    def evict(self) -> None:
        """Close it now."""
        ...


@dataclass(slots=True, eq=False)
class Connection:
    address: str
    signed: bool = False
    #: It carries an Engine.IO connection that is not signed in (busy, but may be evicted).
    engine: bool = False
    #: Taken past `max_connections`: only /api/health and admins are served on it.
    reserve: bool = False


class Gate:
    """The connections of one hub, by address, and the decision on each new one."""

    def __init__(self, config: HubConfig, trusted: Sequence[Network] = ()) -> None:
        self.max_connections = config.max_connections or 1_000_000  # set from the file limit at start
        self.per_address = config.max_pending_per_address
        self._trusted = tuple(trusted)
        self._open: dict[Handle, Connection] = {}
        #: Pending connections, oldest first: where room is made.
        self._pending: dict[Handle, None] = {}
        self._pending_by_address: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.evicted = 0
        self._logged: dict[str, float] = {}

    def __len__(self) -> int:
        return len(self._open)

    def pending_from(self, address: str) -> int:
        return self._pending_by_address[address]

    def admit(self, handle: Handle, address: str) -> RequestError | None:
        """Take a new connection, or say why not (the caller answers that and closes it)."""
        if self._pending_by_address[address] >= self.per_address and not self._is_trusted(address):
            self._refuse(address, "per_address")
            return TooManyConnections(
                f"{self.per_address} connections from {address} have not signed in yet "
                "(max_pending_per_address): sign in, or close some"
            )
        reserve = False
        if len(self._open) >= self.max_connections and not self._make_room():
            if len(self._open) >= self.max_connections + RESERVE:
                self._refuse(address, "full")
                return Unavailable("the hub is serving as many connections as it can: try again later")
            reserve = True
        self._open[handle] = Connection(address, reserve=reserve)
        self._pending[handle] = None
        self._pending_by_address[address] += 1
        return None

    def left(self, handle: Handle) -> None:
        connection = self._open.pop(handle, None)
        if connection is not None and not connection.signed:
            self._unpend(handle, connection)

    def signed_in(self, handle: object) -> None:
        """The connection carries a signed-in session: it no longer counts as pending."""
        connection = self._open.get(handle)  # type: ignore[call-overload]
        if connection is not None and not connection.signed:
            connection.signed = True
            self._unpend(handle, connection)  # type: ignore[arg-type]

    def engine(self, handle: object) -> None:
        """The connection carries an Engine.IO connection (not signed in yet)."""
        connection = self._open.get(handle)  # type: ignore[call-overload]
        if connection is not None:
            connection.engine = True

    def on_reserve(self, handle: object) -> bool:
        connection = self._open.get(handle)  # type: ignore[call-overload]
        return connection is not None and connection.reserve

    def _make_room(self) -> bool:
        """Close the oldest pending connection that is doing nothing; False when there is none."""
        for handle in self._pending:
            connection = self._open[handle]
            if connection.engine or not handle.busy:
                self.left(handle)
                self.evicted += 1
                handle.evict()
                return True
        return False

    def _unpend(self, handle: Handle, connection: Connection) -> None:
        self._pending.pop(handle, None)
        left = self._pending_by_address[connection.address] - 1
        if left > 0:
            self._pending_by_address[connection.address] = left
        else:
            del self._pending_by_address[connection.address]

    def _is_trusted(self, address: str) -> bool:
        if not self._trusted:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)

    def _refuse(self, address: str, reason: str) -> None:
        self.refused[reason] += 1
        now = time.monotonic()
        if now - self._logged.get(address, -LOG_EVERY) >= LOG_EVERY:
            if len(self._logged) > 1000:
                self._logged.clear()
            self._logged[address] = now
            why = "too many connections not signed in" if reason == "per_address" else "the hub is full"
            log.warning("refusing connections from %s: %s (at most one line a minute per address)", address, why)


def raise_file_limit() -> tuple[int, int]:
    """Raise the soft open-file limit to the hard one; (before, now)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard
    if hard == resource.RLIM_INFINITY:
        wanted = _kernel_file_max()
    if wanted > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError) as exc:
            log.info("cannot raise the open-file limit from %d to %d: %s", soft, wanted, exc)
            return soft, soft
    return soft, max(soft, wanted)


def _kernel_file_max() -> int:
    try:
        with open("/proc/sys/fs/nr_open") as f:
            return int(f.read())
    except (OSError, ValueError):
        return 1 << 20


def open_files() -> int:
    """Files this process holds now (an estimate where /proc is missing)."""
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 32


def connection_limit(config: HubConfig, file_limit: int, held: int) -> int:
    """`max_connections`, or what the file limit leaves once the hub's own files and the reserves are kept."""
    if config.max_connections:
        return config.max_connections
    return max(16, file_limit - held - RESERVE - MARGIN)
