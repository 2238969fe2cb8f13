"""Read state on every device of a user: `mark_read` (ids, or all up to an id, one message each), the
`read` event live and in catch-up, `welcome`'s unread count, history's `read`, `POST /api/read`.
Real hub, real python-socketio clients."""

from __future__ import annotations

from typing import Any

from hub.store import TokenKind
from tests.support.clients import sent
from tests.support.http import call
from tests.support.hubs import Hub


async def test_a_mark_on_one_device_reaches_the_others_live_and_a_reconnecting_one_in_catch_up(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    laptop, phone = await hub.client(bob_token), await hub.client(await hub.token("bob"))
    tablet_token = await hub.token("bob")
    tablet, _ = await hub.welcomed(tablet_token, last_id=0)
    ids = [await sent(alice, "bob", f"note {n}") for n in range(3)]
    for device in (laptop, phone, tablet):
        for nid in ids:
            assert (await device.next("notification"))["id"] == nid
    await tablet.close()

    ack = await laptop.call("mark_read", {"ids": [ids[0], ids[2], ids[2]]})
    told = await phone.next("read")

    assert ack == {"ok": True, "marked": [ids[0], ids[2]], "unread": 1, "unread_upto": ids[2], "id": told["id"]}
    assert told == {
        "id": told["id"],
        "kind": "read",
        "timestamp": told["timestamp"],
        "ids": [ids[0], ids[2]],
        "unread": 1,
        "unread_upto": ids[2],
    }
    assert await laptop.next("read") == told  # every device, the one that marked too
    again, welcome = await hub.welcomed(tablet_token, last_id=ids[2])  # it has the notifications, not the mark
    assert (welcome["unread"], welcome["unread_upto"]) == (1, told["id"])
    assert await again.next("read") == told
    assert again.pending("notification") == []


async def test_mark_all_read_is_one_message_that_leaves_later_notifications_unread(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    bob, phone = await hub.client(bob_token), await hub.client(await hub.token("bob"))
    ids = [await sent(alice, "bob", f"note {n}") for n in range(5)]

    ack = await bob.call("mark_read", {"all": True, "upto": ids[3]})
    told = await phone.next("read")
    later = await sent(alice, "bob", "after the mark")
    _, welcome = await hub.welcomed(await hub.token("bob"))

    assert told["all"] is True and told["upto"] == ids[3] and told["unread"] == 1
    assert ack["upto"] == ids[3] and ack["unread"] == 1
    assert welcome["unread"] == 2  # ids[4] and the later one
    assert welcome["unread_upto"] >= later
    retried = await bob.call("mark_read", {"all": True, "upto": ids[3]})  # as after a lost answer
    assert (await phone.next("read"))["id"] == retried["id"]  # told again: a retry reaches every device
    beyond = await bob.call("mark_read", {"all": True, "upto": 10**15})  # capped at what bob has
    assert beyond["upto"] == later and beyond["unread"] == 0
    history = await call(hub, "GET", "/api/notifications", token=bob_token)
    assert [n["read"] for n in history.body["notifications"]] == [True] * 6
    assert {n["kind"] for n in history.body["notifications"]} == {"direct"}  # no control rows listed


async def test_welcome_counts_unread_without_control_rows_and_history_says_which_are_read(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    bob = await hub.client(bob_token)
    ids = [await sent(alice, "bob", f"note {n}") for n in range(3)]
    await bob.call("mark_read", {"ids": [ids[1]]})

    _, welcome = await hub.welcomed(await hub.token("bob"))
    history = await call(hub, "GET", "/api/notifications", token=bob_token)

    assert welcome["unread"] == 2
    assert [(n["id"], n["read"]) for n in history.body["notifications"]] == [
        (ids[0], False),
        (ids[1], True),
        (ids[2], False),
    ]


async def test_nobody_marks_another_users_notifications_read(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    carol = await hub.client(await hub.user("carol"))
    nid = await sent(alice, "bob", "for bob only")

    by_carol = await carol.call("mark_read", {"ids": [nid]})
    by_sender = await alice.call("mark_read", {"ids": [nid]})
    carol_all = await carol.call("mark_read", {"all": True, "upto": nid})
    over_http = await call(hub, "POST", "/api/read", token=await hub.token("carol"), json={"ids": [nid]})

    assert by_carol["marked"] == by_sender["marked"] == over_http.body["marked"] == []
    assert by_carol["id"] is None and carol_all["id"] is None
    _, welcome = await hub.welcomed(bob_token)
    assert welcome["unread"] == 1


async def test_post_api_read_marks_on_every_device_and_bad_marks_are_refused(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    bob = await hub.client(bob_token)
    nid = await sent(alice, "bob", "read me over HTTP")

    answer = await call(hub, "POST", "/api/read", token=bob_token, json={"ids": [nid]})
    told = await bob.next("read")
    send_only = await hub.accounts.issue_token("bob", "ci", kind=TokenKind.SEND)
    refused_token = await call(hub, "POST", "/api/read", token=send_only.secret, json={"ids": [nid]})

    assert answer.status == 200 and answer.body["marked"] == [nid] and told["ids"] == [nid]
    assert refused_token.status == 403
    bad_marks: list[dict[str, Any]] = [{}, {"ids": []}, {"ids": [0]}, {"ids": ["1"]}, {"all": True}]
    bad_marks.append({"all": True, "ids": [1], "upto": 1})
    for bad in bad_marks:
        refused = await bob.call("mark_read", bad)
        assert refused["error"]["code"] == "invalid_payload", (bad, refused)
    too_many = await bob.call("mark_read", {"ids": list(range(1, 502))})
    assert too_many["error"]["code"] in {"invalid_payload", "too_large"}


async def test_open_mode_marks_as_the_claimed_identity(hub_factory: Any) -> None:
    hub = await hub_factory(open=True)
    alice = await hub.client(auth={"userId": "alice"})
    bob_tab, bob_laptop = await hub.client(auth={"userId": "bob"}), await hub.client(auth={"userId": "bob"})
    nid = await sent(alice, "bob", "hello")
    await bob_tab.next("notification")

    ack = await bob_tab.call("mark_read", {"ids": [nid]})

    assert ack["marked"] == [nid] and ack["unread"] == 0
    assert (await bob_laptop.next("read"))["ids"] == [nid]


async def test_reading_has_a_rate_limit_of_its_own_and_never_spends_the_sends(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(rate_burst=3, rate_refill_per_second=0.001, read_burst=4, read_refill_per_second=0.001)
    alice = await hub.client(await hub.user("alice"), name="alice")
    bob = await hub.client(await hub.user("bob"), name="bob")
    ids = [await sent(alice, "bob", f"n{n}") for n in range(2)]

    marks = [await bob.call("mark_read", {"ids": [ids[n % 2]]}) for n in range(3)]
    seen = await bob.call("seen", {"ids": ids})
    over = await bob.call("mark_read", {"ids": ids})
    sends = [await bob.call("send_notification", {"to": "alice", "message": f"r{n}"}) for n in range(3)]

    assert all(answer["ok"] for answer in [*marks, seen])
    assert over["error"]["code"] == "rate_limited" and "read marks" in over["error"]["message"]
    assert [answer["ok"] for answer in sends] == [True, True, True]
