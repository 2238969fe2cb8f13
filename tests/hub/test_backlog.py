"""The cap on what all connections together have unsent (hub/backlog.py), without sockets."""

from __future__ import annotations

from typing import Any

from hub.app import SOCKETS
from hub.backlog import Backlog
from tests.conftest import Hub
from tests.support.raw_http import RawHttp, polling_session, request


class FakeConnection:
    def __init__(self, unsent: int) -> None:
        self.now = unsent
        self.why = ""

    def unsent(self) -> int:
        return self.now

    def abandon(self, why: str) -> None:
        self.why = why
        self.now = 0


def test_past_the_cap_the_connection_holding_most_is_closed() -> None:
    backlog = Backlog(cap=100)
    small, big, middle = FakeConnection(20), FakeConnection(50), FakeConnection(30)
    for connection in (small, big, middle):
        backlog.note(connection, connection.now)
    assert backlog.total == 100 and not big.why
    small.now = 25
    backlog.note(small, 25)
    assert big.why and not small.why and not middle.why
    assert backlog.total == 55 and backlog.trimmed == 1


def test_what_clients_read_meanwhile_is_counted_before_closing_anyone() -> None:
    backlog = Backlog(cap=100)
    a, b = FakeConnection(60), FakeConnection(40)
    backlog.note(a, 60)
    backlog.note(b, 40)
    a.now = 0  # a read everything since its last write
    b.now = 70
    backlog.note(b, 70)
    assert not a.why and not b.why and backlog.total == 70 and len(backlog) == 1


def test_a_connection_with_nothing_unsent_is_not_kept() -> None:
    backlog = Backlog(cap=100)
    connection = FakeConnection(10)
    backlog.note(connection, 10)
    backlog.note(connection, 0)
    assert len(backlog) == 0 and backlog.total == 0
    backlog.note(connection, 5)
    backlog.forget(connection)
    assert connection not in backlog and backlog.total == 0


async def test_sessions_closed_with_their_close_packet_unread_are_not_kept(hub_factory: Any) -> None:
    """Long-polling sessions that never poll again, closed by their sign-in deadline: the close packet
    waits in their queue for ever, and the backlog used to keep each of them (and their memory)."""
    hub: Hub = await hub_factory(sign_in_timeout=0.5)
    eio = hub.running.app[SOCKETS].sio.eio
    for _ in range(5):
        await polling_session(hub.url)  # and never polled again
    watched = await polling_session(hub.url)  # the last deadline of all
    raw = await RawHttp.open(hub.url)
    try:
        await raw.send(request("GET", f"/socket.io/?EIO=4&transport=polling&sid={watched}"))
        assert (await raw.answer()).body.startswith(b"1")  # Engine.IO CLOSE: its deadline passed
    finally:
        await raw.close()
    assert eio.dropped_unsigned == 6
    assert len(eio.backlog) == 0 and eio.backlog.total == 0
