"""Presence and rate limits across hubs: decided in Redis, the same on every hub."""

from __future__ import annotations

import asyncio

import aiohttp

from tests.support.cluster import Cluster
from tests.support.waiting import WAIT

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


async def test_the_shared_rate_limit_holds_under_concurrent_sends(cluster: Cluster) -> None:
    """Atomic in Redis: 40 sends at once from four devices on two hubs, a burst of 10 (refill one per
    100 s): exactly 10 are stored, whatever the interleaving."""
    a, b = await cluster.start(2, "--rate-burst", "10", "--rate-refill-per-second", "0.01")
    await cluster.user("bob")
    devices = [
        await cluster.client((a, b)[i % 2], await cluster.user("alice") if i == 0 else await cluster.token("alice"))
        for i in range(4)
    ]

    answers = await asyncio.gather(
        *(
            d.call("send_notification", {"to": "bob", "message": f"{i}-{n}"})
            for i, d in enumerate(devices)
            for n in range(10)
        )
    )

    codes = sorted("ok" if answer["ok"] else answer["error"]["code"] for answer in answers)
    assert codes == ["ok"] * 10 + ["rate_limited"] * 30, codes
    bob = await cluster.store.get_user("bob")
    assert bob is not None and len(await cluster.store.replay(bob.id, 0, 100)) == 10


async def test_admin_commands_act_on_the_shared_store(cluster: Cluster) -> None:
    """Every admin command (user, token, room) with --database, or LAN_NOTIFY_DATABASE, works on the
    store the hubs share: no SQLite file is made, and a running hub sees the result."""
    (hub,) = await cluster.start(1)
    assert (await cluster.cli("user", "add", "dora", "--admin")).strip()  # prints the generated password
    assert (await cluster.cli("user", "add", "eve", via_env=True)).strip()
    dora = await cluster.store.get_user("dora")
    assert dora is not None and dora.admin
    assert (await cluster.cli("user", "list", via_env=True)).splitlines() == ["dora\tadmin", "eve"]

    token = (await cluster.cli("token", "create", "dora", "--label", "phone")).strip()
    client = await cluster.client(hub, token, "dora")  # a token made by the CLI connects to a hub
    listed = (await cluster.cli("token", "list", "dora", via_env=True)).splitlines()
    assert len(listed) == 2 and "\tphone\t" in listed[1] and listed[1].endswith("active")

    await cluster.cli("room", "create", "ops", "--members", "dora,eve")
    assert await cluster.cli("room", "list", via_env=True) == "ops\trestricted\tdora, eve\n"
    assert (await client.call("room_message", {"room": "ops", "message": "hi"}))["ok"]

    await cluster.cli("token", "revoke", listed[1].split("\t")[0], via_env=True)
    await asyncio.wait_for(client.disconnected.wait(), WAIT)  # the hub noticed the shared revocation
    await cluster.cli("room", "remove", "ops")
    await cluster.cli("user", "remove", "eve", via_env=True)
    assert [u.name for u in await cluster.store.list_users()] == ["dora"]
    assert await cluster.store.list_rooms() == []
    assert not (cluster.tmp / "cli" / "hub.sqlite3").exists()


async def test_sign_in_guessing_is_limited_across_hubs(cluster: Cluster) -> None:
    """The per-user sign-in budget (10, then one every 5 s) is one for the whole cluster: of 14 guesses at
    once, half through each hub and each from its own address, 10 are answered and the rest refused (one
    more is answered for each 5 s the guesses took, so a slow machine may see 11). Guessing on through
    each hub in turn, both hubs refuse well before a budget per hub (20 answers) could be spent."""
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

    statuses = list(await asyncio.gather(*(guess(i) for i in range(14))))
    # Even guesses went through hub a, odd ones through hub b.
    while len(statuses) < 20 and not (429 in statuses[0::2] and 429 in statuses[1::2]):
        statuses.append(await guess(len(statuses)))

    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) >= 10, statuses  # the whole budget, shared: no refusal before it is spent
    assert 429 in statuses[0::2] and 429 in statuses[1::2], statuses  # in under 20 guesses, on each hub


async def test_a_batched_client_hears_of_users_on_other_hubs_in_presence_events(cluster: Cluster) -> None:
    a, b = await cluster.start(2)
    watcher = await cluster.client(a, await cluster.user("watcher"), presence="batched")
    assert await watcher.next("presence") == {"online": ["watcher"], "offline": [], "full": True}

    bob = await cluster.client(b, await cluster.user("bob"))
    assert await watcher.next("presence") == {"online": ["bob"], "offline": [], "full": False}
    late = await cluster.client(a, await cluster.token("watcher"), presence="batched")
    assert await late.next("presence") == {"online": ["bob", "watcher"], "offline": [], "full": True}
    await bob.close()
    assert await watcher.next("presence") == {"online": [], "offline": ["bob"], "full": False}
    assert [event for event, _ in watcher.received if event in ("user_online", "user_offline")] == []
