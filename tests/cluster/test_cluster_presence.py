"""Presence and rate limits across hubs: decided in Redis, the same on every hub."""

from __future__ import annotations

import asyncio

import aiohttp

from tests.cluster.conftest import Cluster

BOB = {"userId": "bob", "username": "bob"}


def who(event: dict[str, str]) -> str:
    return event["userId"]


async def test_a_user_on_two_hubs_is_online_until_their_last_device_leaves(cluster: Cluster) -> None:
    a, b = await cluster.start(2)
    watcher = await cluster.client(a, await cluster.user("watcher"))
    bob_token = await cluster.user("bob")
    zed = await cluster.user("zed")
    yan = await cluster.user("yan")

    laptop = await cluster.client(a, bob_token)
    assert await watcher.next("user_online") == BOB
    phone = await cluster.client(b, await cluster.token("bob"))
    await cluster.client(b, zed)  # hub b handles bob's phone before zed: zed's event comes first
    assert who(await watcher.next("user_online")) == "zed"
    assert (await watcher.call("list_online"))["online"] == ["bob", "watcher", "zed"]

    await laptop.close()  # bob still has his phone on hub b
    await cluster.client(a, yan)
    assert who(await watcher.next("user_online")) == "yan"
    assert watcher.pending("user_offline") == []

    await phone.close()
    assert await watcher.next("user_offline") == BOB
    late = await cluster.client(b, await cluster.token("watcher"), welcome=False)
    assert (await late.next("welcome"))["online"] == ["watcher", "yan", "zed"]


async def test_users_of_a_killed_hub_go_offline_unless_they_are_on_another(cluster: Cluster) -> None:
    a, b = await cluster.start(2)
    watcher = await cluster.client(a, await cluster.user("watcher"))
    bob_token = await cluster.user("bob")
    carol_token = await cluster.user("carol")
    await cluster.client(b, bob_token)
    assert who(await watcher.next("user_online")) == "bob"
    await cluster.client(a, carol_token)
    await cluster.client(b, await cluster.token("carol"))
    assert who(await watcher.next("user_online")) == "carol"

    await b.kill()  # no goodbye: hub a notices when b's heartbeat expires (2 s in tests)

    assert await watcher.next("user_offline") == BOB
    assert (await watcher.call("list_online"))["online"] == ["carol", "watcher"]
    assert watcher.pending("user_offline") == []


async def test_the_rate_limit_is_shared_by_all_hubs(cluster: Cluster) -> None:
    a, b = await cluster.start(2, "--rate-burst", "3", "--rate-refill-per-second", "0.01")
    token = await cluster.user("alice")
    await cluster.user("bob")
    on_a = await cluster.client(a, token)
    on_b = await cluster.client(b, await cluster.token("alice"))

    answers = [
        await on_a.call("send_notification", {"to": "bob", "message": "1"}),
        await on_b.call("send_notification", {"to": "bob", "message": "2"}),
        await on_a.call("send_notification", {"to": "bob", "message": "3"}),
    ]
    assert all(answer["ok"] for answer in answers)

    for client in (on_b, on_a):
        refused = await client.call("send_notification", {"to": "bob", "message": "4"})
        assert refused["error"]["code"] == "rate_limited" and refused["error"]["retry_after"] >= 1


async def test_admin_commands_act_on_the_shared_store(cluster: Cluster) -> None:
    assert (await cluster.cli("user", "add", "dora")).strip()  # prints the generated password
    assert (await cluster.store.get_user("dora")) is not None
    assert "dora" in await cluster.cli("user", "list")


async def test_sign_in_guessing_is_limited_across_hubs(cluster: Cluster) -> None:
    """The per-user sign-in budget (10, then one every 5 s) is one for the whole cluster: 14 guesses at
    once, half through each hub and each from its own address, get 10 answers and 4 refusals."""
    a, b = await cluster.start(2)
    await cluster.accounts.add_user("alice", "right", admin=False)

    async def guess(i: int) -> int:
        hub = (a, b)[i % 2]
        body = {"username": "alice", "password": f"guess{i}"}
        connector = aiohttp.TCPConnector(local_addr=(f"127.0.0.{i + 2}", 0))
        async with (
            aiohttp.ClientSession(connector=connector) as http,
            http.post(hub.url + "/api/login", json=body) as response,
        ):
            return response.status

    statuses = await asyncio.gather(*(guess(i) for i in range(14)))

    assert sorted(statuses) == [401] * 10 + [429] * 4, statuses
