"""`welcome.unread` kept per user between connects (hub/delivery/unread.py): a device that comes back
to nothing new costs no count, and every device's badge (the welcome's count, plus what it is sent
above `unread_upto`) still equals the store's count after marks, new notifications, keyed updates,
retractions and retention. Real hub, real python-socketio clients; the store is the referee."""

from __future__ import annotations

from typing import Any

import pytest

from hub.store import User
from tests.support.clients import sent
from tests.support.hubs import Hub


class CountedUnread:
    """Counts the store's `reads.unread` calls (the real store answers them)."""

    def __init__(self, hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.real = real = hub.store.reads.unread

        async def unread(user_id: int) -> tuple[int, int]:
            self.calls += 1
            return await real(user_id)

        monkeypatch.setattr(hub.store.reads, "unread", unread)


async def bob_of(hub: Hub) -> User:
    user = await hub.store.get_user("bob")
    assert user is not None
    return user


async def badge(
    hub: Hub, welcome: dict[str, Any], unread_sent: list[int], store: CountedUnread | None = None
) -> tuple[int, int]:
    """What a device shows (the welcome's count plus the unread ones it is sent above `unread_upto`),
    and what the store counts now (not counted as the hub's asking)."""
    shown = welcome["unread"] + len([nid for nid in unread_sent if nid > welcome["unread_upto"]])
    count = hub.store.reads.unread if store is None else store.real
    truth, _ = await count((await bob_of(hub)).id)
    return shown, truth


async def test_a_device_back_to_nothing_new_is_not_counted_again_and_its_badge_stays_true(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await hub.client(await hub.user("alice"))
    laptop_token, phone_token = await hub.user("bob"), await hub.token("bob")
    ids = [await sent(alice, "bob", f"note {n}") for n in range(3)]
    laptop, welcome = await hub.welcomed(laptop_token, last_id=0)
    assert welcome["unread"] == 3
    for _ in ids:
        await laptop.next("notification")
    await laptop.close()
    store = CountedUnread(hub, monkeypatch)

    laptop, welcome = await hub.welcomed(laptop_token, last_id=ids[-1])
    assert store.calls == 0  # nothing changed: the count kept at the first connect serves
    assert await badge(hub, welcome, [], store) == (3, 3)
    await laptop.close()

    later = await sent(alice, "bob", "while away")  # no key: the kept count still covers up to its upto
    laptop, welcome = await hub.welcomed(laptop_token, last_id=ids[-1])
    assert store.calls == 0
    assert (await laptop.next("notification"))["id"] == later
    assert await badge(hub, welcome, [later], store) == (4, 4)
    await laptop.close()

    phone, _ = await hub.welcomed(phone_token, last_id=later)  # it has `later`: counted by the store
    assert store.calls == 1
    await phone.call("mark_read", {"ids": [ids[0]]})
    laptop, welcome = await hub.welcomed(laptop_token, last_id=later)
    assert store.calls == 3  # the mark's own count, and the laptop's after the mark
    assert await badge(hub, welcome, [], store) == (3, 3)


async def test_a_keyed_update_and_a_retraction_are_counted_again(hub: Hub) -> None:
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    first = await sent(alice, "bob", "build 1 running", key="build")
    other = await sent(alice, "bob", "lunch?")
    bob, welcome = await hub.welcomed(bob_token, last_id=0)
    assert welcome["unread"] == 2
    await bob.close()

    update = await sent(alice, "bob", "build 1 passed", key="build")  # takes the place of `first`
    bob, welcome = await hub.welcomed(bob_token, last_id=other)
    assert welcome["unread_upto"] >= update and await badge(hub, welcome, [update]) == (2, 2)
    await bob.close()

    assert (await alice.call("retract", {"key": "build", "to": "bob"}))["ok"]
    bob, welcome = await hub.welcomed(bob_token, last_id=other)
    assert await badge(hub, welcome, []) == (1, 1)
    assert first < other


async def test_retention_is_counted_again(hub_factory: Any) -> None:
    hub: Hub = await hub_factory(retention_count=2)
    alice = await hub.client(await hub.user("alice"))
    bob_token = await hub.user("bob")
    ids = [await sent(alice, "bob", f"note {n}") for n in range(4)]
    bob, welcome = await hub.welcomed(bob_token, last_id=0)
    assert welcome["unread"] == 4
    await bob.close()

    await hub.delivery.maintenance.prune()
    bob, welcome = await hub.welcomed(bob_token, last_id=ids[-1])

    assert await badge(hub, welcome, []) == (2, 2)
