"""Rich notifications at the hub: the four fields stored, delivered and replayed; `respond` and the
`response` event; the answers over HTTP. Real hub, real python-socketio clients."""

from __future__ import annotations

import asyncio
from typing import Any

from hub.store import SqliteStore
from hub.store.postgres import PostgresStore
from tests.support.http import call
from tests.support.hubs import Hub
from tests.support.rich import APPROVAL

ASK = APPROVAL
RICH = {key: ASK[key] for key in ("priority", "click", "actions", "format")}
PLAIN_KEYS = ["id", "kind", "type", "title", "message", "from", "room", "timestamp", "sender"]


async def asked(hub: Hub, alice: Any, to: str = "bob") -> int:
    ack = await alice.call("send_notification", {"to": to, **ASK})
    assert ack["ok"], ack
    return int(ack["id"])


async def test_rich_fields_arrive_live_and_after_a_reconnect_and_a_plain_send_is_unchanged(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    bob = await hub.client(bob_token)

    nid = await asked(hub, alice)
    plain = await alice.call("send_notification", {"to": "bob", "message": "lunch?"})
    live = [await bob.next("notification") for _ in range(2)]
    await bob.close()
    again = await hub.client(auth={"token": bob_token, "last_id": 0})  # a device that has nothing yet
    replayed = [await again.next("notification") for _ in range(2)]

    for got in (live, replayed):
        assert got[0]["id"] == nid
        assert {key: got[0][key] for key in RICH} == RICH
        assert got[1]["id"] == plain["id"]
        assert list(got[1]) == PLAIN_KEYS  # exactly what a client that knows none of it always saw
    history = await call(hub, "GET", "/api/notifications", token=bob_token)
    assert {key: history.body["notifications"][0][key] for key in RICH} == RICH


async def test_a_recipients_answer_reaches_both_sides_and_a_second_one_is_refused(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    bob, bobs_phone = await hub.client(bob_token), await hub.client(await hub.token("bob"))
    nid = await asked(hub, alice)

    ack = await bob.call("respond", {"id": nid, "label": "Approve"})
    second = await bobs_phone.call("respond", {"id": nid, "label": "Reject"})

    assert ack["ok"] is True
    response = ack["response"]
    assert {k: v for k, v in response.items() if k not in {"id", "timestamp"}} == {
        "notification_id": nid,
        "label": "Approve",
        "from": "bob",
        "to": "alice",
        "title": "Deploy 2.14 to prod?",
        "room": None,
    }
    assert response["id"] > nid
    assert await alice.next("response") == response
    assert await bobs_phone.next("response") == response  # his other device knows it was answered
    assert second == {
        "ok": False,
        "error": {"code": "conflict", "message": "you already answered this notification (Approve)"},
    }


async def test_simultaneous_answers_from_two_devices_store_exactly_one(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob = await hub.client(await hub.user("bob"))
    bobs_phone = await hub.client(await hub.token("bob"))
    nid = await asked(hub, alice)

    acks = await asyncio.gather(
        bob.call("respond", {"id": nid, "label": "Approve"}),
        bobs_phone.call("respond", {"id": nid, "label": "Reject"}),
    )

    assert sorted(a["ok"] for a in acks) == [False, True]
    refused = next(a for a in acks if not a["ok"])
    assert refused["error"]["code"] == "conflict"
    listed = await call(hub, "GET", f"/api/notifications/{nid}/responses", token=await hub.token("alice"))
    assert len(listed.body["responses"]) == 1


async def test_who_may_answer_what(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob = await hub.client(await hub.user("bob"))
    carol = await hub.client(await hub.user("carol"))
    nid = await asked(hub, alice)
    plain = (await alice.call("send_notification", {"to": "bob", "message": "no buttons"}))["id"]

    own = await alice.call("respond", {"id": nid, "label": "Approve"})
    stranger = await carol.call("respond", {"id": nid, "label": "Approve"})
    absent = await bob.call("respond", {"id": 10**12, "label": "Approve"})
    wrong_label = await bob.call("respond", {"id": nid, "label": "Maybe"})
    no_buttons = await bob.call("respond", {"id": plain, "label": "Approve"})
    view_label = await bob.call("respond", {"id": nid, "label": "Pipeline"})
    malformed = await bob.call("respond", {"id": "x", "label": "Approve"})

    assert own["error"] == {"code": "forbidden", "message": "you sent this notification: only its recipients answer it"}
    assert stranger["error"] == {"code": "not_found", "message": f"you have no notification {nid}"}
    assert absent["error"]["code"] == "not_found"
    assert wrong_label["error"] == {
        "code": "invalid_payload",
        "message": "label: 'Maybe' is not one of this notification's answers (Approve, Reject)",
    }
    assert no_buttons["error"]["code"] == view_label["error"]["code"] == "invalid_payload"
    assert malformed["error"]["code"] == "invalid_payload"
    assert (await bob.call("respond", {"id": nid, "label": "Reject"}))["ok"]  # the refusals stored nothing


async def test_a_sender_offline_at_the_time_gets_the_answer_on_reconnect_once(hub: Hub) -> None:
    alice_token = await hub.user("alice")
    alice = await hub.client(alice_token)
    bob = await hub.client(await hub.user("bob"))
    nid = await asked(hub, alice)
    await alice.close()

    ack = await bob.call("respond", {"id": nid, "label": "Reject"})
    back = await hub.client(alice_token)
    got = await back.next("response")
    await back.call("ack", {"id": got["id"]})
    await back.close()
    later = await hub.client(alice_token)
    marker = await bob.call("send_notification", {"to": "alice", "message": "marker"})
    first_after = await later.next("notification")

    assert got == ack["response"]
    assert first_after["id"] == marker["id"]
    assert later.pending("response") == []  # acked: not replayed a second time


async def test_room_members_see_who_answered(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob = await hub.client(await hub.user("bob"))
    carol = await hub.client(await hub.user("carol"))
    for member in (alice, bob, carol):
        assert (await member.call("join_room", {"room": "ops"}))["ok"]
    ack = await alice.call("room_message", {"room": "ops", **ASK})
    await carol.next("room_notification")

    answered = await bob.call("respond", {"id": ack["id"], "label": "Approve"})

    seen = await carol.next("response")
    assert seen == answered["response"]
    assert (seen["from"], seen["label"], seen["room"], seen["to"]) == ("bob", "Approve", "ops", "alice")
    assert (await carol.call("respond", {"id": ack["id"], "label": "Reject"}))["ok"]  # one answer each


async def test_only_the_sender_reads_the_answers_over_http(hub: Hub) -> None:
    alice_token = await hub.user("alice")
    alice = await hub.client(alice_token)
    bob_token = await hub.user("bob")
    bob = await hub.client(bob_token)
    nid = await asked(hub, alice)
    before = await call(hub, "GET", f"/api/notifications/{nid}/responses", token=alice_token)
    ack = await bob.call("respond", {"id": nid, "label": "Approve"})

    listed = await call(hub, "GET", f"/api/notifications/{nid}/responses", token=alice_token)
    by_bob = await call(hub, "GET", f"/api/notifications/{nid}/responses", token=bob_token)
    bad = await call(hub, "GET", "/api/notifications/abc/responses", token=alice_token)
    inbox = await call(hub, "GET", "/api/notifications", token=bob_token)

    assert (before.status, before.body) == (200, {"responses": []})
    assert (listed.status, listed.body) == (200, {"responses": [ack["response"]]})
    assert (by_bob.status, by_bob.code) == (404, "not_found")
    assert (bad.status, bad.code) == (400, "invalid_payload")
    assert [n["id"] for n in inbox.body["notifications"]] == [nid]  # the answer is not a notification


async def test_an_answer_claimed_but_not_yet_told_is_not_listed(hub: Hub) -> None:
    alice_token = await hub.user("alice")
    alice = await hub.client(alice_token)
    await hub.user("bob")
    nid = await asked(hub, alice)
    bob = await hub.accounts.user("bob")
    # An answer claimed by a hub of an earlier version, which stored its `response` in a second step
    # and stopped between the two (today both are one transaction).
    claim = "INSERT INTO responses(notification_id, user_id, label, created_at) VALUES (?, ?, 'Approve', '')"
    store = hub.running.store
    if isinstance(store, SqliteStore):
        await store._run(lambda db: db.execute(claim, (nid, bob.id)))
    else:
        assert isinstance(store, PostgresStore)
        async with store.pool.conn() as conn:
            await conn.execute(claim.replace("?", "$1", 1).replace("?", "$2", 1), nid, bob.id)

    listed = await call(hub, "GET", f"/api/notifications/{nid}/responses", token=alice_token)

    assert (listed.status, listed.body) == (200, {"responses": []})  # `send --wait` acts on none
