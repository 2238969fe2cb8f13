"""Every connection's next ping, on one timer.

python-engineio keeps a task per connection that sleeps until its next ping (memory per idle
client). The hub's sockets put themselves on this wheel instead (`HubSocket.schedule_ping`), once
their client has answered the last ping; the wheel pings each at most a tick late
(`HEARTBEAT_TICKS` ticks per `ping_interval`), never early.
"""

from __future__ import annotations

from collections.abc import Callable

from hub.config import HEARTBEAT_TICKS
from hub.transport.engine import HubSocket
from hub.transport.timerwheel import TimerWheel


class PingWheel:
    """The connections due a ping, and when."""

    def __init__(self, interval: Callable[[], float]) -> None:
        self._interval = interval  # read each time: the setting may change before start
        self._wheel: TimerWheel[HubSocket] = TimerWheel(self._tick, HubSocket.ping, "pinging a connection")

    def later(self, socket: HubSocket) -> None:
        """Ping `socket` once `ping_interval` has passed, at most a tick late."""
        if not (socket.closing or socket.closed):
            self._wheel.add(socket, self._interval())

    def cancel(self, socket: HubSocket) -> None:
        self._wheel.discard(socket)

    def clear(self) -> None:
        self._wheel.clear()

    def __contains__(self, socket: object) -> bool:
        return socket in self._wheel

    def __len__(self) -> int:
        return len(self._wheel)

    def _tick(self) -> float:
        return self._interval() / HEARTBEAT_TICKS
