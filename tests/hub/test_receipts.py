"""Receipts, opt-in per notification: `delivered` when a recipient's device acks it, `seen` when the
recipient's client says so or its user marks it read; names for a direct or a small addressee set,
never a restricted room's members for someone outside it; the receipts over HTTP (sender only).
Real hub, real python-socketio clients."""

from __future__ import annotations

from typing import Any

from tests.support.clients import Client
from tests.support.http import call
from tests.support.hubs import Hub


async def acking(hub: Hub, token: str) -> Client:
    """A device that tells the hub what it has (`last_id` at connect, then `ack`)."""
    return await hub.client(auth={"token": token, "last_id": 0})


async def test_a_direct_receipt_tells_the_sender_delivered_per_device_then_seen_once(hub: Hub) -> None:
    alice_token = await hub.user("alice")
    alice, alices_phone = await hub.client(alice_token), await hub.client(await hub.token("alice"))
    bob_token = await hub.user("bob")
    laptop, phone = await acking(hub, bob_token), await acking(hub, await hub.token("bob"))
    ack = await alice.call("send_notification", {"to": "bob", "message": "did you see the page?", "receipt": True})
    nid = ack["id"]
    got = await laptop.next("notification")
    assert got["receipt"] is True

    await laptop.call("ack", {"id": nid})
    first = await alice.next("receipt")
    await phone.call("ack", {"id": nid})
    second = await alice.next("receipt")
    seen = await phone.call("seen", {"ids": [nid]})
    told = await alice.next("receipt")
    again = await laptop.call("seen", {"ids": [nid]})

    assert {k: first[k] for k in ("kind", "notification_id", "status", "user", "devices")} == {
        "kind": "receipt",
        "notification_id": nid,
        "status": "delivered",
        "user": "bob",
        "devices": 1,
    }
    assert (second["devices"], second["delivered_devices"], second["delivered"]) == (2, 2, 1)
    assert seen == {"ok": True, "seen": [nid]} and again == {"ok": True, "seen": []}
    assert (told["status"], told["user"], told["seen"], told["addressees"]) == ("seen", "bob", 1, 1)
    assert await alices_phone.next("receipt") == first  # every device of the sender
    listed = await call(hub, "GET", f"/api/notifications/{nid}/receipts", token=alice_token)
    assert listed.body["delivered"] == 1 and listed.body["seen"] == 1
    assert [(u["user"], u["devices"]) for u in listed.body["users"]] == [("bob", 2)]
    assert listed.body["users"][0]["seen_at"] is not None


