"""Keys across a cluster's hubs: an update and a retraction sent through one hub reach devices on
the other, and a device that reconnects to either gets only what the sender's last word left."""

from __future__ import annotations

from tests.support.cluster import Cluster


async def test_an_update_and_a_retraction_cross_hubs(cluster: Cluster) -> None:
    a, b = await cluster.start(2)
    alice_on_a = await cluster.client(a, await cluster.user("alice"), "alice")
    alice_on_b = await cluster.client(b, await cluster.token("alice"), "alice")
    bob_token = await cluster.user("bob")
    bob_on_b = await cluster.client(b, bob_token, "bob")
    build = {"to": "bob", "key": "build-119", "title": "Build 119"}

    first = await alice_on_a.call("send_notification", {**build, "message": "running"})
    second = await alice_on_b.call("send_notification", {**build, "message": "passed"})  # through the other hub
    deploy = await alice_on_a.call("send_notification", {**build, "key": "deploy", "message": "deploying"})
    got = [await bob_on_b.next("notification") for _ in range(3)]
    gone = await alice_on_b.call("retract", {"key": "deploy", "to": "bob"})
    told = await bob_on_b.next("retracted")
    late = await cluster.client(a, await cluster.token("bob"), "bob", last_id=0)
    replayed = [await late.next("notification"), await late.next("retracted")]

    assert [n["id"] for n in got] == [first["id"], second["id"], deploy["id"]]
    assert (got[1]["replaces"], got[1]["edited"]) == (first["id"], True)
    assert gone["ok"] and gone["retracts"] == [deploy["id"]] and told["id"] == gone["id"]
    assert replayed[0]["id"] == second["id"] and replayed[1]["retracts"] == [deploy["id"]]
