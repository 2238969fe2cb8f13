"""Who is online, in pages (`list_online {after, limit}`), and in `welcome` only for the clients that
want it there (`auth.online`; by default the seed's clients, not those that ask for batches)."""

from __future__ import annotations

from typing import Any

import pytest

from hub.online import MAX_ONLINE_PAGE
from tests.support.clients import Client, refused
from tests.support.hubs import Hub

NAMES = ["ana", "bo", "cy", "di", "ed"]


async def everyone_online(hub: Hub) -> list[Client]:
    return [await hub.client(token) for token in await hub.tokens(NAMES)]


async def test_list_online_answers_in_pages_by_name(hub: Hub) -> None:
    ana, *_ = await everyone_online(hub)

    first = await ana.call("list_online", {"limit": 2})
    second = await ana.call("list_online", {"after": first["next"], "limit": 2})
    last = await ana.call("list_online", {"after": second["next"], "limit": 2})

    assert first == {"ok": True, "online": ["ana", "bo"], "more": True, "next": "bo"}
    assert second == {"ok": True, "online": ["cy", "di"], "more": True, "next": "di"}
    assert last == {"ok": True, "online": ["ed"], "more": False, "next": None}
    # No payload (or one that is not an object, as before pages): the first page, of up to 500.
    assert await ana.call("list_online") == {"ok": True, "online": NAMES, "more": False, "next": None}
    assert (await ana.call("list_online", "all"))["online"] == NAMES
    assert (await ana.call("list_online", {"after": "zz"}))["online"] == []


async def test_a_page_follows_who_comes_and_goes(hub: Hub) -> None:
    clients = await everyone_online(hub)
    await clients[1].close()  # bo leaves
    await clients[0].call("list_online")  # handled after bo's leaving

    page = await clients[0].call("list_online", {"after": "ana", "limit": 2})

    assert page == {"ok": True, "online": ["cy", "di"], "more": True, "next": "di"}


@pytest.mark.parametrize(
    ("payload", "code", "where"),
    [
        ({"limit": 0}, "invalid_payload", "limit"),
        ({"limit": MAX_ONLINE_PAGE + 1}, "invalid_payload", "limit"),
        ({"limit": "5"}, "invalid_payload", "limit"),
        ({"limit": True}, "invalid_payload", "limit"),
        ({"after": "a" * 65}, "too_large", "after"),  # longer than any name
        ({"after": 5}, "invalid_payload", "after"),
    ],
)
async def test_a_bad_page_is_refused_with_a_clear_error(
    hub: Hub, payload: dict[str, Any], code: str, where: str
) -> None:
    client = await hub.client(await hub.user("alice"))

    answer = await client.call("list_online", payload)

    assert answer["ok"] is False and answer["error"]["code"] == code
    assert answer["error"]["message"].startswith(where)


async def test_a_batched_client_may_ask_for_the_list_in_its_welcome(hub: Hub) -> None:
    alice, bob, carol = await hub.tokens(["alice", "bob", "carol"])
    await hub.client(alice)
    client = await hub.client(auth={"token": bob, "presence": "batched", "online": True}, welcome=False)

    welcome = await client.next("welcome")
    await hub.client(carol)
    told = await client.next("presence")

    assert welcome["online"] == ["alice", "bob"]
    assert told["full"] is False and "carol" in told["online"]  # changes only (its own may be in): it has the list


async def test_a_client_of_events_may_go_without_the_list(hub: Hub) -> None:
    alice, bob = await hub.tokens(["alice", "bob"])
    client = await hub.client(auth={"token": alice, "online": False}, welcome=False)

    welcome = await client.next("welcome")
    await hub.client(bob)

    assert "online" not in welcome and welcome["user"]["name"] == "alice"
    assert await client.next("user_online") == {"userId": "bob", "username": "bob"}
    assert client.pending("presence") == []


async def test_online_in_auth_must_be_a_boolean(hub: Hub) -> None:
    (token,) = await hub.tokens(["alice"])

    reason = await refused(hub.url, {"token": token, "online": "yes"})

    assert reason["data"]["code"] == "invalid_payload"
    assert "online" in reason["message"]
