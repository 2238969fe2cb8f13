"""Scheduled sends over HTTP: the JSON fields, ntfy's `In` / `At` / `Delay` headers and ours, the list
and the cancel, each answer checked against the OpenAPI document (tests/support/http.py)."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from tests.support.http import call
from tests.support.hubs import Hub


def seconds_ahead(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() - time.time()


async def test_a_json_send_with_a_delay_is_scheduled_and_listed_until_cancelled(hub: Hub) -> None:
    token = await hub.user("alice")
    await hub.user("bob")

    sent = await call(
        hub,
        "POST",
        "/api/notifications",
        token=token,
        json={"to": "bob", "message": "backup starts", "delay": "2h", "key": "nightly", "priority": "high"},
    )
    listed = await call(hub, "GET", "/api/scheduled", token=token)
    cancelled = await call(hub, "DELETE", "/api/scheduled/nightly", token=token)
    again = await call(hub, "DELETE", "/api/scheduled/nightly", token=token)

    assert sent.status == 202
    assert sent.body["scheduled"] is True
    assert 7100 < seconds_ahead(sent.body["deliver_at"]) <= 7200
    [pending] = listed.body["scheduled"]
    assert pending["schedule_id"] == sent.body["schedule_id"]
    assert (pending["to"], pending["key"], pending["message"], pending["priority"]) == (
        "bob",
        "nightly",
        "backup starts",
        "high",
    )
    assert (cancelled.status, cancelled.body) == (200, {"cancelled": 1})
    assert again.status == 404 and again.body["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("headers", "ahead"),
    [
        ({"X-Delay": "30m"}, 1800),
        ({"In": "45min"}, 2700),
        ({"Delay": "2 hours"}, 7200),
        ({"X-In": "1d"}, 86400),
        ({"At": "UNIX+3600"}, 3600),  # Unix seconds, an hour from when the test runs
        ({"X-At": "2099-01-01T00:00:00Z"}, None),  # past 7 days: refused
    ],
)
async def test_ntfy_and_our_headers_schedule_a_text_send(hub: Hub, headers: dict[str, str], ahead: int | None) -> None:
    token = await hub.user("alice")
    await hub.user("bob")

    headers = {name: str(int(time.time()) + 3600) if value == "UNIX+3600" else value for name, value in headers.items()}
    sent = await call(hub, "POST", "/api/notify/bob", token=token, data="later", headers={**headers, "X-Key": "k1"})

    if ahead is None:
        assert sent.status == 400 and "7 days" in sent.body["error"]["message"]
        return
    assert sent.status == 202, sent.body
    assert ahead - 120 < seconds_ahead(sent.body["deliver_at"]) <= ahead + 1
    listed = await call(hub, "GET", "/api/scheduled", token=token)
    assert [(s["key"], s["message"]) for s in listed.body["scheduled"]] == [("k1", "later")]


async def test_a_room_send_by_query_and_an_unknown_room_is_refused_as_a_send_is(hub: Hub) -> None:
    token = await hub.user("alice")
    alice = await hub.client(token)
    assert (await alice.call("join_room", {"room": "dev"}))["ok"]

    sent = await call(hub, "POST", "/api/notify/room/dev", token=token, data="stand-up", params={"in": "10m"})
    nowhere = await call(hub, "POST", "/api/notify/room/nowhere", token=token, data="x", params={"in": "10m"})

    assert sent.status == 202
    assert nowhere.status == 404 and nowhere.body["error"]["code"] == "not_found"


async def test_the_list_and_cancel_need_a_token_and_a_bad_key_is_invalid(hub: Hub) -> None:
    token = await hub.user("alice")

    anonymous = await call(hub, "GET", "/api/scheduled")
    bad_key = await call(hub, "DELETE", "/api/scheduled/no%20spaces", token=token)

    assert anonymous.status == 401
    assert bad_key.status == 400 and bad_key.body["error"]["code"] == "invalid_payload"


async def test_a_json_send_takes_the_headers_too_and_its_own_fields_win(hub: Hub) -> None:
    token = await hub.user("alice")
    await hub.user("bob")

    by_header = await call(
        hub, "POST", "/api/notifications", token=token, json={"to": "bob", "message": "a"}, headers={"In": "2h"}
    )
    both = await call(
        hub,
        "POST",
        "/api/notifications",
        token=token,
        json={"to": "bob", "message": "b", "delay": "1h"},
        headers={"X-Delay": "2h"},
    )

    assert by_header.status == 202 and 7100 < seconds_ahead(by_header.body["deliver_at"]) <= 7200
    assert both.status == 202 and 3500 < seconds_ahead(both.body["deliver_at"]) <= 3600
