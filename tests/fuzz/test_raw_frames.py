"""Raw Engine.IO / Socket.IO frames over a plain websocket: malformed packets, bad namespaces, bad
JSON, deep nesting, bad binary placeholders, invalid UTF-8, events before CONNECT. Whatever arrives,
the connection is then either still served (a probe event is answered) or closed by the hub, every
answer it gave carries a documented code, nothing leaks to other users, and the hub serves others."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType
from hypothesis import strategies as st

from hub.app_keys import SERVICE
from tests.fuzz.strategies import RESERVED, any_char, json_values
from tests.support.fuzz import Tally, campaign, check_answer
from tests.support.hubs import LoopHub, loop_hub_with
from tests.support.raw_engineio import RawSocket

#: Every Engine.IO packet type and beyond: digits of other scripts (int() takes them), letters, signs.
ENGINE_IO_TYPES = [*"0123456789", "٣", "߇", "a", "-", " ", "\u0000"]
NAMESPACES = ["", "/,", "/admin,", "/nope,", "/" + "n" * 300 + ",", "/\u0000,", "admin,"]
ACK_IDS = ["", "7", "0", "-1", "99999999999999999999999", "1e3"]
EVENTS = [
    "send_notification",
    "room_message",
    "broadcast",
    "ack",
    "sync",
    "join_room",
    *RESERVED,
    "notification",
    "",
    "x" * 500,
]


def _dumps(value: Any) -> str:
    return json.dumps(value, allow_nan=True)


socketio_packets = st.builds(
    lambda kind, ns, ack, body: f"4{kind}{ns}{ack}{body}",
    st.sampled_from("0123456789"),
    st.sampled_from(NAMESPACES),
    st.sampled_from(ACK_IDS),
    st.one_of(
        json_values.map(_dumps),
        st.tuples(st.sampled_from(EVENTS), json_values).map(lambda t: _dumps([t[0], t[1]])),
        st.text(any_char, max_size=60),
    ),
)


@st.composite
def binary_packets(draw: st.DrawFn) -> list[str | bytes]:
    """A binary event with placeholders that may not match the attachments that follow."""
    claimed = draw(st.sampled_from([0, 1, 2, 3, 1_000_000]))
    nums = draw(st.lists(st.one_of(st.integers(-3, 5), st.text(max_size=3), st.none()), min_size=0, max_size=3))
    placeholders = [{"_placeholder": True, "num": n} for n in nums]
    event = draw(st.sampled_from(["send_notification", "ack", "nope"]))
    head = f"45{claimed}-{draw(st.sampled_from(['', '7']))}" + _dumps([event, {"to": "bob", "message": placeholders}])
    frames: list[str | bytes] = [head]
    frames += draw(st.lists(st.one_of(st.binary(max_size=32), st.just('42["list_online"]')), max_size=4))
    return frames


def deep(depth: int) -> str:
    return '42["send_notification",' + "[" * depth + "]" * depth + "]"


frames_strategy = st.lists(
    st.one_of(
        socketio_packets,
        st.text(any_char, max_size=80),
        st.builds(lambda k, rest: k + rest, st.sampled_from(ENGINE_IO_TYPES), st.text(any_char, max_size=40)),
        st.binary(max_size=80),
        st.sampled_from(["2", "3", "2probe", "5", "6", "1", "4", "40", "41", "42", "43", "44", "45-", "4a"]),
        st.integers(10, 30_000).map(deep),
        binary_packets(),
        st.just(b"\xff\xfe\xfd invalid utf-8 as a TEXT frame"),
    ),
    min_size=1,
    max_size=4,
)


@pytest.fixture
def loop_hub(tmp_path: Path) -> Iterator[LoopHub]:
    with loop_hub_with(tmp_path / "hub", "alice", "bob") as hub:
        yield hub


async def one(hub: LoopHub, connect_first: bool, frames: list[Any]) -> str:
    raw = await RawSocket.open(hub.url)
    try:
        if connect_first:
            assert (await raw.connect({"token": hub.tokens["alice"]})).startswith("40{")
        for frame in _flatten(frames):
            if isinstance(frame, str) and frame.startswith("1"):
                # An Engine.IO CLOSE: the client ended its own session; the hub stops serving it
                # (the websocket itself lingers until the ping timeout unless the client closes it).
                await raw.send(frame)
                return "closed by client"
            if isinstance(frame, bytes) and frame.startswith(b"\xff\xfe\xfd"):
                await raw.ws._writer.send_frame(frame, WSMsgType.TEXT)  # invalid UTF-8 in a text frame
            else:
                await raw.send(frame)
        if not connect_first and not raw.closed:
            await raw.connect({"token": hub.tokens["alice"]})
        outcome, acks = await raw.probe({"token": hub.tokens["alice"]})
        for answer in acks:
            check_answer(answer)
        return outcome
    finally:
        await raw.close()


def _flatten(frames: list[Any]) -> list[str | bytes]:
    out: list[str | bytes] = []
    for frame in frames:
        out.extend(frame if isinstance(frame, list) else [frame])
    return out


def frames_campaign(hub: LoopHub, *, slow: bool) -> Tally:
    def nothing_stored_for_bob() -> None:
        bob = hub.store
        user = hub.run(bob.get_user("bob"))
        assert user is not None
        assert hub.run(bob.replay(user.id, 0, 10)) == [], "no raw frame got a notification stored for bob"

    return campaign(
        hub,
        "raw engine.io/socket.io frames",
        lambda connect_first, frames: one(hub, connect_first, frames),
        slow=slow,
        after=nothing_stored_for_bob,
        connect_first=st.booleans(),
        frames=frames_strategy,
    )


#: Socket.IO packet bodies for the sweep: empty, broken JSON, wrong shapes, namespaces, ack ids.
SWEEP_BODIES = ("", "{", "[]", '"x"', "null", '["send_notification"]', '["ack",{"id":-1}]', "/nope,", "7[", "-1[]")


def sweep_frames() -> list[list[str | bytes]]:
    """Every Engine.IO packet type alone, every Socket.IO packet type with every body kind, before
    and after CONNECT (each list is one connection's frames)."""
    frames: list[list[str | bytes]] = [[kind] for kind in ENGINE_IO_TYPES]
    frames += [[kind + "probe"] for kind in ENGINE_IO_TYPES] + [["10"], ["99"], ["7" * 100]]
    frames += [[f"4{kind}{body}"] for kind in range(10) for body in SWEEP_BODIES]
    frames += [[b"\x04" + bytes(range(16))], [b"\xff\xfe\xfd invalid utf-8 as a TEXT frame"]]
    return frames


def test_every_packet_type_is_answered_or_refused(loop_hub: LoopHub) -> None:
    """A fixed sweep (no randomness) over every packet type; the hypothesis campaign samples further."""
    tally = Tally()
    for frames in sweep_frames():
        for connect_first in (True, False):
            tally.add(loop_hub.run(one(loop_hub, connect_first, frames)))
    user = loop_hub.run(loop_hub.store.get_user("bob"))
    assert user is not None and loop_hub.run(loop_hub.store.replay(user.id, 0, 10)) == []
    loop_hub.run(loop_hub.still_serves())
    print(tally.line("raw frames sweep (every packet type)"), flush=True)
    assert {"served", "closed", "ignored until reconnect"} <= tally.outcomes.keys(), tally.outcomes


def test_reserved_event_names_are_unknown_events(loop_hub: LoopHub, caplog: pytest.LogCaptureFixture) -> None:
    """Every name python-socketio or the hub uses internally, with every kind of argument (a forged
    environ and another user's token, a line break, nothing), with and without an ack: an
    `unknown_event`, the session served as before, nobody else signed in, no error logged."""
    bob_token = loop_hub.tokens["bob"]
    arguments: list[list[Any]] = [
        [],
        ["x\n2026-01-01 00:00:00,000 INFO hub: FORGED"],
        [{"REMOTE_ADDR": "10.6.6.6\nFORGED"}, {"token": bob_token}],
        [{}, {"token": bob_token, "last_id": 0}],
        [None, None, None],
        [[["deep"]]],
    ]
    caplog.set_level(logging.INFO)
    tally = Tally()
    for name in RESERVED:
        for args in arguments:
            for ack in ("", "5"):
                frame = f"42{ack}{_dumps([name, *args])}"
                outcome = loop_hub.run(one(loop_hub, True, [frame]))
                tally.add(outcome)
                assert outcome == "served", (frame, outcome)
    assert "bob" not in loop_hub.running.app[SERVICE].presence.online_names()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info] == []
    assert not any(
        "FORGED" in r.getMessage()
        for r in caplog.records
        if r.name.startswith("hub.") and r.name not in ("hub.engineio", "hub.socketio")
    )
    loop_hub.run(loop_hub.still_serves())
    print(tally.line(f"raw frames: reserved event names ({len(RESERVED)})"), flush=True)


