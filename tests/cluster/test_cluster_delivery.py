"""Two and three hubs: what is sent through one hub reaches clients of every other hub."""

from __future__ import annotations

import asyncio

import aiohttp

from tests.support.clients import drain_until_marker
from tests.support.cluster import Cluster
from tests.support.waiting import WAIT


async def test_every_addressing_mode_crosses_hubs(cluster: Cluster) -> None:
    a, b, c = await cluster.start(3)
    admin = await cluster.client(a, await cluster.user("alice", admin=True), "alice")
    bob = await cluster.client(b, await cluster.user("bob"), "bob")
    carol = await cluster.client(c, await cluster.user("carol"), "carol")
    assert (await bob.call("join_room", {"room": "dev"}))["ok"]
    assert (await carol.call("join_room", {"room": "dev"}))["ok"]

    assert (await admin.call("send_notification", {"to": "bob", "message": "direct"}))["ok"]
    assert (await carol.call("room_message", {"room": "dev", "message": "room"}))["ok"]
    assert (await admin.call("broadcast", {"message": "everyone"}))["ok"]
    assert (await admin.call("announce", {"message": "announcement"}))["ok"]
    status = await http_send(c.url, await cluster.token("alice"), {"to": "bob", "message": "over http"})
    assert status == 201  # through hub c, to bob on hub b

    got = await drain_until_marker(bob)
    assert [n["message"] for n in got] == ["carol joined dev", "direct", "over http"]
    assert (await bob.next("room_notification"))["message"] == "room"
    assert (await bob.next("global_notification"))["message"] == "everyone"
    assert (await bob.next("server_announcement"))["message"] == "announcement"
    assert (await carol.next("room_notification"))["message"] == "room"  # the sender's own hub too
    assert (await carol.next("global_notification"))["from"] == "alice"
    assert (await carol.next("server_announcement"))["type"] == "system"
    await drain_until_marker(carol)
    assert bob.pending("notification") == [] and carol.pending("room_notification") == []


async def http_send(url: str, token: str, body: dict[str, str]) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as http, http.post(url + "/api/notifications", json=body, headers=headers) as r:
        return r.status


async def test_the_database_password_never_reaches_the_logs(cluster: Cluster) -> None:
    """A hub at debug level, given a database URL with a password (the test server trusts any)."""
    scheme, rest = cluster.database.split("://", 1)
    cluster.database = f"{scheme}://postgres:Sup3r-s3cret-pw@{rest.split('@', 1)[1]}"
    cluster.hub_args = ["--log-level", "debug"]
    (hub,) = await cluster.start(1)
    alice = await cluster.client(hub, await cluster.user("alice"), "alice")
    assert (await alice.call("send_notification", {"to": "alice", "message": "hi"}))["ok"]
    assert "Sup3r-s3cret-pw" not in await cluster.cli("user", "list")  # nor what an admin command prints
    await hub.close()

    log = hub.logged()
    assert "postgres@127.0.0.1" in log, "the hub logged where its store is"
    assert "Sup3r-s3cret-pw" not in log


async def test_many_sends_through_two_hubs_arrive_once_in_id_order(cluster: Cluster) -> None:
    a, b = await cluster.start(2)
    alice = await cluster.client(a, await cluster.user("alice"), "alice")
    carol = await cluster.client(b, await cluster.user("carol"), "carol")
    bob_token = await cluster.user("bob")
    bob_a = await cluster.client(a, bob_token, "bob", last_id=0)
    bob_b = await cluster.client(b, await cluster.token("bob"), "bob", last_id=0)

    acks = await asyncio.gather(
        *(alice.call("send_notification", {"to": "bob", "message": f"a{i}"}) for i in range(40)),
        *(carol.call("send_notification", {"to": "bob", "message": f"c{i}"}) for i in range(40)),
    )
    ids = sorted(ack["id"] for ack in acks)

    for device in (bob_a, bob_b):
        got = [n["id"] for n in await drain_until_marker(device)]
        assert [i for i in got if i in set(ids)] == ids


async def test_a_client_of_one_hub_can_resume_on_another(cluster: Cluster) -> None:
    a, b = await cluster.start(2)
    alice = await cluster.client(a, await cluster.user("alice"), "alice")
    bob_token = await cluster.user("bob")
    ids = [(await alice.call("send_notification", {"to": "bob", "message": f"m{i}"}))["id"] for i in range(3)]

    bob = await cluster.client(b, bob_token, "bob", last_id=ids[0])

    assert [n["id"] for n in await drain_until_marker(bob)] == ids[1:]


async def test_a_token_revoked_with_the_admin_cli_disconnects_it_on_every_hub(cluster: Cluster) -> None:
    a, b = await cluster.start(2)
    bob_token = await cluster.user("bob")
    on_b = await cluster.client(b, bob_token, "bob")
    on_a = await cluster.client(a, bob_token, "bob")
    (info,) = await cluster.store.list_tokens((await cluster.accounts.user("bob")).id)

    await cluster.cli("token", "revoke", str(info.id))

    await asyncio.wait_for(on_b.disconnected.wait(), WAIT)
    await asyncio.wait_for(on_a.disconnected.wait(), WAIT)
    assert (await on_a.next("error"))["code"] == "unauthorized"
