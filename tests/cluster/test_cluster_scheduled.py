"""Scheduled sends in a cluster: each is delivered once, by one hub; when the hub that holds it is killed
with SIGKILL, another delivers it, once. Two real hub processes on PostgreSQL and Redis, with
`schedule_min_seconds` at 1 so that a schedule falls due within the test."""

from __future__ import annotations

import pytest

from tests.support.clients import drain_until_marker
from tests.support.cluster import Cluster

FAST = ("--schedule-min-seconds", "1")


async def test_scheduled_sends_from_both_hubs_are_each_delivered_once(cluster: Cluster) -> None:
    a, b = await cluster.start(2, *FAST)
    alice_a = await cluster.client(a, await cluster.user("alice"), "alice")
    alice_b = await cluster.client(b, await cluster.token("alice"), "alice")
    bob = await cluster.client(b, await cluster.user("bob"), "bob")

    for n in range(3):
        for alice in (alice_a, alice_b):
            ack = await alice.call("send_notification", {"to": "bob", "message": f"m{n}-{alice.url}", "delay": "1s"})
            assert ack["scheduled"], ack
    got = [await bob.next("notification") for _ in range(6)]
    rest = await drain_until_marker(bob)

    assert sorted(n["message"] for n in got) == sorted(f"m{n}-{h.url}" for n in range(3) for h in (a, b))
    assert rest == []
    async with cluster.store.pool.conn() as conn:
        assert await conn.fetchval("SELECT count(*) FROM notifications WHERE message LIKE 'm%-%'") == 6
        assert await conn.fetchval("SELECT count(*) FROM scheduled") == 0


@pytest.mark.parametrize("claimed", [False, True], ids=["before-its-time", "holding-its-claim"])
async def test_when_the_hub_holding_a_schedule_is_killed_another_delivers_it_once(
    cluster: Cluster, claimed: bool
) -> None:
    a, b = await cluster.start(2, *FAST)
    alice = await cluster.client(a, await cluster.user("alice"), "alice")
    bob = await cluster.client(b, await cluster.user("bob"), "bob")

    ack = await alice.call("send_notification", {"to": "bob", "message": "page on-call", "delay": "2s"})
    await a.kill()
    if claimed:  # a claimed it at its time and died before its transaction committed
        async with cluster.store.pool.conn() as conn:
            await conn.execute("UPDATE scheduled SET claimed_by = 'hub a', claimed_until = deliver_at + 5000")
    note = await bob.next("notification", timeout=20)
    rest = await drain_until_marker(bob)

    assert ack["scheduled"] is True
    assert (note["message"], note["from"]) == ("page on-call", "alice")
    assert rest == []
    async with cluster.store.pool.conn() as conn:
        assert await conn.fetchval("SELECT count(*) FROM notifications WHERE message = 'page on-call'") == 1
        assert await conn.fetchval("SELECT count(*) FROM scheduled") == 0
