"""Direct, room, everyone and announcement delivery through a real hub."""

from __future__ import annotations

from tests.support.clients import drain_until_marker
from tests.support.hubs import Hub


async def test_direct_notification_reaches_every_device_of_the_recipient(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    bob_laptop = await hub.client(bob_token)
    bob_phone = await hub.client(await hub.token("bob"))

    ack = await alice.call("send_notification", {"to": "bob", "message": "lunch?", "type": "message", "title": "Hi"})

    assert ack["ok"] is True and ack["recipients"] == 1
    for device in (bob_laptop, bob_phone):
        note = await device.next("notification")
        assert note["id"] == ack["id"]
        assert (note["from"], note["message"], note["title"], note["type"]) == ("alice", "lunch?", "Hi", "message")
        assert note["timestamp"].endswith("Z")
    assert alice.pending("notification") == []


async def test_the_sender_cannot_be_forged(hub: Hub) -> None:
    mallory = await hub.client(await hub.user("mallory"))
    bob = await hub.client(await hub.user("bob"))

    ack = await mallory.call("send_notification", {"to": "bob", "message": "pay me", "from": "ceo", "sender": "ceo"})

    assert ack["ok"]
    note = await bob.next("notification")
    assert note["from"] == "mallory" and note["sender"] == "mallory"


async def test_room_message_reaches_members_and_others_see_who_joined(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob = await hub.client(await hub.user("bob"))
    carol = await hub.client(await hub.user("carol"))
    assert (await alice.call("join_room", {"room": "dev"}))["ok"]

    ack = await bob.call("join_room", "dev")  # the seed guide sends a bare room name
    assert ack == {"ok": True, "room": "dev", "joined": True}
    joined = await alice.next("notification")
    assert joined["message"] == "bob joined dev" and joined["room"] == "dev" and joined["type"] == "info"

    sent = await alice.call("room_message", {"room": "dev", "message": "deploy at 5", "type": "warning"})
    assert sent["ok"] and sent["recipients"] == 2
    for member in (alice, bob):
        note = await member.next("room_notification")
        assert (note["room"], note["message"], note["from"], note["sender"]) == ("dev", "deploy at 5", "alice", "alice")
        assert note["type"] == "warning"
    assert carol.pending("room_notification") == []


async def test_leaving_a_room_stops_its_notifications(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob = await hub.client(await hub.user("bob"))
    for client in (alice, bob):
        assert (await client.call("join_room", "ops"))["ok"]
    assert (await bob.call("leave_room", {"room": "ops"}))["left"] is True

    await alice.call("room_message", {"room": "ops", "message": "first"})
    await alice.next("room_notification")
    bob.name = "bob"
    await drain_until_marker(bob)
    assert bob.pending("room_notification") == []


async def test_admin_broadcast_reaches_everyone_as_global_notification(hub: Hub) -> None:
    admin = await hub.client(await hub.user("root", admin=True))
    bob = await hub.client(await hub.user("bob"))

    ack = await admin.call("broadcast", {"message": "coffee in the kitchen", "type": "success", "title": "Coffee"})

    assert ack["ok"] and ack["recipients"] == 2
    for client in (admin, bob):
        note = await client.next("global_notification")
        assert (note["message"], note["type"], note["title"], note["from"]) == (
            "coffee in the kitchen",
            "success",
            "Coffee",
            "root",
        )


async def test_admin_announcement_is_a_system_server_announcement(hub: Hub) -> None:
    admin = await hub.client(await hub.user("root", admin=True))
    bob = await hub.client(await hub.user("bob"))

    ack = await admin.call("announce", {"message": "maintenance at 18:00", "type": "info"})

    assert ack["ok"]
    note = await bob.next("server_announcement")
    assert note["type"] == "system" and note["message"] == "maintenance at 18:00" and note["kind"] == "announcement"


async def test_one_senders_notifications_arrive_in_order(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob = await hub.client(await hub.user("bob"))

    for i in range(30):  # fired without waiting for acks
        await alice.sio.emit("send_notification", {"to": "bob", "message": f"n{i}"})

    got = [(await bob.next("notification"))["message"] for _ in range(30)]
    assert got == [f"n{i}" for i in range(30)]
