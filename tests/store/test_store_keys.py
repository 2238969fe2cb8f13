"""Keys in both stores: an update deletes the version it replaces in the transaction that stores it,
a retraction deletes what it withdraws and goes to whoever had it, and each row keeps its sender's
account id. Pure planning is tested in `test_plan_edits_*` without a database."""

from __future__ import annotations

import sqlite3

import pytest

from hub.errors import NotFound
from hub.protocol import Kind
from hub.store import SqliteStore, Store
from hub.store.edits import edit_sql, plan_edits
from hub.store.schema import SQLITE
from tests.support.keys import keyed, retraction


async def test_an_update_replaces_its_key_to_the_same_addressee_only(store: Store) -> None:
    alice = await store.create_user("alice", None, admin=False)
    bob = await store.create_user("bob", None, admin=False)
    carol = await store.create_user("carol", None, admin=False)
    a, c = (alice.id, "alice"), (carol.id, "carol")
    [v1] = await store.add([keyed(Kind.DIRECT, "running", sender=a, key="b-119", to_user_id=bob.id)])
    # In one batch: the second version, carol's key of that name, alice's to carol, and a third version.
    stored = await store.add(
        [
            keyed(Kind.DIRECT, "tests", sender=a, key="b-119", to_user_id=bob.id),
            keyed(Kind.DIRECT, "hers", sender=c, key="b-119", to_user_id=bob.id),
            keyed(Kind.DIRECT, "to carol", sender=a, key="b-119", to_user_id=carol.id),
            keyed(Kind.DIRECT, "passed", sender=a, key="b-119", to_user_id=bob.id),
        ]
    )
    v2, hers, to_carol, v3 = (s.notification for s in stored)

    assert (v1.notification.replaces, v1.notification.key, v1.notification.sender_id) == (None, "b-119", alice.id)
    assert (v2.replaces, v2.edited, hers.replaces, to_carol.replaces) == (v1.notification.id, True, None, None)
    assert (v3.replaces, v3.edited) == (v2.id, True)
    assert [(n.message, n.replaces) for n in await store.replay(bob.id, 0, 10)] == [("hers", None), ("passed", v2.id)]
    assert await store.edits.live((alice.id, "b-119", f"user:{bob.id}")) == [v3.id]


async def test_a_retraction_withdraws_a_rooms_key_and_goes_to_whoever_had_it(store: Store) -> None:
    alice = await store.create_user("alice", None, admin=False)
    bob = await store.create_user("bob", None, admin=False)
    carol = await store.create_user("carol", None, admin=False)
    for user in (alice, bob, carol):
        await store.join_room("ops", user.id)
    a = (alice.id, "alice")
    [sent] = await store.add([keyed(Kind.ROOM, "deploying", sender=a, key="deploy", room="ops")])
    await store.leave_room("ops", carol.id)  # carol still has it

    [gone] = await store.add([retraction(sender=a, key="deploy", room="ops")])

    assert gone.notification.kind is Kind.RETRACT
    assert gone.notification.retracts == (sent.notification.id,)
    assert gone.recipients == (alice.id, bob.id, carol.id)
    assert [n.kind for n in await store.replay(carol.id, 0, 10)] == [Kind.RETRACT]
    assert await store.edits.live((alice.id, "deploy", "room:ops")) == []
    with pytest.raises(NotFound):
        await store.add([retraction(sender=a, key="deploy", room="ops")])


async def test_a_retraction_of_what_went_to_everyone_reaches_everyone(store: Store) -> None:
    root = await store.create_user("root", None, admin=True)
    bob = await store.create_user("bob", None, admin=False)
    r = (root.id, "root")
    [one] = await store.add([keyed(Kind.EVERYONE, "maintenance", sender=r, key="mnt")])
    [two] = await store.add([keyed(Kind.ANNOUNCEMENT, "maintenance at 6", sender=r, key="mnt")])
    [gone] = await store.add([retraction(sender=r, key="mnt")])

    assert two.notification.replaces == one.notification.id
    assert gone.notification.retracts == (two.notification.id,)
    assert [n.kind for n in await store.replay(bob.id, 0, 10)] == [Kind.RETRACT]


def test_plan_edits_without_a_database() -> None:
    a = (1, "alice")
    drafts = [
        keyed(Kind.DIRECT, "one", sender=a, key="k", to_user_id=2),
        retraction(sender=a, key="k", to_user_id=2),
        keyed(Kind.DIRECT, "again", sender=a, key="k", to_user_id=2),
        keyed(Kind.DIRECT, "plain", sender=a, key=None, to_user_id=2),
    ]
    plan = plan_edits(drafts, 10, {(1, "k", "user:2"): [7]}, {(1, "k", "user:2"): [2]})

    assert [d.rich for d in plan.drafts] == [
        {"key": "k", "replaces": 7, "edited": True},
        {"key": "k", "retracts": [11]},
        {"key": "k"},
        None,
    ]
    assert plan.gone == [7, 11]
    assert plan.drafts[1].audience == (2,)


async def test_the_index_of_keys_holds_keyed_rows_only_and_finds_them(store: Store) -> None:
    """A plain notification adds nothing to the index of keys (a batch from many senders would
    otherwise change a page of it per sender), and a key is still found through it."""
    if isinstance(store, SqliteStore):
        with sqlite3.connect(store.path) as db:
            [definition] = db.execute("SELECT sql FROM sqlite_master WHERE name = 'notifications_key'").fetchone()
            plan = " ".join(
                r[3] for r in db.execute(f"EXPLAIN QUERY PLAN {edit_sql(SQLITE).live}", (1, "k", "everyone"))
            )
        assert definition.endswith("WHERE key IS NOT NULL")
        assert "INDEX notifications_key (sender_id=? AND key=? AND addressee=?)" in plan
    else:
        import asyncpg

        conn = await asyncpg.connect(store.dsn)  # type: ignore[attr-defined]
        try:
            definition = await conn.fetchval("SELECT indexdef FROM pg_indexes WHERE indexname = 'notifications_key'")
        finally:
            await conn.close()
        assert definition.endswith("WHERE (key IS NOT NULL)")
