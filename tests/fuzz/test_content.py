"""Fuzz campaigns on what payloads hold: integers of any length anywhere in a Socket.IO packet or an
HTTP body, bidirectional controls and line separators in every text field, and floods of room joins
and leaves from several users at once. Every answer is `ok` or a documented code, never a closed
connection or a 500; afterwards the hub's memory is back near where it was and a fresh pair of
clients talks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import strategies as st

from hub.app_keys import SERVICE
from hub.protocol import BIDI_CONTROLS, Event
from tests.fuzz.strategies import VALID
from tests.support.clients import Client
from tests.support.fuzz import DOCUMENTED_CODES, Tally, campaign, check_answer
from tests.support.hubs import LoopHub, loop_hub_with
from tests.support.memory import assert_memory_returns, settled_rss
from tests.support.raw_engineio import RawSocket

PEOPLE = ("alice", "carol", "bob", "dave", "observer-a", "observer-b")


@pytest.fixture
def loop_hub(tmp_path: Path) -> Iterator[LoopHub]:
    limits = {
        "rate_burst": 100_000,
        "rate_refill_per_second": 1000.0,
        "membership_burst": 40,
        "membership_refill_per_second": 0.5,
        "rooms_per_user": 5,
        "retention_count": 20,
    }
    with loop_hub_with(tmp_path / "hub", *PEOPLE, admins={"alice"}, **limits) as hub:
        yield hub


# --------------------------------------------------------------------------- huge integers

CLIENT_EVENTS = sorted(e for e in VALID if e != Event.AUTHENTICATE)
MARK = "\x00NUMBER\x00"  # where the number goes in the JSON text (json.dumps escapes it as text)


@st.composite
def huge_number_cases(draw: st.DrawFn) -> tuple[str, str]:
    """(event, JSON text of its payload) with an integer of 20 to 20,000 digits in one field, in an
    added key, inside a list, or as the whole payload."""
    event = draw(st.sampled_from(CLIENT_EVENTS))
    digits = draw(st.integers(20, 20_000))
    number = draw(st.sampled_from(["", "-"])) + draw(st.sampled_from("123456789")) + "0" * (digits - 1)
    base: Any = dict(VALID[event])
    where = draw(st.sampled_from(["field", "extra", "list", "whole"]))
    if where == "field" and base:
        base[draw(st.sampled_from(sorted(base)))] = MARK
    elif where in ("field", "extra"):
        base["extra"] = MARK
    elif where == "list":
        base["values"] = [1, MARK, {"deep": [MARK]}]
    else:
        base = MARK
    return event, json.dumps(base).replace(json.dumps(MARK), number)


async def one_huge(hub: LoopHub, raw: RawSocket, ack: int, event: str, payload: str) -> str:
    await raw.send(f'42{ack}["{event}",{payload}]')
    while True:
        frame = await raw.receive()
        assert frame is not None, f"{event} with a huge number closed the connection"
        if isinstance(frame, str) and frame.startswith(f"43{ack}["):
            return check_answer(json.loads(frame[len(f"43{ack}") :])[0])


async def one_huge_http(hub: LoopHub, path: str, payload: str) -> str:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {hub.tokens['carol']}"}
    async with aiohttp.ClientSession() as http, http.post(hub.url + path, data=payload, headers=headers) as r:
        status, body = r.status, await r.read()
    assert status < 500, (path, status, body[:200])
    if status >= 400:
        assert json.loads(body)["error"]["code"] in DOCUMENTED_CODES, body[:200]
    return f"http {status}"


def huge_campaign(hub: LoopHub, *, slow: bool) -> Tally:
    raw = hub.run(RawSocket.open(hub.url))
    hub.run(raw.connect({"token": hub.tokens["carol"], "last_id": 0}))
    acks = iter(range(1, 10**9))
    baseline = settled_rss()

    async def example(case: tuple[str, str], path: str) -> tuple[str, str]:
        event, payload = case
        return await one_huge(hub, raw, next(acks), event, payload), await one_huge_http(hub, path, payload)

    def memory_returns() -> None:
        hub.run(raw.close())
        assert_memory_returns(baseline, "huge integers")

    paths = st.sampled_from(["/api/login", "/api/notifications"])
    return campaign(
        hub, "huge integers", example, slow=slow, after=memory_returns, case=huge_number_cases(), path=paths
    )


def test_huge_integers_anywhere_get_documented_answers(loop_hub: LoopHub) -> None:
    tally = huge_campaign(loop_hub, slow=False)
    assert tally.outcomes.get("invalid_payload", 0) > 0 and "internal" not in tally.outcomes


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_huge_integers_anywhere_get_documented_answers_long(loop_hub: LoopHub) -> None:
    assert "internal" not in huge_campaign(loop_hub, slow=True).outcomes


# --------------------------------------------------------------------------- bidi and separators

SEPARATORS = "\x85\u2028\u2029\n\r"
UNSAFE_ONE_LINE = frozenset(BIDI_CONTROLS + SEPARATORS)
tricky_text = st.text(
    st.one_of(
        st.sampled_from(BIDI_CONTROLS + SEPARATORS),
        st.sampled_from("abc .-_\u05d0\u0627\u200e\u200f\u061c"),  # letters, Hebrew, Arabic, LRM, RLM, ALM
    ),
    min_size=1,
    max_size=30,
)


@st.composite
def tricky_cases(draw: st.DrawFn) -> tuple[str, dict[str, Any], str]:
    """(event, payload, the field holding tricky text)."""
    event = draw(st.sampled_from([Event.SEND_NOTIFICATION, Event.ROOM_MESSAGE, Event.JOIN_ROOM, "login"]))
    text = draw(tricky_text)
    if event == "login":
        return event, {"username": "carol", "password": "x", "device": text}, "device"
    base = dict(VALID[event] if event != Event.ROOM_MESSAGE else {**VALID[event], "room": "lobby"})
    if event == Event.SEND_NOTIFICATION:
        base["to"] = "carol"
    field = draw(st.sampled_from(sorted(k for k in base if k != "type")))
    base[field] = text
    return str(event), base, field


async def one_tricky(hub: LoopHub, clients: dict[str, Client], event: str, payload: dict[str, Any], field: str) -> str:
    if event == "login":
        async with aiohttp.ClientSession() as http, http.post(hub.url + "/api/login", json=payload) as r:
            status, body = r.status, await r.json()
        if UNSAFE_ONE_LINE & set(payload["device"]):
            assert (status, body["error"]["code"]) == (400, "invalid_payload"), body
        else:
            assert status == 401, body  # a device label that passes; a password that does not
        return f"login {status}"
    client = clients.get("carol")
    if client is None or not client.sio.connected:
        client = clients["carol"] = await hub.client("carol")
    answer = await client.call(event, payload)
    outcome = check_answer(answer)
    unsafe = bool(UNSAFE_ONE_LINE & set(payload[field]))
    if field in ("title", "to", "room") and unsafe:
        assert outcome == "invalid_payload", (event, payload, answer)
    elif field in ("title", "message"):  # a body keeps whatever it holds; so does a title without these
        assert outcome == "ok", (event, payload, answer)
    return outcome


def tricky_campaign(hub: LoopHub, *, slow: bool) -> Tally:
    clients: dict[str, Client] = {}
    hub.run(hub.store.create_room("lobby", restricted=False, members=[]))
    baseline = settled_rss()

    def memory_returns() -> None:
        for client in clients.values():
            hub.run(client.close())
        assert_memory_returns(baseline, "bidi and separators")

    return campaign(
        hub,
        "bidi and separators",
        lambda case: one_tricky(hub, clients, *case),
        slow=slow,
        default=60,
        after=memory_returns,
        case=tricky_cases(),
    )


def test_bidi_and_separators_are_refused_in_one_line_fields_and_kept_in_bodies(loop_hub: LoopHub) -> None:
    tally = tricky_campaign(loop_hub, slow=False)
    assert {"ok", "invalid_payload"} <= tally.outcomes.keys(), tally.outcomes


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_bidi_and_separators_long(loop_hub: LoopHub) -> None:
    assert "internal" not in tricky_campaign(loop_hub, slow=True).outcomes


# --------------------------------------------------------------------------- floods of membership changes

FLOODERS = ("carol", "bob", "dave")


async def flood_memberships(hub: LoopHub, rounds: int) -> dict[str, int]:
    """Three users join and leave at once, each `rounds` times, over shared and new room names."""
    outcomes: dict[str, int] = {}

    async def one(name: str) -> None:
        client = await hub.client(name)
        for i in range(rounds):
            room = f"shared{i % 3}" if i % 2 else f"{name}-{i}"
            for event in ("join_room", "leave_room") if i % 4 else ("join_room",):
                outcome = check_answer(await client.call(event, room))
                assert outcome in {"ok", "rate_limited", "forbidden"}, outcome
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
        await client.close()

    await asyncio.gather(*(one(name) for name in FLOODERS))
    return outcomes


async def offline_inbox_survives(hub: LoopHub) -> None:
    """observer-a, offline in a shared room through the flood, still has what alice sent it."""
    store = hub.store
    observer = await store.get_user("observer-a")
    assert observer is not None
    messages = [n.message for n in await store.replay(observer.id, 0, 1000)]
    assert messages == [f"before the flood {i}" for i in range(5)], messages


def test_a_flood_of_membership_changes_is_limited_and_loses_nobody_anything(loop_hub: LoopHub) -> None:
    hub = loop_hub
    observer = hub.run(hub.store.get_user("observer-a"))
    assert observer is not None
    for i in range(3):
        hub.run(hub.store.join_room(f"shared{i}", observer.id))
    alice = hub.run(hub.client("alice"))
    for i in range(5):
        assert hub.run(alice.call("send_notification", {"to": "observer-a", "message": f"before the flood {i}"}))["ok"]
    baseline = settled_rss()

    outcomes = hub.run(flood_memberships(hub, rounds=40), timeout=120)

    print(f"membership flood: {outcomes}", flush=True)
    assert outcomes.get("rate_limited", 0) > 0, "the flood met the membership limit"
    assert outcomes.get("forbidden", 0) > 0, "and the rooms-per-user limit"
    rooms = hub.run(hub.store.list_rooms())
    made = [r for r in rooms if r.made_by is not None and not r.name.startswith("shared")]
    assert len(made) <= len(FLOODERS) * 5, [r.name for r in made]
    hub.run(hub.running.app[SERVICE].maintenance.prune())
    hub.run(offline_inbox_survives(hub))
    assert_memory_returns(baseline, "membership flood")
    hub.run(hub.still_serves())
