"""Socket.IO packets one read of a connection brings are handled as one batch (validated as one list,
queued together): each send in it is still answered on its own, in order, with its own refusal, rate
limit and place in the sender's order, whatever else the batch holds."""

from __future__ import annotations

import json
from typing import Any

from tests.support.hubs import Hub
from tests.support.raw_engineio import RawSocket, client_frames


def send(ack_id: int | None, payload: Any) -> str:
    return f"42{'' if ack_id is None else ack_id}{json.dumps(['send_notification', payload])}"


async def acks(raw: RawSocket, count: int) -> dict[int, Any]:
    """The next `count` acks the hub wrote, by ack id (a refusal is written at once, an ok once stored)."""
    got: dict[int, Any] = {}
    while len(got) < count:
        frame = await raw.receive()
        assert frame is not None, "the hub closed the connection"
        if isinstance(frame, str) and frame.startswith("43"):
            digits = frame[2:].split("[", 1)[0]
            got[int(digits)] = json.loads(frame[2 + len(digits) :])[0]
    return got


async def written_at_once(hub: Hub, token: str, packets: list[str]) -> RawSocket:
    raw = await RawSocket.open(hub.url)
    assert (await raw.connect({"token": token})).startswith("40{")
    raw.ws._writer.transport.write(client_frames(*packets))  # one TCP write: one read for the hub
    return raw


async def test_sends_read_together_are_answered_each_in_order_with_their_own_refusals(hub: Hub) -> None:
    alice = await hub.user("alice")
    bob = await hub.client(await hub.user("bob"), name="bob")
    packets = [
        send(1, {"to": "bob", "message": "one"}),
        send(2, {"userId": "bob", "message": "two"}),  # the seed guide's field name
        send(3, {"to": "bob"}),  # no message
        send(4, {"to": "nobody", "message": "lost"}),  # no such user: the slow way, after the others
        send(5, {"to": "bob", "message": "five"}),
        '426["list_online"]',  # another event in between
        send(7, {"to": "bob", "message": "system?", "type": "system"}),  # admins only
        send(None, {"to": "bob", "message": "no ack wanted"}),
        send(8, {"to": "bob", "message": "x" * 5000}),  # too large
        send(9, {"to": "bob", "message": "nine"}),
    ]
    raw = await written_at_once(hub, alice, packets)
    try:
        answers = await acks(raw, 9)
    finally:
        await raw.close()

    codes = {i: (a["error"]["code"] if a.get("ok") is False else "ok") for i, a in answers.items()}
    assert codes == {
        1: "ok",
        2: "ok",
        3: "invalid_payload",
        4: "not_found",
        5: "ok",
        6: "ok",
        7: "forbidden",
        8: "too_large",
        9: "ok",
    }
    ids = [answers[i]["id"] for i in (1, 2, 5, 9)]
    assert ids == sorted(ids), "stored in the order sent"
    for _ in range(5):
        await bob.next("notification")
    got = [data["message"] for event, data in bob.received if event == "notification"]
    assert got == ["one", "two", "five", "no ack wanted", "nine"], "stored and delivered in the order sent"


async def test_a_rate_limit_refuses_the_sends_past_it_in_a_batch_read_at_once(hub_factory: Any) -> None:
    hub = await hub_factory(rate_burst=3, rate_refill_per_second=0.001)
    alice = await hub.user("alice")
    bob = await hub.client(await hub.user("bob"), name="bob")
    raw = await written_at_once(hub, alice, [send(i, {"to": "bob", "message": f"m{i}"}) for i in range(1, 7)])
    try:
        answers = await acks(raw, 6)
    finally:
        await raw.close()

    assert [answers[i].get("ok") for i in range(1, 7)] == [True, True, True, False, False, False]
    assert {answers[i]["error"]["code"] for i in (4, 5, 6)} == {"rate_limited"}
    for _ in range(3):
        await bob.next("notification")
    assert [d["message"] for e, d in bob.received if e == "notification"] == ["m1", "m2", "m3"]


async def test_a_malformed_packet_in_a_batch_closes_the_connection_after_what_came_before(hub: Hub) -> None:
    alice = await hub.user("alice")
    bob = await hub.client(await hub.user("bob"), name="bob")
    packets = [
        send(1, {"to": "bob", "message": "before"}),
        '42["send_notification", {bad json',
        send(3, {"to": "bob"}),
        send(4, {"to": "bob", "message": "after"}),
    ]
    raw = await written_at_once(hub, alice, packets)
    try:
        frames = []
        while (frame := await raw.receive()) is not None:  # until the hub closes the connection
            frames.append(frame)
    finally:
        await raw.close()

    assert not [f for f in frames if isinstance(f, str) and f.startswith(("433", "434"))], "nothing after it is read"
    assert (await bob.next("notification"))["message"] == "before"  # accepted before it: stored all the same
    sent_later = await hub.client(await hub.user("carol"), name="carol")
    assert (await sent_later.call("send_notification", {"to": "bob", "message": "still served"}))["ok"] is True
    assert (await bob.next("notification"))["message"] == "still served"  # "after" never came


async def test_many_plain_sends_read_together_are_stored_and_delivered_in_the_order_sent(hub: Hub) -> None:
    alice = await hub.user("alice")
    bob = await hub.client(await hub.user("bob"), name="bob")
    carol = await hub.client(await hub.user("carol"), name="carol")
    packets = [send(i, {"to": ("bob", "carol")[i % 2], "message": f"m{i}"}) for i in range(1, 41)]
    raw = await written_at_once(hub, alice, packets)
    try:
        answers = await acks(raw, 40)
    finally:
        await raw.close()

    ids = [answers[i]["id"] for i in range(1, 41)]
    assert ids == sorted(ids), "stored in the order sent"
    for client, parity in ((bob, 0), (carol, 1)):
        for _ in range(20):
            await client.next("notification")
        got = [d["message"] for e, d in client.received if e == "notification"]
        assert got == [f"m{i}" for i in range(1, 41) if i % 2 == parity]
