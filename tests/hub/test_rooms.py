"""Rooms a user makes by joining: at most `rooms_per_user` each, gone with their last member, taken
over by an admin's `room create`; and `list_rooms` in pages."""

from __future__ import annotations

from typing import Any

from tests.support.cli import notify_hub
from tests.support.hubs import Hub


async def test_a_user_makes_at_most_rooms_per_user_rooms_by_joining(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(rooms_per_user=3)
    mallory = await hub.client(await hub.user("mallory"))
    admin = await hub.client(await hub.user("root", admin=True))
    assert (await admin.call("join_room", "lobby"))["ok"]

    made = [await mallory.call("join_room", f"r{i}") for i in range(4)]

    assert [a["ok"] for a in made] == [True, True, True, False]
    assert made[3]["error"]["code"] == "forbidden"
    assert "you have made 3 rooms by joining, the most this hub allows (rooms_per_user)" in made[3]["error"]["message"]
    assert (await mallory.call("join_room", "lobby"))["joined"], "joining a room that exists is not making one"
    # Leaving a room one made, as its last member, removes it and frees its place.
    assert (await mallory.call("leave_room", "r0"))["left"]
    assert await hub.store.get_room("r0") is None
    assert (await mallory.call("join_room", "r3"))["ok"]
    for i in range(5):  # admins are not counted
        assert (await admin.call("join_room", f"admin{i}"))["ok"]


async def test_with_rooms_per_user_0_only_admins_make_rooms(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(rooms_per_user=0)
    alice = await hub.client(await hub.user("alice"))
    admin = await hub.client(await hub.user("root", admin=True))

    refused = await alice.call("join_room", "new")
    assert refused["error"]["code"] == "forbidden"
    assert refused["error"]["message"] == "there is no room named 'new', and on this hub only admins make rooms"
    assert (await admin.call("join_room", "new"))["ok"]
    assert (await alice.call("join_room", "new"))["joined"]


async def test_list_rooms_comes_in_pages_and_an_unpaged_request_gets_the_first(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    for i in range(250):
        await hub.store.create_room(f"room{i:03d}", restricted=False, members=[])
    assert (await alice.call("join_room", "room120"))["ok"]

    first = await alice.call("list_rooms")
    assert len(first["rooms"]) == 100 and first["more"] is True and first["next"] == "room099"
    names = [r["name"] for r in first["rooms"]]
    after = first["next"]
    while after is not None:
        page = await alice.call("list_rooms", {"after": after, "limit": 64})
        assert len(page["rooms"]) <= 64
        names += [r["name"] for r in page["rooms"]]
        mine = [r for r in page["rooms"] if r["member"]]
        assert all(r["name"] == "room120" and r["members"] == 1 for r in mine)
        after = page["next"]
    assert names == [f"room{i:03d}" for i in range(250)]
    assert page["more"] is False
    for bad in ({"limit": 0}, {"limit": 501}, {"after": "no spaces"}, {"limit": "7"}):
        assert (await alice.call("list_rooms", bad))["error"]["code"] == "invalid_payload", bad
    assert (await alice.call("list_rooms", "junk"))["rooms"] == first["rooms"], "as before pages: ignored"


async def cli(hub: Hub, *args: str) -> tuple[int, str, str]:
    done = await notify_hub("--data-dir", str(hub.config.data_dir), *args)
    return done.code, done.out, done.err


async def test_an_admins_room_create_takes_over_a_room_a_user_made_by_joining(hub: Hub) -> None:
    mallory = await hub.client(await hub.user("mallory"))
    alice = await hub.client(await hub.user("alice"))
    await hub.user("bob")
    assert (await mallory.call("join_room", "ops"))["ok"]  # squatting the name the admin is about to use
    assert (await cli(hub, "room", "list"))[1] == "ops\topen (made by mallory by joining)\tmallory\n"

    status, _, told = await cli(hub, "room", "create", "ops", "--members", "alice,bob")

    assert status == 0, told
    assert (
        "took over room ops, made by mallory by joining: it is now an admin's room (restricted to alice, bob)" in told
    )
    room = await hub.store.get_room("ops")
    assert room is not None and room.restricted and room.members == ("alice", "bob") and room.made_by is None
    posted = await mallory.call("room_message", {"room": "ops", "message": "still here?"})
    assert posted["error"]["code"] == "forbidden"
    assert (await alice.call("room_message", {"room": "ops", "message": "ours"}))["ok"]
    # Now an admin's room: its name is taken, and it stays when its members leave.
    status, _, told = await cli(hub, "room", "create", "ops")
    assert status == 1 and "a room named 'ops' already exists" in told
    assert (await alice.call("leave_room", "ops"))["left"]
    assert await hub.store.get_room("ops") is not None
