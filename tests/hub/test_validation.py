"""Bad input gets the documented error, through the ack or as an `error` event; nobody else notices."""

from __future__ import annotations

from typing import Any

import pytest

from hub.errors import Unavailable
from tests.support.clients import drain_until_marker
from tests.support.hubs import Hub

BIG = "x" * 4097
CASES: list[tuple[str, Any, str]] = [
    ("send_notification", None, "invalid_payload"),
    ("send_notification", "bob", "invalid_payload"),
    ("send_notification", [1, 2], "invalid_payload"),
    ("send_notification", {}, "invalid_payload"),
    ("send_notification", {"to": "bob"}, "invalid_payload"),
    ("send_notification", {"to": "bob", "message": ""}, "invalid_payload"),
    ("send_notification", {"to": "bob", "message": 42}, "invalid_payload"),
    ("send_notification", {"to": "bob", "message": ["a"]}, "invalid_payload"),
    ("send_notification", {"to": "bob", "message": {"deep": {"er": [1]}}}, "invalid_payload"),
    ("send_notification", {"to": "bob", "message": "hi", "type": "shout"}, "invalid_payload"),
    ("send_notification", {"to": "bob", "message": "hi", "title": 7}, "invalid_payload"),
    ("send_notification", {"to": "bob", "message": "nul\x00byte"}, "invalid_payload"),
    ("send_notification", {"to": "bob", "message": "bell\x07"}, "invalid_payload"),
    ("send_notification", {"to": "bob", "message": "hi", "title": "two\nlines"}, "invalid_payload"),
    ("send_notification", {"to": "../etc", "message": "hi"}, "invalid_payload"),
    ("send_notification", {"to": "bob", "message": BIG}, "too_large"),
    ("send_notification", {"to": "bob", "message": "é" * 2049}, "too_large"),
    ("send_notification", {"to": "bob", "message": "hi", "title": "t" * 201}, "too_large"),
    ("send_notification", {"to": "nobody", "message": "hi"}, "not_found"),
    ("send_notification", b"\x00\x01binary", "invalid_payload"),
    ("room_message", {"room": "dev"}, "invalid_payload"),
    ("room_message", {"room": "no spaces", "message": "hi"}, "invalid_payload"),
    ("room_message", {"room": "nowhere", "message": "hi"}, "not_found"),
    ("join_room", None, "invalid_payload"),
    ("join_room", "", "invalid_payload"),
    ("join_room", "x" * 65, "invalid_payload"),
    ("join_room", {"room": ["dev"]}, "invalid_payload"),
    ("leave_room", 12, "invalid_payload"),
    ("room_message", {"room": "dev", "message": BIG}, "too_large"),
    ("room_message", {"room": "dev", "message": "hi", "title": "t" * 201}, "too_large"),
    ("room_message", {"room": 5, "message": "hi"}, "invalid_payload"),
    ("room_message", {"room": "dev", "message": "hi", "type": ["info"]}, "invalid_payload"),
    ("room_message", "dev", "invalid_payload"),
    ("leave_room", {"room": "no spaces"}, "invalid_payload"),
    ("leave_room", "x" * 65, "invalid_payload"),
    ("ack", {"id": "7"}, "invalid_payload"),
    ("ack", {"id": -1}, "invalid_payload"),
    ("ack", {"id": 1.5}, "invalid_payload"),
    ("ack", 7, "invalid_payload"),
    ("sync", {}, "invalid_payload"),
    ("sync", {"since": "0"}, "invalid_payload"),
    ("sync", {"since": None}, "invalid_payload"),
    ("broadcast", {"message": 1}, "invalid_payload"),
    ("broadcast", None, "invalid_payload"),
    ("broadcast", {"message": BIG}, "too_large"),
    ("broadcast", {"message": "hi", "type": "shout"}, "invalid_payload"),
    ("announce", {}, "invalid_payload"),
    ("announce", "server down", "invalid_payload"),
    ("announce", {"message": 1}, "invalid_payload"),
    ("announce", {"message": BIG}, "too_large"),
    ("announce", {"message": "hi", "title": "t" * 201}, "too_large"),
    ("announce", {"message": "hi", "title": "a\rb"}, "invalid_payload"),
    ("no_such_event", {"x": 1}, "unknown_event"),
]


@pytest.mark.parametrize(("event", "payload", "code"), CASES)
async def test_bad_payload_answers_the_documented_error_through_the_ack(
    hub: Hub, event: str, payload: Any, code: str
) -> None:
    alice = await hub.client(await hub.user("alice", admin=True))
    await hub.user("bob")

    answer = await alice.call(event, payload)

    assert answer["ok"] is False
    assert answer["error"]["code"] == code
    assert isinstance(answer["error"]["message"], str) and answer["error"]["message"]


