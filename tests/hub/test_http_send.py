"""The HTTP send API: JSON and curl forms, tokens, validation, limits, the inbox; what Socket.IO clients see."""

from __future__ import annotations

from typing import Any
from unittest.mock import ANY

import pytest
from pydantic import BaseModel

from hub.protocol import Broadcast, RoomMessage, SendNotification
from hub.store import TokenKind
from tests.support.clients import refused
from tests.support.http import call
from tests.support.hubs import Hub


async def send_only_token(hub: Hub, name: str) -> str:
    return (await hub.accounts.issue_token(name, "ci", TokenKind.SEND)).secret


async def test_json_send_reaches_the_recipients_socketio_client(hub: Hub) -> None:
    alice = await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))

    answer = await call(
        hub,
        "POST",
        "/api/notifications",
        token=alice,
        json={"to": "bob", "type": "error", "title": "CI", "message": "Build 118 failed"},
    )

    assert answer.status == 201
    assert answer.body == {"id": answer.body["id"], "recipients": 1}
    note = await bob.next("notification")
    assert (note["id"], note["from"], note["type"], note["title"], note["message"]) == (
        answer.body["id"],
        "alice",
        "error",
        "CI",
        "Build 118 failed",
    )


async def test_curl_form_takes_the_body_as_text_and_options_from_headers_or_query(hub: Hub) -> None:
    token = await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))

    first = await call(
        hub, "POST", "/api/notify/bob", token=token, data="Backup failed\n", headers={"X-Title": "nightly"}
    )
    second = await call(
        hub, "POST", "/api/notify/bob", token=token, data="Disk at 91%", params={"type": "warning", "title": "disk"}
    )

    assert (first.status, second.status) == (201, 201)
    got = [await bob.next("notification") for _ in range(2)]
    assert [(n["message"], n["title"], n["type"]) for n in got] == [
        ("Backup failed", "nightly", "message"),
        ("Disk at 91%", "disk", "warning"),
    ]


class CountingValidator:
    """Stands in for a model's pydantic validator: records each validation, then does it."""

    def __init__(self, model: type[BaseModel], seen: list[str]) -> None:
        self.real, self.name, self.seen = model.__pydantic_validator__, model.__name__, seen

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def validate_python(self, *args: Any, **kwargs: Any) -> Any:
        self.seen.append(self.name)
        return self.real.validate_python(*args, **kwargs)


async def test_an_http_send_is_validated_once(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """The body is validated as an HttpNotification; what is sent is built from it, not validated again
    as the Socket.IO event's payload (the same checks already ran), and arrives as it always did."""
    admin = await hub.user("root", admin=True)
    bob = await hub.client(await hub.user("bob"))
    assert (await bob.call("join_room", {"room": "ops"}))["ok"]
    validated: list[str] = []
    for model in (SendNotification, RoomMessage, Broadcast):
        monkeypatch.setattr(model, "__pydantic_validator__", CountingValidator(model, validated))

    answers = [
        await call(hub, "POST", "/api/notifications", token=admin, json={"to": "bob", "message": "json", "title": "t"}),
        await call(hub, "POST", "/api/notify/bob", token=admin, data="text", headers={"X-Type": "error"}),
        await call(hub, "POST", "/api/notify/room/ops", token=admin, data="room"),
        await call(hub, "POST", "/api/notifications", token=admin, json={"everyone": True, "message": "all"}),
    ]

    assert [a.status for a in answers] == [201, 201, 201, 201]
    got = [await bob.next(event) for event in ("notification", "notification", "room_notification")]
    got.append(await bob.next("global_notification"))
    assert [(n["message"], n["type"], n["title"]) for n in got] == [
        ("json", "message", "t"),
        ("text", "error", ""),
        ("room", "message", ""),
        ("all", "info", ""),
    ]
    assert validated == []


async def test_room_and_everyone(hub: Hub) -> None:
    admin = await hub.user("root", admin=True)
    alice = await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))
    assert (await bob.call("join_room", {"room": "ops"}))["ok"]

    room = await call(
        hub, "POST", "/api/notify/room/ops", token=alice, data="deploy done", headers={"X-Type": "success"}
    )
    refused = await call(hub, "POST", "/api/notifications", token=alice, json={"everyone": True, "message": "hi"})
    everyone = await call(hub, "POST", "/api/notifications", token=admin, json={"everyone": True, "message": "hi all"})

    assert room.status == 201 and room.body["recipients"] == 1
    note = await bob.next("room_notification")
    assert (note["room"], note["message"], note["type"], note["from"]) == ("ops", "deploy done", "success", "alice")
    assert (refused.status, refused.code) == (403, "forbidden")
    assert everyone.status == 201 and everyone.body["recipients"] == 3
    broadcast = await bob.next("global_notification")
    assert (broadcast["message"], broadcast["type"]) == ("hi all", "info")


