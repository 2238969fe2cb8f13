"""Room joins and leaves: a bucket of their own per user, and notices ("bob joined dev") that are live
only, so that no number of joins pushes what people sent out of anyone's retention."""

from __future__ import annotations

from typing import Any

from tests.support.hubs import Hub


async def test_joins_and_leaves_have_their_own_rate_limit(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(membership_burst=4, membership_refill_per_second=0.001, rate_burst=2)
    mallory = await hub.client(await hub.user("mallory"))

    answers = [await mallory.call("join_room" if i % 2 == 0 else "leave_room", "lobby") for i in range(6)]

    assert [a["ok"] for a in answers] == [True, True, True, True, False, False]
    refused = answers[4]["error"]
    assert refused["code"] == "rate_limited" and refused["retry_after"] >= 1
    assert refused["message"].startswith("too many room joins and leaves: try again in ")
    # The send bucket is apart: sends still go, and spending it leaves joins as they were.
    for _ in range(2):
        assert (await mallory.call("send_notification", {"to": "mallory", "message": "hi"}))["ok"]
    assert (await mallory.call("send_notification", {"to": "mallory", "message": "hi"}))["error"]["code"] == (
        "rate_limited"
    )


async def test_a_flood_of_joins_never_pushes_others_notifications_out_of_retention(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(retention_count=5, membership_burst=1000)
    bob_token = await hub.user("bob")
    bob = await hub.client(bob_token)
    assert (await bob.call("join_room", "lobby"))["ok"]
    await bob.close()  # bob is offline from here on
    alice = await hub.client(await hub.user("alice"))
    for i in range(5):
        assert (await alice.call("send_notification", {"to": "bob", "message": f"real {i}"}))["ok"]

    mallory = await hub.client(await hub.user("mallory"))
    for _ in range(30):
        assert (await mallory.call("join_room", "lobby"))["joined"]
        assert (await mallory.call("leave_room", "lobby"))["left"]
    await hub.delivery.maintenance.prune()

    bob = await hub.client(auth={"token": bob_token, "last_id": 0}, welcome=False)
    await bob.next("welcome")
    got = [(await bob.next("notification"))["message"] for _ in range(5)]
    assert got == [f"real {i}" for i in range(5)]
    assert bob.pending("gap") == [] and bob.pending("notification") == []
    assert (await bob.call("sync", {"since": 0}))["ok"]  # a full replay again: still no notice in it
    assert [(await bob.next("notification"))["message"] for _ in range(5)] == got
    assert bob.pending("notification") == []


async def test_a_notice_reaches_the_members_online_and_is_not_replayed(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    carol_token = await hub.user("carol")
    assert (await alice.call("join_room", "dev"))["ok"]
    carol = await hub.client(carol_token)
    assert (await carol.call("join_room", "dev"))["ok"]
    await carol.close()

    bob = await hub.client(await hub.user("bob"))
    assert (await bob.call("join_room", "dev"))["ok"]

    seen = [await alice.next("notification") for _ in range(2)]
    assert [(n["kind"], n["message"], n["room"]) for n in seen] == [
        ("notice", "carol joined dev", "dev"),
        ("notice", "bob joined dev", "dev"),
    ]
    assert (await alice.call("send_notification", {"to": "carol", "message": "after"}))["ok"]
    carol = await hub.client(auth={"token": carol_token, "last_id": 0}, welcome=False)
    await carol.next("welcome")
    assert (await carol.next("notification"))["message"] == "after", "carol was offline: no notice waits for her"
    history = await hub.store.history((await hub.accounts.user("alice")).id, 0, 100)
    assert [n.message for n in history] == [], "nor in alice's history, though she saw it live"
