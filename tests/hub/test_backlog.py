"""The cap on what all connections together have unsent (hub/transport/backlog.py), without sockets and on a hub."""

from __future__ import annotations

from typing import Any

from engineio import packet as eio_packet

from hub.app_keys import SOCKETS
from hub.transport.backlog import Backlog
from hub.transport.frames import Frames
from tests.support.hubs import Hub
from tests.support.raw_http import RawHttp, polling_session, request
from tests.support.stuck import StuckReader, hold_little_in_the_kernel


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


class ClosesWhenMeasured(FakeConnection):
    """Like a HubSocket with frames written since its last figure that take it past its own cap:
    measuring it writes them out, and it closes itself, leaving the backlog."""

    def __init__(self, unsent: int, backlog: Backlog) -> None:
        super().__init__(unsent)
        self.backlog = backlog

    def unsent(self) -> int:
        if not self.why:
            self.abandon("past its own cap")
        return self.now

    def abandon(self, why: str) -> None:
        super().abandon(why)
        self.backlog.forget(self)


def test_a_connection_that_closes_itself_while_measured_is_let_go() -> None:
    backlog = Backlog(cap=100)
    small, closing = FakeConnection(40), ClosesWhenMeasured(50, backlog)
    backlog.note(closing, 50)
    backlog.note(small, 40)
    small.now = 60
    backlog.note(small, 60)  # over the cap, as of the last figures
    assert closing.why == "past its own cap" and not small.why
    assert closing not in backlog and backlog.total == 60 and backlog.trimmed == 0


async def test_a_connection_past_its_own_cap_while_the_total_is_counted_holds_nobody_up(hub_factory: Any) -> None:
    """In one loop iteration, a frame to a takes the total over the cap; counting again writes b's
    frame, which takes b past its own cap: b is closed, and bob still gets what he was sent after
    them (a KeyError used to end the iteration's writes there, and bob got nothing ever again)."""
    per_connection, total = 64 * 1024, 96 * 1024
    hub: Hub = await hub_factory(max_send_buffer=per_connection, max_send_buffer_total=total)
    eio = hub.running.app[SOCKETS].sio.eio
    carl = await hub.user("carl")
    stuck = [await StuckReader.connect(hub.url, {"token": carl}) for _ in range(2)]
    a, b = eio.sockets.values()
    bob = await hub.client(await hub.user("bob"), name="bob")
    (bobs_socket,) = [s for s in eio.sockets.values() if s not in (a, b)]
    try:
        for connection, target in ((b, 54 * 1024), (a, 28 * 1024)):  # 82 KB in all, under the total
            hold_little_in_the_kernel(connection)
            for _ in range(200):
                if connection.unsent() >= target:
                    break
                connection.push(_noop(1024))
        assert await bob.call("list_online")  # a loop iteration: the writes above are done with
        held_a, held_b = a.unsent(), b.unsent()
        assert held_a + held_b <= total and not eio.dropped_slow
        # The same frame to each: a ends up under its own cap, b over its own, the two over the total.
        assert held_b - held_a > 1024 and per_connection - 512 + held_b > total
        a.push(_noop(per_connection - held_a - 512))
        b.push(_noop(per_connection - held_a - 512))
        bobs_socket.push(Frames(text=b'2["server_announcement",{"message":"still here"}]'))
        assert (await bob.next("server_announcement"))["message"] == "still here"
    finally:
        for client in stuck:
            await client.close()
    assert b.stuck and not a.stuck and eio.dropped_slow == 1 and eio.backlog.trimmed == 0


def _noop(size: int) -> Frames:
    """An Engine.IO NOOP packet of about `size` bytes (a client that reads ignores it)."""
    return Frames([eio_packet.Packet(eio_packet.NOOP, "z" * size)])


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