async def test_send_only_token_sends_but_cannot_receive(hub: Hub) -> None:
    await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))
    token = await send_only_token(hub, "alice")

    sent = await call(hub, "POST", "/api/notify/bob", token=token, data="from cron")
    inbox = await call(hub, "GET", "/api/notifications", token=token)

    assert sent.status == 201
    assert (await bob.next("notification"))["message"] == "from cron"
    assert (inbox.status, inbox.code) == (403, "forbidden")
    assert (await refused(hub.url, {"token": token}))["data"] == {"code": "forbidden", "message": ANY}


@pytest.mark.parametrize("header", [None, "Bearer", "Basic abc", "Bearer lnt_unknown", "Bearer  "])
async def test_missing_or_wrong_tokens_are_401(hub: Hub, header: str | None) -> None:
    await hub.user("bob")
    headers = {"Authorization": header} if header is not None else {}

    json_form = await call(hub, "POST", "/api/notifications", json={"to": "bob", "message": "x"}, headers=headers)
    text_form = await call(hub, "POST", "/api/notify/bob", data="x", headers=headers)
    inbox = await call(hub, "GET", "/api/notifications", headers=headers)

    assert [(a.status, a.code) for a in (json_form, text_form, inbox)] == [(401, "unauthorized")] * 3


async def test_without_a_valid_token_a_bad_body_is_401_not_a_validation_answer(hub: Hub) -> None:
    """A caller with no valid token learns nothing of what the hub would say of its body."""
    await hub.user("bob")
    headers = {"Authorization": "Bearer lnt_unknown"}

    answers = [
        await call(hub, "POST", "/api/notifications", json={"to": "bob", "type": "nonsense"}, headers=headers),
        await call(hub, "POST", "/api/notifications", json=["not", "an", "object"], headers=headers),
        await call(
            hub, "POST", "/api/notifications", json={"to": "bob", "message": "x", "delay": "soon"}, headers=headers
        ),
        await call(hub, "POST", "/api/notify/bob?priority=loudest", data="x", headers=headers),
        await call(hub, "POST", "/api/notify/bob", data="x", headers={**headers, "X-Delay": "whenever"}),
    ]

    assert [(a.status, a.code) for a in answers] == [(401, "unauthorized")] * len(answers)


async def test_a_revoked_token_is_refused(hub: Hub) -> None:
    await hub.user("bob")
    issued = await hub.accounts.issue_token("bob", "ci", TokenKind.SEND)
    assert (await call(hub, "POST", "/api/notify/bob", token=issued.secret, data="x")).status == 201

    await hub.store.revoke_token(issued.info.id)

    answer = await call(hub, "POST", "/api/notify/bob", token=issued.secret, data="x")
    assert (answer.status, answer.code) == (401, "unauthorized")


async def test_a_body_that_is_not_an_object_is_refused_in_the_same_words_as_over_socketio(hub: Hub) -> None:
    token = await hub.user("alice")
    alice = await hub.client(token)

    answer = await call(hub, "POST", "/api/notifications", token=token, json=["bob", "x"])
    ack = await alice.call("send_notification", ["bob", "x"])

    assert answer.body["error"]["message"] == ack["error"]["message"] == "expected a JSON object, got list"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"message": "no target"}, 400, "invalid_payload"),
        ({"to": "bob", "room": "ops", "message": "two targets"}, 400, "invalid_payload"),
        ({"to": "bob", "everyone": True, "message": "two targets"}, 400, "invalid_payload"),
        ({"everyone": "yes", "message": "x"}, 400, "invalid_payload"),
        ({"to": "bob"}, 400, "invalid_payload"),
        ({"to": "bob", "message": ""}, 400, "invalid_payload"),
        ({"to": "bob", "message": 5}, 400, "invalid_payload"),
        ({"to": "bob", "message": "x", "type": "shout"}, 400, "invalid_payload"),
        ({"to": "bob", "message": "x", "title": "two\nlines"}, 400, "invalid_payload"),
        ({"to": "bob", "message": "nul\x00"}, 400, "invalid_payload"),
        ({"to": "no spaces", "message": "x"}, 400, "invalid_payload"),
        ({"to": "ghost", "message": "x"}, 404, "not_found"),
        ({"room": "nowhere", "message": "x"}, 404, "not_found"),
        ({"to": "bob", "message": "x", "type": "system"}, 403, "forbidden"),
        ({"to": "bob", "message": "é" * 2049}, 413, "too_large"),
        ({"to": "bob", "message": "x", "title": "t" * 201}, 413, "too_large"),
        (["bob", "x"], 400, "invalid_payload"),
        ("just a string", 400, "invalid_payload"),
    ],
)
async def test_json_validation_matches_socketio(hub: Hub, body: Any, status: int, code: str) -> None:
    token = await hub.user("alice")
    await hub.user("bob")
    alice = await hub.client(token)

    answer = await call(hub, "POST", "/api/notifications", token=token, json=body)

    assert (answer.status, answer.code) == (status, code)
    assert answer.body["error"]["message"]
    if isinstance(body, dict) and sum(k in body for k in ("to", "room", "everyone")) == 1 and "to" in body:
        # The same payload over Socket.IO fails with the same code.
        socket_body = {k: v for k, v in body.items() if k != "everyone"}
        ack = await alice.call("send_notification", socket_body)
        assert ack["error"]["code"] == code


