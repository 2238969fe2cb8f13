"""Presence: online when a user's first device connects, offline when the last one leaves."""

from __future__ import annotations

from tests.conftest import Hub


async def test_online_and_offline_follow_the_first_and_last_device(hub: Hub) -> None:
    watcher = await hub.client(await hub.user("watcher"))
    bob_token = await hub.user("bob")

    laptop = await hub.client(bob_token)
    assert await watcher.next("user_online") == {"userId": "bob", "username": "bob"}
    phone = await hub.client(await hub.token("bob"))
    assert (await watcher.call("list_online"))["online"] == ["bob", "watcher"]

    await laptop.close()
    await phone.call("list_online")  # the hub has handled the laptop leaving by now
    assert watcher.pending("user_online") == [] and watcher.pending("user_offline") == []

    await phone.close()
    assert await watcher.next("user_offline") == {"userId": "bob", "username": "bob"}
    assert (await watcher.call("list_online"))["online"] == ["watcher"]


async def test_welcome_lists_who_is_online(hub: Hub) -> None:
    await hub.client(await hub.user("alice"))
    client = await hub.client(await hub.user("bob"), welcome=False)

    welcome = await client.next("welcome")

    assert welcome["user"] == {"name": "bob", "admin": False}
    assert welcome["online"] == ["alice", "bob"]
    assert welcome["limits"]["message_bytes"] == 4096


async def test_list_users_shows_who_is_online(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice", admin=True))
    await hub.user("bob")

    answer = await alice.call("list_users")

    assert answer["users"] == [
        {"name": "alice", "admin": True, "online": True},
        {"name": "bob", "admin": False, "online": False},
    ]
