"""Read state and receipts across a cluster's hubs: a mark made through one hub reaches the user's
device on the other, a device that reconnects to either learns it, and a receipt made by an ack on
one hub reaches the sender on the other."""

from __future__ import annotations

from tests.support.cluster import Cluster


async def test_a_read_mark_and_a_receipt_cross_hubs(cluster: Cluster) -> None:
    a, b = await cluster.start(2)
    alice = await cluster.client(a, await cluster.user("alice"), "alice")
    bob_token = await cluster.user("bob")
    bob_on_b = await cluster.client(b, bob_token, "bob", last_id=0)
    phone_token = await cluster.token("bob")
    bob_on_a = await cluster.client(a, phone_token, "bob", last_id=0)

    sent = await alice.call("send_notification", {"to": "bob", "message": "page", "receipt": True})
    note = await bob_on_b.next("notification")
    assert (await bob_on_a.next("notification"))["id"] == note["id"]
    await bob_on_b.call("ack", {"id": note["id"]})
    delivered = await alice.next("receipt")  # acked on hub b, told on hub a
    marked = await bob_on_b.call("mark_read", {"ids": [note["id"]]})
    told = await bob_on_a.next("read")  # marked on hub b, told on hub a
    seen = await alice.next("receipt")
    await bob_on_a.close()
    again = await cluster.client(b, phone_token, "bob", welcome=False, last_id=note["id"])
    welcome = await again.next("welcome")

    assert (delivered["notification_id"], delivered["status"], delivered["user"]) == (sent["id"], "delivered", "bob")
    assert marked["marked"] == [note["id"]] and told["ids"] == [note["id"]] and told["unread"] == 0
    assert (seen["status"], seen["seen"]) == ("seen", 1)
    assert welcome["unread"] == 0
    assert await again.next("read") == told  # the mark, in its catch-up on the other hub
