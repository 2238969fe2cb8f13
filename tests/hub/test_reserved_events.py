"""Event names the hub or python-socketio use internally, sent by a client as ordinary events
(`42["connect", ...]`), are refused as `unknown_event` like any unknown name: no handler runs, no
log line is forged, the session neither ends nor changes user, and nothing is logged as an error."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from tests.support.hubs import Hub
from tests.support.raw_engineio import RawSocket

#: python-socketio's reserved server events, its catch-all, and the client-side names it reserves.
RESERVED = ["connect", "disconnect", "*", "connect_error", "message"]
PACKET_LOGGERS = ("hub.engineio", "hub.socketio")


def forged_arguments(other_token: str) -> list[Any]:
    """What the hub's connect handler takes (environ, auth), with a line break to forge a log line."""
    return [{"REMOTE_ADDR": "10.6.6.6\n2026-01-01 00:00:00,000 INFO hub.namespace: FORGED"}, {"token": other_token}]


async def ack_of(raw: RawSocket, ack_id: int) -> Any:
    prefix = f"43{ack_id}["
    while True:
        frame = await raw.receive()
        assert frame is not None, "the hub closed the connection"
        if isinstance(frame, str) and frame.startswith(prefix):
            return json.loads(frame[len(prefix) - 1 :])[0]


@pytest.mark.parametrize("name", RESERVED)
async def test_a_reserved_name_is_an_unknown_event_and_runs_nothing(
    hub: Hub, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    alice_token = await hub.user("alice")
    bob_token = await hub.user("bob")
    watcher = await hub.client(await hub.user("carol"), name="carol")
    raw = await RawSocket.open(hub.url)
    try:
        assert (await raw.connect({"token": alice_token})).startswith("40{")
        caplog.set_level(logging.INFO)
        caplog.clear()

        await raw.send(f"427{json.dumps([name, *forged_arguments(bob_token)])}")
        answer = await ack_of(raw, 7)
        await raw.send(f'428["{name}"]')
        bare = await ack_of(raw, 8)
        outcome, _ = await raw.probe({"token": alice_token})
        online = (await watcher.call("list_online"))["online"]
        # The hub's own lines; python-engineio/socketio's packet loggers print packets as they came.
        logged = "\n".join(r.getMessage() for r in caplog.records if r.name not in PACKET_LOGGERS)
    finally:
        await raw.close()

    for got in (answer, bare):
        assert got["ok"] is False and got["error"]["code"] == "unknown_event", got
    assert outcome == "served", "the session was not ended"
    assert online == ["alice", "carol"], "alice is still alice, and bob never came online"
    assert "FORGED" not in logged and "bob connected" not in logged and "alice disconnected" not in logged
    assert [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info] == []


async def test_a_reserved_name_without_an_ack_gets_an_error_event(hub: Hub) -> None:
    raw = await RawSocket.open(hub.url)
    try:
        assert (await raw.connect({"token": await hub.user("alice")})).startswith("40{")
        await raw.send('42["disconnect","io server disconnect"]')
        while True:
            frame = await raw.receive()
            assert isinstance(frame, str), "the hub closed the connection"
            if frame.startswith('42["error"'):
                break
        error = json.loads(frame[2:])[1]
    finally:
        await raw.close()
    assert (error["code"], error["event"]) == ("unknown_event", "disconnect")


async def test_hundreds_of_them_write_no_log_lines_of_errors(hub: Hub, caplog: pytest.LogCaptureFixture) -> None:
    token = await hub.user("alice")
    raw = await RawSocket.open(hub.url)
    caplog.set_level(logging.INFO)
    try:
        assert (await raw.connect({"token": token})).startswith("40{")
        for i in range(500):
            await raw.send(f"42{json.dumps([RESERVED[i % len(RESERVED)], {'x': i}])}")
        outcome, _ = await raw.probe({"token": token})
    finally:
        await raw.close()
    assert outcome == "served"
    assert [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info] == []


@pytest.mark.parametrize("frame", ["42[1]", '42[{"a":1}]', "42[null]", '42[["connect"]]'])
async def test_an_event_name_that_is_not_text_closes_that_connection(
    hub: Hub, caplog: pytest.LogCaptureFixture, frame: str
) -> None:
    token = await hub.user("alice")
    bob = await hub.client(await hub.user("bob"), name="bob")
    raw = await RawSocket.open(hub.url)
    caplog.set_level(logging.INFO)
    try:
        assert (await raw.connect({"token": token})).startswith("40{")
        await raw.send(frame)
        outcome, acks = await raw.probe({"token": token})
    finally:
        await raw.close()
    assert (outcome, acks) == ("closed", [])
    assert (await bob.call("list_online"))["online"] == ["bob"]
    assert [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info] == []


async def test_acks_and_events_the_hub_did_not_ask_for_are_ignored_without_a_warning(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    """An ack packet for nothing the hub asked (python-socketio warned for each, and took id 0 for
    its id counter), and events before the namespace is connected (a warning each)."""
    token = await hub.user("alice")
    raw = await RawSocket.open(hub.url)
    caplog.set_level(logging.INFO)
    try:
        await raw.send('42["list_online"]')  # before CONNECT
        assert (await raw.connect({"token": token})).startswith("40{")
        for frame in ("430[]", "431[1]", '4399["x"]', "43[]"):
            await raw.send(frame)
        outcome, _ = await raw.probe({"token": token})
    finally:
        await raw.close()
    assert outcome == "served"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info] == []
