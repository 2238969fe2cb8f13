"""Scheduled sends in the store, on both backends: pending rows, the per-user cap, replace and cancel
by key, claims with a lease, and the firing that removes a row in the transaction storing its
notification (a second firing stores nothing)."""

from __future__ import annotations

import asyncio

import pytest

from hub.protocol import Kind, NotificationType
from hub.store import NewNotification, Store
from hub.store.schedule import NewSchedule, ScheduleGone

AT = 1_800_000_000_000  # ms since the epoch


def later(
    user_id: int, to_user_id: int | None, *, key: str | None = None, at: int = AT, text: str = "hi"
) -> NewSchedule:
    return NewSchedule(
        user_id=user_id,
        key=key,
        kind=Kind.DIRECT if to_user_id is not None else Kind.EVERYONE,
        type=NotificationType.INFO,
        title="",
        message=text,
        sender="alice",
        to_user_id=to_user_id,
        room=None,
        rich={"priority": "high"},
        deliver_at=at,
        created_at="2026-12-07T10:00:00.000Z",
    )


async def test_pending_schedules_are_the_users_own_soonest_first_within_the_cap(store: Store) -> None:
    alice = await store.create_user("alice", None, admin=False)
    bob = await store.create_user("bob", None, admin=False)

    second = await store.schedule.add(later(alice.id, bob.id, at=AT + 1, text="second"), 3)
    first = await store.schedule.add(later(alice.id, bob.id, text="first"), 3)
    await store.schedule.add(later(bob.id, alice.id, text="bob's"), 3)
    third = await store.schedule.add(later(alice.id, None, text="third", at=AT + 2), 3)
    refused = await store.schedule.add(later(alice.id, bob.id, text="fourth"), 3)

    pending = await store.schedule.pending(alice.id)
    assert [p.id for p in pending] == [first, second, third]
    assert [p.new.message for p in pending] == ["first", "second", "third"]
    assert pending[0].new == later(alice.id, bob.id, text="first")
    assert refused is None


async def test_a_key_replaces_the_one_to_the_same_addressee_and_cancels_them_all(store: Store) -> None:
    alice = await store.create_user("alice", None, admin=False)
    bob = await store.create_user("bob", None, admin=False)
    carol = await store.create_user("carol", None, admin=False)

    await store.schedule.add(later(alice.id, bob.id, key="k", text="v1"), 10)
    await store.schedule.add(later(alice.id, bob.id, key="k", text="v2"), 10)
    await store.schedule.add(later(alice.id, carol.id, key="k", text="carol"), 10)
    await store.schedule.add(later(alice.id, None, key="k", text="all"), 10)
    await store.schedule.add(later(alice.id, None, key="k", text="all again"), 10)
    await store.schedule.add(later(bob.id, carol.id, key="k", text="bob's"), 10)
    listed = sorted(p.new.message for p in await store.schedule.pending(alice.id))

    assert listed == ["all again", "carol", "v2"]
    assert await store.schedule.cancel(alice.id, "k") == 3
    assert await store.schedule.cancel(alice.id, "k") == 0
    assert [p.new.message for p in await store.schedule.pending(bob.id)] == ["bob's"]


async def test_a_due_schedule_is_claimed_by_one_hub_until_its_lease_runs_out(store: Store) -> None:
    alice = await store.create_user("alice", None, admin=False)
    due = await store.schedule.add(later(alice.id, alice.id), 10)
    await store.schedule.add(later(alice.id, alice.id, at=AT + 60_000), 10)

    early = await store.schedule.claim("hub-a", AT - 1, 5000, 10)
    by_a = await store.schedule.claim("hub-a", AT, 5000, 10)
    by_b = await store.schedule.claim("hub-b", AT + 4999, 5000, 10)
    next_while_held = await store.schedule.next_due()
    after_lease = await store.schedule.claim("hub-b", AT + 5000, 5000, 10)

    assert early == []
    assert [p.id for p in by_a] == [due]
    assert by_b == []
    assert next_while_held == AT + 5000
    assert [p.id for p in after_lease] == [due]
    await store.schedule.release_all()
    assert [p.id for p in await store.schedule.claim("hub-c", AT, 5000, 10)] == [due]


async def test_firing_stores_the_notification_and_removes_the_row_once(store: Store) -> None:
    alice = await store.create_user("alice", None, admin=False)
    schedule_id = await store.schedule.add(later(alice.id, alice.id), 10)
    assert schedule_id is not None
    fired = NewNotification(
        Kind.DIRECT, NotificationType.INFO, "", "hi", "alice", "2026-12-07T10:00:00.000Z", to_user_id=alice.id
    )._replace(schedule_id=schedule_id)
    plain = fired._replace(schedule_id=None, message="plain")

    [stored] = await store.add([fired])
    with pytest.raises(ScheduleGone):
        await store.add([plain, fired])  # fired again (another hub): nothing of the batch is stored

    assert stored.recipients == (alice.id,)
    assert [n.message for n in await store.replay(alice.id, 0, 10)] == ["hi"]
    assert await store.schedule.pending(alice.id) == []
    assert await store.schedule.next_due() is None


async def test_a_schedule_goes_with_its_senders_or_its_recipients_account(store: Store) -> None:
    alice = await store.create_user("alice", None, admin=False)
    bob = await store.create_user("bob", None, admin=False)
    await store.schedule.add(later(alice.id, bob.id), 10)
    await store.schedule.add(later(bob.id, alice.id), 10)

    await store.remove_user("bob")

    assert await store.schedule.pending(alice.id) == []
    assert await store.schedule.next_due() is None


async def test_two_hubs_claiming_at_once_share_the_due_schedules_out(store: Store) -> None:
    alice = await store.create_user("alice", None, admin=False)
    made = {await store.schedule.add(later(alice.id, alice.id, text=str(n)), 100) for n in range(40)}

    a, b = await asyncio.gather(
        store.schedule.claim("hub-a", AT, 5000, 25), store.schedule.claim("hub-b", AT, 5000, 25)
    )

    ids_a, ids_b = {p.id for p in a}, {p.id for p in b}
    assert not ids_a & ids_b
    assert ids_a | ids_b == made