def test_raw_frames_are_answered_or_refused(loop_hub: LoopHub) -> None:
    assert frames_campaign(loop_hub, slow=False).tried > 0


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_raw_frames_are_answered_or_refused_long(loop_hub: LoopHub) -> None:
    assert frames_campaign(loop_hub, slow=True).tried > 0


# --------------------------------------------------------------------------- what the fuzzing found

MALFORMED = {
    # a binary event that claims no attachment: python-socketio waited for one forever and then
    # swallowed every later frame of the connection (a wedged session)
    "zero attachments": ['450-["send_notification",{"to":"bob","message":"x"}]'],
    # a text frame where an attachment was due: it was taken as the attachment
    "text instead of attachment": ['451-["send_notification",{"_placeholder":true,"num":0}]', '42["list_online"]'],
    # a placeholder pointing past the attachments: IndexError, then wedged
    "placeholder out of range": ['451-["send_notification",{"_placeholder":true,"num":3}]', b"abc"],
    # a claimed attachment count that makes the server buffer every later frame
    "a million attachments": ['451000000-["send_notification",{"_placeholder":true,"num":0}]'],
    # not JSON: a traceback in the log per packet, the connection kept
    "bad json": ['42["send_notification",{'],
    "deep nesting": [deep(5000)],
}


@pytest.mark.parametrize("frames", list(MALFORMED.values()), ids=list(MALFORMED))
async def test_a_malformed_packet_closes_only_that_connection(hub: Any, frames: list[str | bytes]) -> None:
    alice_token = await hub.user("alice")
    bob = await hub.client(await hub.user("bob"), name="bob")
    raw = await RawSocket.open(hub.url)
    try:
        assert (await raw.connect({"token": alice_token})).startswith("40{")
        for frame in frames:
            await raw.send(frame)
        outcome, acks = await raw.probe({"token": alice_token})
    finally:
        await raw.close()

    assert outcome == "closed" and acks == []
    assert (await bob.call("list_online"))["online"] == ["bob"], "alice's session ended with her connection"
    assert (await bob.call("send_notification", {"to": "bob", "message": "fine"}))["ok"]
