"""Presence: online when a user's first device connects, offline when the last one leaves."""

from __future__ import annotations

from typing import Any

from hub.store import TokenKind
from tests.support.hubs import Hub


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
        {"name": "alice", "admin": True, "online": True, "receives": True},
        {"name": "bob", "admin": False, "online": False, "receives": True},
    ]


async def test_list_users_tells_which_accounts_can_receive(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    # A script's account: no password, send-only tokens. Nothing sent to it reaches anyone.
    await hub.accounts.add_user("ci", None, admin=False, token_only=True)
    await hub.accounts.issue_token("ci", "cron", TokenKind.SEND)
    # No password either, but a device token (a listener made with `notify-hub token create`): it receives.
    await hub.accounts.add_user("pager", None, admin=False, token_only=True)
    await hub.accounts.issue_token("pager", "listener")
    # Its device token revoked, it receives no more.
    await hub.accounts.add_user("old", None, admin=False, token_only=True)
    revoked = await hub.accounts.issue_token("old", "listener")
    await hub.store.revoke_token(revoked.info.id)

    users = (await alice.call("list_users"))["users"]

    assert {u["name"]: u["receives"] for u in users} == {"alice": True, "ci": False, "old": False, "pager": True}


async def test_on_an_open_hub_every_account_can_receive(hub_factory: Any) -> None:
    hub = await hub_factory(open=True)
    await hub.accounts.add_user("ci", None, admin=False, token_only=True)
    alice = await hub.client(auth={"userId": "alice", "username": "alice"})

    users = (await alice.call("list_users"))["users"]

    assert {u["name"]: u["receives"] for u in users} == {"alice": True, "ci": True}
