"""The connection's state, as the tray shows it, and the reconnect backoff.

::

    SIGNED_OUT --start--> CONNECTING --connected--> CONNECTED --dropped--> RECONNECTING
                              |                        ^                      |
                              +--failed--> RECONNECTING+--connected-----------+
                                                |  (after `offline_after` failures in a row)
                                                +--failed--> OFFLINE (still retrying)
    any active state --auth_refused--> AUTH_FAILED (until the user signs in again)
    any state --stopped--> SIGNED_OUT
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final, Literal

from desktop.errors import InvalidTransitionError


class ConnectionState(StrEnum):
    SIGNED_OUT = "signed_out"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"
    AUTH_FAILED = "auth_failed"


TrayState = Literal["connected", "connecting", "offline"]

_TRAY: Final[dict[ConnectionState, TrayState]] = {
    ConnectionState.SIGNED_OUT: "offline",
    ConnectionState.CONNECTING: "connecting",
    ConnectionState.CONNECTED: "connected",
    ConnectionState.RECONNECTING: "connecting",
    ConnectionState.OFFLINE: "offline",
    ConnectionState.AUTH_FAILED: "offline",
}

_ACTIVE: Final = frozenset(
    {ConnectionState.CONNECTING, ConnectionState.CONNECTED, ConnectionState.RECONNECTING, ConnectionState.OFFLINE}
)
_TRYING: Final = frozenset({ConnectionState.CONNECTING, ConnectionState.RECONNECTING, ConnectionState.OFFLINE})


@dataclass(frozen=True, slots=True)
class ConnectionStatus:
    state: ConnectionState = ConnectionState.SIGNED_OUT
    #: Failed attempts in a row since the last successful connect.
    failures: int = 0
    #: Why we are not connected (last error), in plain words; empty when connected.
    reason: str = ""

    @property
    def tray_state(self) -> TrayState:
        """Which tray artwork shows this state."""
        return _TRAY[self.state]

    def describe(self) -> str:
        """One line for the tooltip and the status window."""
        match self.state:
            case ConnectionState.SIGNED_OUT:
                return "Signed out"
            case ConnectionState.CONNECTING:
                return "Connecting…"
            case ConnectionState.CONNECTED:
                return "Connected"
            case ConnectionState.RECONNECTING:
                attempt = f" (attempt {self.failures + 1})" if self.failures else ""
                return f"Reconnecting{attempt}…"
            case ConnectionState.OFFLINE:
                return f"Offline: {self.reason}" if self.reason else "Offline"
            case ConnectionState.AUTH_FAILED:
                return f"Sign-in needed: {self.reason}" if self.reason else "Sign-in needed"


Listener = Callable[[ConnectionStatus], None]


class ConnectionStateMachine:
    """Tracks the connection's state; listeners hear every change."""

    def __init__(self, *, offline_after: int = 3) -> None:
        self._status = ConnectionStatus()
        self._offline_after = offline_after
        self._listeners: list[Listener] = []

    @property
    def status(self) -> ConnectionStatus:
        return self._status

    @property
    def state(self) -> ConnectionState:
        return self._status.state

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _set(self, status: ConnectionStatus) -> None:
        if status == self._status:
            return
        self._status = status
        for listener in list(self._listeners):
            listener(status)

    def _require(self, event: str, allowed: frozenset[ConnectionState]) -> None:
        if self._status.state not in allowed:
            raise InvalidTransitionError(f"cannot {event} while {self._status.state.value}")

    def start(self) -> None:
        """Signed in (or signed in again): the first attempt begins."""
        self._require("start", frozenset({ConnectionState.SIGNED_OUT, ConnectionState.AUTH_FAILED}))
        self._set(ConnectionStatus(ConnectionState.CONNECTING))

    def connected(self) -> None:
        self._require("connect", _TRYING)
        self._set(ConnectionStatus(ConnectionState.CONNECTED))

    def failed(self, reason: str) -> None:
        """An attempt failed for a reason worth retrying (network, hub down, timeout)."""
        self._require("fail", _TRYING)
        failures = self._status.failures + 1
        state = ConnectionState.OFFLINE if failures >= self._offline_after else ConnectionState.RECONNECTING
        self._set(ConnectionStatus(state, failures=failures, reason=reason))

    def dropped(self, reason: str) -> None:
        """An established connection was lost."""
        self._require("drop", frozenset({ConnectionState.CONNECTED}))
        self._set(ConnectionStatus(ConnectionState.RECONNECTING, reason=reason))

    def auth_refused(self, reason: str) -> None:
        """The hub refused the token: no more retries until the user signs in again."""
        self._require("refuse", _ACTIVE)
        self._set(replace(self._status, state=ConnectionState.AUTH_FAILED, reason=reason))

    def stopped(self) -> None:
        """Signed out or quitting."""
        self._set(ConnectionStatus(ConnectionState.SIGNED_OUT))


class Backoff:
    """Exponential backoff with jitter: initial, initial*factor, ... capped at `maximum`.

    `rng` returns a float in [0, 1); inject a fixed one in tests for exact delays.
    """

    def __init__(
        self,
        *,
        initial: float = 1.0,
        factor: float = 2.0,
        maximum: float = 60.0,
        jitter: float = 0.25,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if initial <= 0 or factor < 1 or maximum < initial or not 0 <= jitter < 1:
            raise ValueError("backoff needs 0 < initial <= maximum, factor >= 1 and 0 <= jitter < 1")
        self._initial = initial
        self._factor = factor
        self._maximum = maximum
        self._jitter = jitter
        self._rng = rng
        self._attempt = 0

    def next_delay(self) -> float:
        """The wait before the next attempt; each call backs off further."""
        base = min(self._maximum, self._initial * self._factor**self._attempt)
        if base < self._maximum:
            self._attempt += 1  # stop counting at the cap: no float overflow after days offline
        # Spread clients that lost the same hub so they do not all come back at once.
        return base * (1 - self._jitter * self._rng())

    def reset(self) -> None:
        self._attempt = 0
