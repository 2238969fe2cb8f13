"""Numbers of thousands of digits in JSON: every HTTP body and every Socket.IO payload gets a
documented refusal naming the field (CPython refuses to make an int of more than 4,300 digits, which
was a 500 `internal` on HTTP and a dropped connection on Socket.IO)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from hub import jsonwire
from tests.support.hubs import Hub
from tests.support.raw_engineio import RawSocket

HUGE = "9" * 5000  # past CPython's int-string conversion limit (4,300 digits)


def test_any_number_parses_and_an_integer_past_64_bits_is_a_float() -> None:
    assert jsonwire.loads(f'{{"a": {HUGE}, "b": -{HUGE}}}') == {"a": float("inf"), "b": float("-inf")}
    assert jsonwire.loads("[18446744073709551615, 9223372036854775807]") == [2**64 - 1, 2**63 - 1]
    assert jsonwire.loads(b'{"a": NaN, "b": 1e99999, "c": ' + b"1" * 21 + b"}")["c"] == float("1" * 21)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/login", f'{{"username": "alice", "password": "x", "device": {HUGE}}}'),
        ("/api/login", f'{{"username": {HUGE}, "password": "x"}}'),
        ("/api/login", HUGE),
        ("/api/notifications", f'{{"to": "alice", "message": "hi", "everyone": {HUGE}}}'),
        ("/api/notifications", f'{{"to": "alice", "message": "hi", "ignored": [{HUGE}], "title": -{HUGE}}}'),
        ("/api/logout", f"[{HUGE}]"),
    ],
)
async def test_an_http_body_with_a_huge_integer_is_a_400(hub: Hub, path: str, body: str) -> None:
    token = await hub.user("alice")
    headers = {"Content-Type": "application/json"}
    if path != "/api/login":
        headers["Authorization"] = f"Bearer {token}"
    async with aiohttp.ClientSession() as http, http.post(hub.url + path, data=body, headers=headers) as response:
        answer = await response.json()
        status = response.status
    if path == "/api/logout":  # it reads no body: the token is what counts
        assert status == 200, answer
        return
    assert (status, answer["error"]["code"]) == (400, "invalid_payload"), answer
    assert "internal" not in str(answer)


async def _ack(raw: RawSocket, ack_id: int) -> Any:
    while True:
        frame = await raw.receive()
        assert frame is not None, "the hub closed the connection"
        if isinstance(frame, str) and frame.startswith(f"43{ack_id}["):
            return jsonwire.loads(frame[len(f"43{ack_id}") :])[0]


@pytest.mark.parametrize(
    "event",
    [
        f'["sync", {{"since": {HUGE}}}]',
        f'["send_notification", {{"to": "alice", "message": "hi", "type": {HUGE}}}]',
        f'["join_room", {{"room": -{HUGE}}}]',
        f'["send_notification", {{"to": "alice", "message": "hi", "extra": {HUGE}}}, {HUGE}]',
        f'["no_such_event", {HUGE}]',
    ],
)
async def test_a_socketio_event_with_a_huge_integer_gets_a_documented_answer(hub: Hub, event: str) -> None:
    token = await hub.user("alice")
    raw = await RawSocket.open(hub.url)
    try:
        assert (await raw.connect({"token": token, "last_id": 0})).startswith("40{")
        await raw.send(f"427{event}")
        answer = await _ack(raw, 7)
        if '"extra"' in event:  # an unknown key is ignored, whatever it holds
            assert answer["ok"], answer
        elif "no_such_event" in event:
            assert answer["error"]["code"] == "unknown_event", answer
        else:
            assert answer["error"]["code"] == "invalid_payload", answer
        assert (await raw.probe({"token": token}))[0] == "served"
    finally:
        await raw.close()


async def test_a_connect_with_a_huge_last_id_is_refused_as_invalid(hub: Hub) -> None:
    token = await hub.user("alice")
    raw = await RawSocket.open(hub.url)
    try:
        await raw.send(f'40{{"token": "{token}", "last_id": {HUGE}}}')
        answer = await raw.receive()
        assert isinstance(answer, str) and answer.startswith("44"), answer
        assert jsonwire.loads(answer[2:])["data"]["code"] == "invalid_payload"
    finally:
        await raw.close()
