"""Rich notifications across hubs: the fields and the answers travel between a cluster's hubs."""

from __future__ import annotations

import asyncio

from tests.support.cluster import Cluster

BUTTONS = [{"action": "respond", "label": "Approve"}, {"action": "respond", "label": "Reject"}]
RICH = {"priority": "urgent", "click": "https://ci.lan/118", "actions": BUTTONS, "format": "markdown"}


async def test_fields_and_answers_cross_hubs_and_one_answer_wins_across_them(cluster: Cluster) -> None:
    a, b = await cluster.start(2)
    alice = await cluster.client(a, await cluster.user("alice"), "alice")
    bob_token = await cluster.user("bob")
    bob_on_b = await cluster.client(b, bob_token, "bob")
    bob_on_a = await cluster.client(a, await cluster.token("bob"), "bob")

    asked = await alice.call("send_notification", {"to": "bob", "message": "**deploy?**", **RICH})
    note = await bob_on_b.next("notification")  # stored through hub a, delivered by hub b
    acks = await asyncio.gather(
        bob_on_b.call("respond", {"id": asked["id"], "label": "Approve"}),
        bob_on_a.call("respond", {"id": asked["id"], "label": "Reject"}),
    )
    told = await alice.next("response")  # answered on one hub, told on the other or the same

    assert {key: note[key] for key in RICH} == RICH
    assert sorted(ack["ok"] for ack in acks) == [False, True]
    won = next(ack for ack in acks if ack["ok"])
    lost = next(ack for ack in acks if not ack["ok"])
    assert lost["error"]["code"] == "conflict"
    assert told == won["response"]
    assert (told["notification_id"], told["from"], told["to"]) == (asked["id"], "bob", "alice")
