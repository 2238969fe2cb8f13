"""Read marks and receipts in the store, on both backends (the `store` fixture runs each test on SQLite
and on PostgreSQL): what counts as unread, marks by id and up to an id, receipts noted once."""

from __future__ import annotations

from hub.protocol import Kind
from hub.store import Store
from tests.support.stores import NOW, draft


async def test_unread_counts_what_a_person_reads_and_marks_change_it_once(store: Store) -> None:
    alice = await store.create_user("alice", None, admin=False)
    bob = await store.create_user("bob", None, admin=False)
    await store.join_room("dev", bob.id)
    stored = await store.add(
        [
            draft(Kind.DIRECT, "d1", to_user_id=bob.id),
            draft(Kind.ROOM, "r", room="dev"),
            draft(Kind.EVERYONE, "e"),
            draft(Kind.READ, rich={"control": {"ids": [1]}}, audience=(bob.id,)),
            draft(Kind.RECEIPT, rich={"control": {}}, audience=(bob.id,)),
            draft(Kind.RESPONSE, audience=(bob.id,)),
            draft(Kind.DIRECT, "d2", to_user_id=bob.id),
            draft(Kind.DIRECT, "for alice", to_user_id=alice.id),
        ]
    )
    d1, r, e, control, _, _, d2, alices = (s.notification.id for s in stored)

    assert await store.reads.unread(bob.id) == (4, alices)  # d1, r, e, d2: no control row or answer
    assert await store.reads.mark(bob.id, [d1, e, control, alices, 10**12]) == [d1, e]
    assert await store.reads.mark(bob.id, [d1, alices]) == [d1]  # read already: still bob's, told again
    assert (await store.reads.unread(bob.id))[0] == 2
    assert await store.reads.read_among(bob.id, [d1, r, e, d2]) == {d1, e}
    assert await store.reads.read_among(alice.id, [d1, alices]) == set()


async def test_mark_all_moves_the_floor_to_the_newest_of_the_users_own_and_folds_the_marks(store: Store) -> None:
    await store.create_user("alice", None, admin=False)
    bob = await store.create_user("bob", None, admin=False)
    ids = [
        s.notification.id for s in await store.add([draft(Kind.DIRECT, f"{n}", to_user_id=bob.id) for n in range(4)])
    ]
    await store.reads.mark(bob.id, [ids[3]])

    move = await store.reads.mark_all(bob.id, ids[2])
    beyond = await store.reads.mark_all(bob.id, 10**15)
    again = await store.reads.mark_all(bob.id, 10**15)
    nothing = await store.reads.mark_all(bob.id, ids[0] - 1)

    assert move is not None and (move.before, move.after, move.changed) == (0, ids[2], True)
    assert beyond is not None and (beyond.after, beyond.changed) == (ids[3], False)  # ids[3] was read already
    assert again is not None and (again.before, again.after, again.changed) == (ids[3], ids[3], False)
    assert nothing is None  # bob has nothing up to there
    assert await store.reads.unread(bob.id) == (0, ids[3])
    assert await store.reads.read_among(bob.id, ids) == set(ids)


async def test_receipts_are_noted_once_per_device_and_per_user_and_tallied(store: Store) -> None:
    alice = await store.create_user("alice", None, admin=False)
    bob = await store.create_user("bob", None, admin=False)
    carol = await store.create_user("carol", None, admin=False)
    asked, plain = await store.add(
        [
            draft(Kind.EVERYONE, "page", rich={"receipt": True}, sender_id=alice.id),
            draft(Kind.EVERYONE, "plain", sender_id=alice.id),
        ]
    )
    note = asked.notification

    assert [n.id for n in await store.reads.receipts_between(bob.id, 0, plain.notification.id)] == [note.id]
    assert [n.id for n in await store.reads.receipts_among(carol.id, [note.id, plain.notification.id])] == [note.id]
    assert await store.reads.delivered([note.id], bob.id, "token:1", NOW) == {note.id: 1}
    assert await store.reads.delivered([note.id], bob.id, "token:2", NOW) == {note.id: 2}
    assert await store.reads.delivered([note.id], bob.id, "token:2", NOW) == {}
    assert await store.reads.seen([note.id], bob.id, NOW) == [note.id]
    assert await store.reads.seen([note.id], bob.id, NOW) == []

    tally = await store.reads.tally(note)
    assert (tally.addressees, tally.delivered_users, tally.delivered_devices, tally.seen_users) == (2, 1, 2, 1)
    listed = await store.reads.addressees(note, 10)
    assert [(a.name, a.devices, a.seen_at is not None) for a in listed] == [("bob", 2, True), ("carol", 0, False)]
    assert [a.name for a in await store.reads.addressees(note, 1)] == ["bob"]


async def test_receipts_of_many_notifications_are_noted_in_one_call(store: Store) -> None:
    alice = await store.create_user("alice", None, admin=False)
    bob = await store.create_user("bob", None, admin=False)
    sent = await store.add(
        [
            draft(Kind.DIRECT, f"page {n}", to_user_id=bob.id, rich={"receipt": True}, sender_id=alice.id)
            for n in range(3)
        ]
    )
    ids = [s.notification.id for s in sent]
    await store.reads.delivered(ids[:1], bob.id, "token:1", NOW)
    await store.reads.seen(ids[1:2], bob.id, NOW)

    delivered = await store.reads.delivered(ids, bob.id, "token:1", NOW)
    seen = await store.reads.seen(ids, bob.id, NOW)

    assert delivered == {ids[1]: 1, ids[2]: 1}  # the first was noted for that device already
    assert seen == [ids[0], ids[2]]
