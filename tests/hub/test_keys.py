"""Update and retract by key at the hub: a later send with the same key replaces the earlier one on
every device (live, after a reconnect, in history); a retraction withdraws it everywhere; only the
sending account may do either. Real hub, real python-socketio clients."""

from __future__ import annotations

from typing import Any

from tests.support.http import call
from tests.support.hubs import Hub

RUNNING = {"to": "bob", "key": "build-119", "title": "Build 119", "message": "running…"}
PASSED = {**RUNNING, "message": "passed", "type": "success"}


async def sent(client: Any, event: str, body: dict[str, Any]) -> int:
    ack = await client.call(event, body)
    assert ack["ok"], ack
    return int(ack["id"])


async def test_an_update_replaces_the_earlier_version_live_after_a_reconnect_and_in_history(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    bob = await hub.client(bob_token)

    first = await sent(alice, "send_notification", RUNNING)
    second = await sent(alice, "send_notification", PASSED)
    live = [await bob.next("notification") for _ in range(2)]
    late = await hub.client(auth={"token": await hub.token("bob"), "last_id": 0})  # offline meanwhile
    marker = await sent(alice, "send_notification", {"to": "bob", "message": "marker"})
    replayed = [await late.next("notification") for _ in range(2)]
    history = await call(hub, "GET", "/api/notifications", token=bob_token)

    assert (live[0]["id"], live[0]["key"], "replaces" in live[0]) == (first, "build-119", False)
    assert (live[1]["id"], live[1]["replaces"], live[1]["edited"], live[1]["message"]) == (
        second,
        first,
        True,
        "passed",
    )
    assert [n["id"] for n in replayed] == [second, marker]  # only the latest version, once
    assert replayed[0] == live[1]
    assert [(n["id"], n.get("edited")) for n in history.body["notifications"]] == [(second, True), (marker, None)]


async def test_keys_belong_to_one_account_and_one_addressee(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    carol = await hub.client(await hub.user("carol"))
    bob_token = await hub.user("bob")
    await hub.user("dave")
    bob = await hub.client(bob_token)

    alices = await sent(alice, "send_notification", RUNNING)
    carols = await sent(carol, "send_notification", PASSED)  # carol's key of the same name
    to_dave = await sent(alice, "send_notification", {**PASSED, "to": "dave"})  # another addressee
    got = [await bob.next("notification") for _ in range(2)]
    history = await call(hub, "GET", "/api/notifications", token=bob_token)

    assert [(n["id"], n["key"], "replaces" in n) for n in got] == [
        (alices, "build-119", False),
        (carols, "build-119", False),
    ]
    assert to_dave > carols
    assert [n["id"] for n in history.body["notifications"]] == [alices, carols]


async def test_a_retraction_withdraws_it_from_every_device_and_from_history(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    alices_phone = await hub.client(await hub.token("alice"))
    bob_token = await hub.user("bob")
    bob = await hub.client(bob_token)
    await sent(alice, "send_notification", RUNNING)
    latest = await sent(alice, "send_notification", PASSED)
    kept = await sent(alice, "send_notification", {"to": "bob", "message": "lunch?"})

    ack = await alices_phone.call("retract", {"key": "build-119", "to": "bob"})
    told = await bob.next("retracted")
    late = await hub.client(auth={"token": await hub.token("bob"), "last_id": 0})
    replayed = [await late.next("notification"), await late.next("retracted")]
    again = await alice.call("retract", {"key": "build-119", "to": "bob"})
    history = await call(hub, "GET", "/api/notifications", token=bob_token)

    assert ack == {"ok": True, "id": told["id"], "retracts": [latest], "recipients": 1, "cancelled": 0}
    assert {k: told[k] for k in ("kind", "key", "retracts", "from", "room")} == {
        "kind": "retract",
        "key": "build-119",
        "retracts": [latest],
        "from": "alice",
        "room": None,
    }
    assert [replayed[0]["id"], replayed[1]["retracts"]] == [kept, [latest]]  # nothing of it comes back
    assert again["error"]["code"] == "not_found"
    assert [n["id"] for n in history.body["notifications"]] == [kept]


async def test_nobody_else_can_retract_a_key_and_the_answer_does_not_say_whether_it_exists(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    mallory = await hub.client(await hub.user("mallory"))
    bob = await hub.client(await hub.user("bob"))
    nid = await sent(alice, "send_notification", RUNNING)

    theirs = await mallory.call("retract", {"key": "build-119", "to": "bob"})
    nothing = await mallory.call("retract", {"key": "build-120", "to": "bob"})
    update = await sent(mallory, "send_notification", {**PASSED, "message": "hacked"})  # mallory's own key
    got = [await bob.next("notification") for _ in range(2)]

    assert theirs["error"]["code"] == nothing["error"]["code"] == "not_found"
    assert theirs["error"]["message"].replace("119", "N") == nothing["error"]["message"].replace("120", "N")
    assert [(n["id"], "replaces" in n) for n in got] == [(nid, False), (update, False)]


async def test_rooms_and_everyone_are_addressees_of_their_own(hub: Hub) -> None:
    admin = await hub.client(await hub.user("root", admin=True))
    bob = await hub.client(await hub.user("bob"))
    carol = await hub.client(await hub.user("carol"))
    for member in (bob, carol):
        assert (await member.call("join_room", {"room": "ops"}))["ok"]
    await admin.call("join_room", {"room": "ops"})
    in_room = await sent(admin, "room_message", {"room": "ops", "key": "deploy", "message": "deploying"})
    to_all = await sent(admin, "broadcast", {"key": "deploy", "message": "maintenance at 5"})
    announced = await sent(admin, "announce", {"key": "deploy", "message": "maintenance at 6"})

    ack = await admin.call("retract", {"key": "deploy", "room": "ops"})
    everyone = await admin.call("retract", {"key": "deploy", "everyone": True})

    assert ack["retracts"] == [in_room] and ack["recipients"] == 3
    assert everyone["retracts"] == [announced]  # the announcement replaced the broadcast
    for member in (bob, carol):
        seen = [(await member.next(e))["id"] for e in ("room_notification", "global_notification")]
        assert seen == [in_room, to_all]
        assert (await member.next("server_announcement"))["replaces"] == to_all
        assert [(await member.next("retracted"))["retracts"] for _ in range(2)] == [[in_room], [announced]]


async def test_retract_over_http_and_x_key(hub: Hub) -> None:
    token = await hub.user("alice")
    bob = await hub.client(await hub.user("bob"))
    first = await call(hub, "POST", "/api/notify/bob", token=token, data="running", headers={"X-Key": "ci:119"})
    second = await call(
        hub, "POST", "/api/notifications", token=token, json={"to": "bob", "key": "ci:119", "message": "ok"}
    )
    bad = await call(hub, "POST", "/api/notify/bob", token=token, data="x", headers={"X-Key": "-no"})

    gone = await call(hub, "DELETE", "/api/notifications/keys/ci:119", token=token, params={"to": "bob"})
    again = await call(hub, "DELETE", "/api/notifications/keys/ci:119", token=token, params={"to": "bob"})
    two = await call(hub, "DELETE", "/api/notifications/keys/ci:119", token=token, params={"to": "bob", "room": "x"})

    assert (first.status, second.status, bad.status, bad.code) == (201, 201, 400, "invalid_payload")
    assert (await bob.next("notification"))["key"] == "ci:119"
    assert (await bob.next("notification"))["replaces"] == first.body["id"]
    assert (gone.status, gone.body["retracts"]) == (200, [second.body["id"]])
    assert (await bob.next("retracted"))["id"] == gone.body["id"]
    assert (again.status, again.code, two.status, two.code) == (404, "not_found", 400, "invalid_payload")


async def test_only_the_account_that_sent_it_lists_its_answers_not_one_made_again_with_its_name(hub: Hub) -> None:
    alice = await hub.user("alice")  # sends over HTTP: no device of hers is left to save a cursor for
    bob = await hub.client(await hub.user("bob"))
    buttons = [{"action": "respond", "label": "Approve"}]
    asked = await call(
        hub, "POST", "/api/notifications", token=alice, json={"to": "bob", "message": "deploy?", "actions": buttons}
    )
    nid = asked.body["id"]
    assert (await bob.call("respond", {"id": nid, "label": "Approve"}))["ok"]
    before = await call(hub, "GET", f"/api/notifications/{nid}/responses", token=alice)
    assert await hub.store.remove_user("alice")
    new_alice = await hub.user("alice")

    listed = await call(hub, "GET", f"/api/notifications/{nid}/responses", token=new_alice)

    assert (before.status, len(before.body["responses"])) == (200, 1)
    assert (listed.status, listed.code) == (404, "not_found")


async def test_in_open_mode_a_claimed_identity_updates_and_retracts_its_own_keys(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(open=True)
    ci = await hub.client(auth={"userId": "ci"})
    bob = await hub.client(auth={"userId": "bob"})
    mallory = await hub.client(auth={"userId": "mallory"})

    first = await sent(ci, "send_notification", RUNNING)
    second = await sent(ci, "send_notification", PASSED)
    refused = await mallory.call("retract", {"key": "build-119", "to": "bob"})
    gone = await ci.call("retract", {"key": "build-119", "to": "bob"})

    assert [(await bob.next("notification"))["id"] for _ in range(2)] == [first, second]
    assert refused["error"]["code"] == "not_found"
    assert gone["retracts"] == [second]
    assert (await bob.next("retracted"))["retracts"] == [second]


async def test_a_retraction_counts_in_no_notification_metric(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob = await hub.client(await hub.user("bob"))
    await sent(alice, "send_notification", RUNNING)
    assert (await alice.call("retract", {"key": "build-119", "to": "bob"}))["ok"]
    await bob.next("retracted")

    body = (await call(hub, "GET", "/metrics")).body

    assert 'kind="direct"' in body and 'kind="retract"' not in body


async def test_a_query_giving_a_parameter_twice_is_refused_after_the_token_and_retracts_nothing(hub: Hub) -> None:
    token, bob_token = await hub.user("alice"), await hub.user("bob")
    bob = await hub.client(bob_token)
    sent_ = await call(hub, "POST", "/api/notifications", token=token, json={"to": "bob", "key": "k1", "message": "x"})
    assert (await bob.next("notification"))["key"] == "k1"

    twice = "/api/notifications/keys/k1?to=bob&to=carol"
    refused = await call(hub, "DELETE", twice, token=token)
    anonymous = await call(hub, "DELETE", twice)
    history = await call(hub, "GET", "/api/notifications?limit=1&limit=500", token=bob_token)
    kept = await call(hub, "GET", "/api/notifications", token=bob_token)

    assert (refused.status, refused.code) == (400, "invalid_payload")
    assert "'to' is given more than once" in refused.body["error"]["message"]
    assert (anonymous.status, anonymous.code) == (401, "unauthorized")
    assert (history.status, history.code) == (400, "invalid_payload")
    assert [n["id"] for n in kept.body["notifications"]] == [sent_.body["id"]]
