"""Direct, room, everyone and announcement delivery through a real hub."""

from __future__ import annotations

from tests.conftest import Hub


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