@pytest.mark.parametrize(
    ("path", "data", "extra", "status", "code"),
    [
        ("/api/notify/bob", b"", {}, 400, "invalid_payload"),
        ("/api/notify/bob", b"\xff\xfe not utf-8", {}, 400, "invalid_payload"),
        ("/api/notify/bob", b"x" * 5000, {}, 413, "too_large"),
        ("/api/notify/bob", b"x" * 70_000, {}, 413, "too_large"),
        ("/api/notify/bob", b"x", {"params": {"type": "shout"}}, 400, "invalid_payload"),
        ("/api/notify/bob", b"x", {"headers": {"X-Type": "system"}}, 403, "forbidden"),
        ("/api/notify/ghost", b"x", {}, 404, "not_found"),
        ("/api/notify/bad%20name", b"x", {}, 400, "invalid_payload"),
        ("/api/notify/room/nowhere", b"x", {}, 404, "not_found"),
    ],
)
async def test_text_form_refusals(
    hub: Hub, path: str, data: bytes, extra: dict[str, Any], status: int, code: str
) -> None:
    token = await hub.user("alice")
    await hub.user("bob")

    answer = await call(hub, "POST", path, token=token, data=data, **extra)

    assert (answer.status, answer.code) == (status, code)


async def test_json_body_over_16_kib_is_413(hub: Hub) -> None:
    token = await hub.user("alice")
    body = b'{"to": "' + b"x" * 20_000 + b'"}'
    json_type = {"Content-Type": "application/json"}
    answer = await call(hub, "POST", "/api/notifications", token=token, data=body, headers=json_type)
    assert (answer.status, answer.code) == (413, "too_large")


async def test_rate_limit_is_shared_with_socketio_and_answers_retry_after(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(rate_burst=2, rate_refill_per_second=0.01)
    token = await hub.user("alice")
    await hub.user("bob")
    alice = await hub.client(token)

    assert (await alice.call("send_notification", {"to": "bob", "message": "1"}))["ok"]
    assert (await call(hub, "POST", "/api/notify/bob", token=token, data="2")).status == 201
    limited = await call(hub, "POST", "/api/notify/bob", token=token, data="3")

    assert (limited.status, limited.code) == (429, "rate_limited")
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.body["error"]["retry_after"] == int(limited.headers["Retry-After"])
    socket = await alice.call("send_notification", {"to": "bob", "message": "4"})
    assert socket["error"]["code"] == "rate_limited"


async def test_inbox_pages_through_the_callers_own_notifications(hub: Hub) -> None:
    alice = await hub.user("alice")
    bob = await hub.user("bob")
    ids = [(await call(hub, "POST", "/api/notify/bob", token=alice, data=f"m{i}")).body["id"] for i in range(5)]
    await call(hub, "POST", "/api/notify/alice", token=bob, data="not for bob")

    first = await call(hub, "GET", "/api/notifications", token=bob, params={"limit": "2"})
    second = await call(
        hub, "GET", "/api/notifications", token=bob, params={"since": str(first.body["next_since"]), "limit": "2"}
    )
    rest = await call(hub, "GET", "/api/notifications", token=bob, params={"since": str(second.body["next_since"])})

    pages = [first.body, second.body, rest.body]
    assert [[n["message"] for n in p["notifications"]] for p in pages] == [["m0", "m1"], ["m2", "m3"], ["m4"]]
    assert [p["more"] for p in pages] == [True, True, False]
    assert rest.body["next_since"] == ids[-1]
    empty = await call(hub, "GET", "/api/notifications", token=bob, params={"since": str(ids[-1])})
    assert empty.body == {"notifications": [], "next_since": ids[-1], "more": False}


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "501"}, {"since": "-1"}, {"since": "x"}])
async def test_inbox_rejects_bad_parameters(hub: Hub, params: dict[str, str]) -> None:
    token = await hub.user("bob")
    answer = await call(hub, "GET", "/api/notifications", token=token, params=params)
    assert (answer.status, answer.code) == (400, "invalid_payload")


async def test_unknown_endpoints_and_methods_answer_json(hub: Hub) -> None:
    missing = await call(hub, "GET", "/api/nothing")
    wrong_method = await call(hub, "DELETE", "/api/notifications")
    assert (missing.status, missing.code) == (404, "not_found")
    assert (wrong_method.status, wrong_method.code) == (405, "not_found")
    assert "POST" in wrong_method.headers["Allow"]


async def test_a_path_with_a_newline_answers_json(hub: Hub) -> None:
    """Found by the OpenAPI fuzz test: aiohttp answered its plain-text 404."""
    token = await hub.user("alice")
    for method, path in (("GET", "/api/a%0Ab"), ("POST", "/api/notify/%0A%7B")):
        answer = await call(hub, method, path, token=token, data=b"x")
        assert (answer.status, answer.code) == (404, "not_found")