@pytest.mark.parametrize("event", ["list_online", "list_users", "list_rooms", "authenticate"])
async def test_events_without_a_payload_ignore_whatever_comes_with_them(hub: Hub, event: str) -> None:
    # On a token hub `authenticate` is accepted harmlessly: it never changes who the client is.
    alice = await hub.client(await hub.user("alice"))
    await hub.user("root", admin=True)

    for payload in [None, "junk", 42, [1, 2], {"userId": "root"}, {"deep": {"er": [BIG]}}]:
        answer = await alice.call(event, payload)
        assert answer["ok"] is True, payload
        if event == "authenticate":
            assert answer["user"] == {"name": "alice", "admin": False}


@pytest.mark.parametrize(
    ("payload", "code"),
    [(None, "invalid_payload"), ("alice", "invalid_payload"), ({"userId": "no spaces"}, "invalid_payload"),
     ({"userId": 5}, "invalid_payload"), ({"userId": "x" * 65}, "invalid_payload")],
)  # fmt: skip
async def test_authenticate_in_open_mode_validates_the_claimed_name(hub_factory: Any, payload: Any, code: str) -> None:
    hub = await hub_factory(open=True)
    client = await hub.client(None)

    answer = await client.call("authenticate", payload)

    assert answer["ok"] is False and answer["error"]["code"] == code and answer["error"]["message"]
    ok = await client.call("authenticate", {"userId": "alice", "username": "Alice"})
    assert ok == {"ok": True, "user": {"name": "alice", "admin": False}}, "a mistake does not end the connection"


async def test_without_an_ack_the_error_comes_as_an_error_event(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))

    await alice.sio.emit("send_notification", {"to": "bob", "message": 42})
    await alice.sio.emit("what_is_this", 1)

    first, second = await alice.next("error"), await alice.next("error")
    assert first["code"] == "invalid_payload" and first["event"] == "send_notification"
    assert second["code"] == "unknown_event" and second["event"] == "what_is_this"


async def test_a_flood_of_bad_input_disturbs_nobody_else(hub: Hub) -> None:
    mallory = await hub.client(await hub.user("mallory"))
    alice = await hub.client(await hub.user("alice"))
    bob = await hub.client(await hub.user("bob"), name="bob")

    for event, payload, _ in CASES * 3:
        await mallory.sio.emit(event, payload)
    ack = await alice.call("send_notification", {"to": "bob", "message": "still here?"})

    assert ack["ok"]
    assert [n["message"] for n in await drain_until_marker(bob)] == ["still here?"]
    assert (await mallory.call("list_online"))["ok"], "the sender of bad input is still connected too"
    assert await hub.store.integrity_check() == "ok"  # type: ignore[attr-defined]


async def test_rate_limit_answers_rate_limited_with_retry_after(hub_factory: Any) -> None:
    hub = await hub_factory(rate_burst=3, rate_refill_per_second=0.1)
    alice = await hub.client(await hub.user("alice"))
    await hub.user("bob")

    answers = [await alice.call("send_notification", {"to": "bob", "message": f"m{i}"}) for i in range(4)]

    assert [a["ok"] for a in answers] == [True, True, True, False]
    error = answers[3]["error"]
    assert error["code"] == "rate_limited" and error["retry_after"] == 10
    assert "try again in 10 s" in error["message"]


async def test_rate_limits_are_per_user(hub_factory: Any) -> None:
    hub = await hub_factory(rate_burst=1, rate_refill_per_second=0.01)
    alice = await hub.client(await hub.user("alice"))
    carol = await hub.client(await hub.user("carol"))
    await hub.user("bob")

    assert (await alice.call("send_notification", {"to": "bob", "message": "a"}))["ok"]
    assert not (await alice.call("send_notification", {"to": "bob", "message": "b"}))["ok"]
    assert (await carol.call("send_notification", {"to": "bob", "message": "c"}))["ok"]


async def test_a_send_the_store_fails_is_refused_with_or_without_an_ack(hub: Hub, monkeypatch: Any) -> None:
    """Accepted, then the store fails (a full disk): the sender is told, through its ack or, when it
    asked for none, an `error` event; the next send after the store recovers goes through."""
    alice = await hub.client(await hub.user("alice"))
    bob = await hub.client(await hub.user("bob"), name="bob")
    store_add = hub.store.add

    async def failing(drafts: Any) -> Any:
        raise Unavailable("the disk is full")

    monkeypatch.setattr(hub.store, "add", failing)
    answer = await alice.call("send_notification", {"to": "bob", "message": "with an ack"})
    await alice.sio.emit("send_notification", {"to": "bob", "message": "without"})
    error = await alice.next("error")
    monkeypatch.setattr(hub.store, "add", store_add)

    assert answer["ok"] is False and answer["error"]["code"] == "unavailable"
    assert error["code"] == "unavailable" and error["event"] == "send_notification" and error["message"]
    assert (await alice.call("send_notification", {"to": "bob", "message": "later"}))["ok"]
    assert [n["message"] for n in await drain_until_marker(bob)] == ["later"]