async def test_last_id_at_connect_counts_as_delivered_for_what_the_device_had_not_acked(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    laptop = await acking(hub, bob_token)
    nid = (await alice.call("send_notification", {"to": "bob", "message": "page", "receipt": True}))["id"]
    assert (await laptop.next("notification"))["id"] == nid
    await laptop.close()  # gone before it acked

    await hub.client(auth={"token": bob_token, "last_id": nid})
    told = await alice.next("receipt")

    assert (told["notification_id"], told["status"], told["user"], told["devices"]) == (nid, "delivered", "bob", 1)


async def test_a_new_sessions_first_ack_looks_only_at_what_came_after_its_last_id(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    laptop = await acking(hub, bob_token)
    earlier = [
        (await alice.call("send_notification", {"to": "bob", "message": f"old {n}", "receipt": True}))["id"]
        for n in range(5)
    ]
    await laptop.call("ack", {"id": earlier[-1]})
    assert {(await alice.next("receipt"))["notification_id"] for _ in earlier} == set(earlier)
    await laptop.close()
    nid = (await alice.call("send_notification", {"to": "bob", "message": "new", "receipt": True}))["id"]
    looked_at: list[int] = []
    delivered = hub.store.reads.delivered

    async def counting(ids: list[int], user_id: int, device: str, at: str) -> dict[int, int]:
        looked_at.extend(ids)
        return await delivered(ids, user_id, device, at)

    hub.store.reads.delivered = counting  # type: ignore[method-assign]  # counts calls to the real store

    laptop = await hub.client(auth={"token": bob_token, "last_id": earlier[-1]})
    assert (await laptop.next("notification"))["id"] == nid
    await laptop.call("ack", {"id": nid})
    told = await alice.next("receipt")

    assert (told["notification_id"], told["status"]) == (nid, "delivered")
    assert looked_at == [nid]  # not every receipt notification the device had before


async def test_an_ack_past_what_was_sent_does_not_swallow_the_next_ones_receipt(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob = await acking(hub, await hub.user("bob"))
    first = (await alice.call("send_notification", {"to": "bob", "message": "first"}))["id"]
    await bob.next("notification")
    await bob.call("ack", {"id": first + 1000})  # a client's bug: it says it has what it never got

    nid = (await alice.call("send_notification", {"to": "bob", "message": "page", "receipt": True}))["id"]
    assert (await bob.next("notification"))["id"] == nid
    await bob.call("ack", {"id": nid})
    told = await alice.next("receipt")

    assert (told["notification_id"], told["status"]) == (nid, "delivered")


async def test_marking_read_counts_as_seen_and_a_plain_notification_tells_nothing(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob = await acking(hub, await hub.user("bob"))
    plain = (await alice.call("send_notification", {"to": "bob", "message": "no receipt"}))["id"]
    asked = (await alice.call("send_notification", {"to": "bob", "message": "receipt", "receipt": True}))["id"]

    await bob.call("ack", {"id": plain})
    await bob.call("mark_read", {"all": True, "upto": asked})
    told = await alice.next("receipt")

    assert (told["notification_id"], told["status"]) == (asked, "seen")  # no delivered for `plain`, nor a
    assert alice.pending("receipt") == []  # receipt for an id it did not ask about


async def test_receipts_never_name_a_restricted_rooms_members_to_an_outsider(hub: Hub) -> None:
    admin_token = await hub.user("root", admin=True)
    admin = await hub.client(admin_token)
    names = ["ann", "ben", "cat"]
    members = [await acking(hub, await hub.user(name)) for name in names]
    allowed = await hub.store.get_users(names)
    await hub.store.create_room("ops", restricted=True, members=[u.id for u in allowed])
    for member in members:
        assert (await member.call("join_room", {"room": "ops"}))["ok"]

    broadcast = await admin.call("broadcast", {"message": "all hands", "receipt": True})
    for member in members:
        got = await member.next("global_notification")
        await member.call("ack", {"id": got["id"]})
    told = [await admin.next("receipt") for _ in names]
    assert sorted(t["user"] for t in told) == names  # everyone, and few: named
    assert told[-1]["delivered"] == 3

    in_room = await members[0].call("room_message", {"room": "ops", "message": "standup", "receipt": True})
    for member in members[1:]:
        got = await member.next("room_notification")
        await member.call("ack", {"id": got["id"]})
    by_member = [await members[0].next("receipt") for _ in names[1:]]
    assert sorted(t["user"] for t in by_member) == names[1:]  # a member may know who else is in it
    assert (await members[0].call("leave_room", {"room": "ops"}))["ok"]
    ann_token = await hub.token("ann")
    listed = await call(hub, "GET", f"/api/notifications/{in_room['id']}/receipts", token=ann_token)
    assert listed.body["users"] is None and listed.body["delivered"] == 2  # no longer a member: counts only
    assert broadcast["ok"]


async def test_only_the_sender_reads_the_receipts(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    await hub.user("carol")
    asked = (await alice.call("send_notification", {"to": "bob", "message": "x", "receipt": True}))["id"]
    plain = (await alice.call("send_notification", {"to": "bob", "message": "y"}))["id"]

    by_recipient = await call(hub, "GET", f"/api/notifications/{asked}/receipts", token=bob_token)
    by_stranger = await call(hub, "GET", f"/api/notifications/{asked}/receipts", token=await hub.token("carol"))
    no_receipt = await call(hub, "GET", f"/api/notifications/{plain}/receipts", token=await hub.token("alice"))
    bad_id = await call(hub, "GET", "/api/notifications/x/receipts", token=await hub.token("alice"))

    assert by_recipient.status == by_stranger.status == no_receipt.status == 404
    assert by_recipient.body["error"]["code"] == "not_found"
    assert bad_id.status == 400


async def test_x_receipt_asks_for_receipts_over_http(hub: Hub) -> None:
    alice_token = await hub.user("alice")
    alice = await hub.client(alice_token)
    bob = await acking(hub, await hub.user("bob"))

    sent = await call(hub, "POST", "/api/notify/bob", token=alice_token, data="disk full", headers={"X-Receipt": "yes"})
    got = await bob.next("notification")
    await bob.call("ack", {"id": got["id"]})
    told: dict[str, Any] = await alice.next("receipt")
    wrong = await call(hub, "POST", "/api/notify/bob", token=alice_token, data="x", headers={"X-Receipt": "maybe"})

    assert sent.status == 201 and got["receipt"] is True
    assert (told["notification_id"], told["status"]) == (sent.body["id"], "delivered")
    assert wrong.status == 400 and wrong.body["error"]["code"] == "invalid_payload"


async def test_marks_and_a_receipt_asked_before_a_restart_work_after_it(hub_factory: Any) -> None:
    hub = await hub_factory()
    alice_token = await hub.user("alice")
    alice = await hub.client(alice_token)
    bob_token = await hub.user("bob")
    page = (await alice.call("send_notification", {"to": "bob", "message": "page", "receipt": True}))["id"]
    other = (await alice.call("send_notification", {"to": "bob", "message": "other"}))["id"]
    await (await hub.client(bob_token)).call("mark_read", {"ids": [other]})
    await hub.running.stop()
    hub.clients.clear()

    restarted = await hub_factory()
    alice_again = await restarted.client(alice_token)
    bob = await restarted.client(auth={"token": await restarted.token("bob"), "last_id": 0}, welcome=False)
    welcome = await bob.next("welcome")
    got = await bob.next("notification")
    await bob.call("ack", {"id": got["id"]})
    told = await alice_again.next("receipt")

    assert welcome["unread"] == 1 and got["id"] == page
    assert (await bob.next("read"))["ids"] == [other]  # the mark, replayed after the restart
    assert (told["notification_id"], told["status"], told["user"]) == (page, "delivered", "bob")
