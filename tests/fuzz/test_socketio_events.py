"""Every Socket.IO event, fed hostile payloads by a real python-socketio client: each gets
`{ok: true}` or a documented error code (never `internal`), or, for a packet over 64 KiB, Engine.IO
closes that one connection. Afterwards the hub still serves other clients and its store is intact."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import Client
from tests.fuzz.strategies import socketio_events
from tests.fuzz.support import LoopHub, Tally, check_answer, fuzz_settings


@pytest.fixture
def loop_hub(tmp_path: Path) -> Iterator[LoopHub]:
    hub = LoopHub(tmp_path / "hub", rate_burst=100_000, rate_refill_per_second=1000.0)
    try:
        for name, admin in (("alice", True), ("carol", False), ("bob", False)):
            hub.run(hub.user(name, admin=admin))
        for name in ("observer-a", "observer-b"):
            hub.run(hub.user(name))
        yield hub
    finally:
        hub.close()


def campaign(hub: LoopHub, *, slow: bool) -> Tally:
    tally = Tally()
    clients: dict[str, Client] = {}

    async def one(who: str, event: str, payload: Any) -> str:
        client = clients.get(who)
        if client is None or not client.sio.connected:
            client = clients[who] = await hub.client(who)
        try:
            answer = await client.call(event, payload) if payload is not None else await client.call(event)
        except Exception:
            # Only an oversized packet may end a connection (Engine.IO's documented limit).
            if client.sio.connected:
                raise
            await client.disconnected.wait()
            return "closed: packet too large"
        return check_answer(answer)

    @fuzz_settings(slow=slow)
    @given(who=_actors, case=socketio_events())
    def example(who: str, case: tuple[str, Any]) -> None:
        event, payload = case
        tally.add(hub.run(one(who, event, payload)))

    example()
    hub.run(hub.still_serves())
    print(tally.line("socket.io events"), flush=True)
    return tally


_actors = st.sampled_from(["alice", "carol"])


def test_socketio_events_get_documented_answers(loop_hub: LoopHub) -> None:
    tally = campaign(loop_hub, slow=False)
    assert tally.tried > 0 and "internal" not in tally.outcomes


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_socketio_events_get_documented_answers_long(loop_hub: LoopHub) -> None:
    tally = campaign(loop_hub, slow=True)
    assert tally.tried > 0 and "internal" not in tally.outcomes
