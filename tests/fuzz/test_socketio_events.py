"""Every Socket.IO event, fed hostile payloads by a real python-socketio client: each gets
`{ok: true}` or a documented error code (never `internal`), or, for a packet over 64 KiB, Engine.IO
closes that one connection. Afterwards the hub still serves other clients and its store is intact."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import strategies as st

from hub.protocol import MAX_PACKET_BYTES, Event
from tests.fuzz.strategies import BAD_PAYLOADS, BAD_VALUES, NO_PAYLOAD, RESERVED, VALID, socketio_events
from tests.support.clients import Client, refused
from tests.support.fuzz import Tally, campaign, check_answer
from tests.support.hubs import LoopHub, loop_hub_with


@pytest.fixture
def loop_hub(tmp_path: Path) -> Iterator[LoopHub]:
    fast = {"rate_burst": 100_000, "rate_refill_per_second": 1000.0}
    with loop_hub_with(tmp_path / "hub", "alice", "carol", "bob", admins={"alice"}, **fast) as hub:
        yield hub


async def one(hub: LoopHub, clients: dict[str, Client], who: str, event: str, payload: Any) -> str:
    """Send one event as `who` (connecting first if needed): the hub's answer, checked."""
    client = clients.get(who)
    if client is None or not client.sio.connected:
        client = clients[who] = await hub.client(who)
    call = asyncio.ensure_future(client.call(event, None if payload is NO_PAYLOAD else payload))
    closed = asyncio.ensure_future(client.disconnected.wait())
    await asyncio.wait({call, closed}, return_when=asyncio.FIRST_COMPLETED)
    closed.cancel()
    if not call.done():
        # Only an oversized packet may end a connection (Engine.IO's documented limit).
        call.cancel()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await call
        size = len(json.dumps(payload, default=repr)) if payload is not NO_PAYLOAD else 0
        assert size > MAX_PACKET_BYTES, f"{event} {payload!r:.200} ended the connection"
        return "closed: packet too large"
    return check_answer(call.result())


def events_campaign(hub: LoopHub, *, slow: bool) -> Tally:
    clients: dict[str, Client] = {}

    async def example(who: str, case: tuple[str, Any]) -> str:
        event, payload = case
        return await one(hub, clients, who, event, payload if payload is not None else NO_PAYLOAD)

    return campaign(hub, "socket.io events", example, slow=slow, who=_actors, case=socketio_events())


_actors = st.sampled_from(["alice", "carol"])


def sweep_cases() -> list[tuple[str, Any]]:
    """Every event name the hub knows (both directions), each with every kind of bad payload, and every
    field of each client event replaced by every kind of bad value or left out."""
    cases: list[tuple[str, Any]] = []
    for event in [str(e) for e in Event] + list(RESERVED):
        cases += [(event, payload) for payload in BAD_PAYLOADS]
        base = VALID.get(event, {})
        for key in base:
            cases.append((event, {k: v for k, v in base.items() if k != key}))
            cases += [(event, {**base, key: bad}) for bad in BAD_VALUES]
        if base:
            cases.append((event, {**base, "from": "admin", "id": 1, "admin": True, "userId": "root"}))
    return cases


def test_every_event_and_field_gets_a_documented_answer(loop_hub: LoopHub) -> None:
    """A fixed sweep (no randomness): the hypothesis campaign below samples; this covers every cell."""
    tally = Tally()
    clients: dict[str, Client] = {}
    cases = sweep_cases()
    for who in ("alice", "carol"):  # an admin and a plain user
        for event, payload in cases:
            tally.add(loop_hub.run(one(loop_hub, clients, who, event, payload)))
    loop_hub.run(loop_hub.still_serves())
    print(tally.line(f"socket.io sweep ({len(Event)} events, {len(RESERVED)} reserved names)"), flush=True)
    expected = {"ok", "invalid_payload", "too_large", "unknown_event", "forbidden", "closed: packet too large"}
    assert expected <= tally.outcomes.keys(), tally.outcomes


def test_socketio_events_get_documented_answers(loop_hub: LoopHub) -> None:
    tally = events_campaign(loop_hub, slow=False)
    assert tally.tried > 0 and "internal" not in tally.outcomes


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_socketio_events_get_documented_answers_long(loop_hub: LoopHub) -> None:
    tally = events_campaign(loop_hub, slow=True)
    assert tally.tried > 0 and "internal" not in tally.outcomes


# --------------------------------------------------------------------------- what the sweep found

BEYOND_64_BITS = 2**63  # one past the largest id SQLite and PostgreSQL store


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("sync", {"since": 2**70}),  # was `internal`: OverflowError in SQLite
        ("sync", {"since": BEYOND_64_BITS}),
        ("ack", {"id": BEYOND_64_BITS}),
    ],
)
async def test_an_id_beyond_64_bits_is_an_invalid_payload(hub: Any, event: str, payload: dict[str, Any]) -> None:
    client = await hub.client(await hub.user("alice"), name="alice")
    answer = await client.call(event, payload)
    assert answer["error"]["code"] == "invalid_payload", answer
    assert (await client.call("sync", {"since": BEYOND_64_BITS - 1}))["ok"]  # the largest id is fine


async def test_a_last_id_beyond_64_bits_is_refused_at_connect(hub: Any) -> None:
    token = await hub.user("alice")
    assert (await refused(hub.url, {"token": token, "last_id": BEYOND_64_BITS}))["data"]["code"] == "invalid_payload"


async def test_a_history_since_beyond_64_bits_is_an_invalid_payload(hub: Any) -> None:
    token = await hub.user("alice")
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{hub.url}/api/notifications?since={BEYOND_64_BITS}"
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as response:
        assert (response.status, (await response.json())["error"]["code"]) == (400, "invalid_payload")
