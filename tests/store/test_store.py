"""The store suite: every test runs against both backends (SQLite and PostgreSQL), which must agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hub.errors import Conflict, NotFound, SchemaTooNew
from hub.protocol import Kind
from hub.store import SqliteStore, Store, StoredBatch, TokenKind
from tests.support.keys import answer
from tests.support.stores import NOW, draft, same_place


async def test_users_are_created_found_and_unique(store: Store) -> None:
    alice = await store.create_user("alice", "hash", admin=True)
    with pytest.raises(Conflict):
        await store.create_user("alice", "other", admin=False)

    assert await store.get_user("alice") == alice
    assert await store.get_user_by_id(alice.id) == alice
    assert await store.get_user("nobody") is None
    assert await store.password_hash("alice") == "hash"
    assert await store.set_password("alice", "new") and await store.password_hash("alice") == "new"
    assert not await store.set_password("nobody", "x")
    open_user = await store.ensure_user("guest")
    assert open_user == await store.ensure_user("guest") and not open_user.has_password
    assert [u.name for u in await store.list_users()] == ["alice", "guest"]


async def test_many_users_are_found_in_one_lookup(store: Store) -> None:
    made = {(await store.create_user(f"user{i}", None, admin=i == 3)).name for i in range(600)}
    asked = [f"user{i}" for i in range(0, 1200, 2)] + ["nobody", "user3"]  # past old SQLite's 999 parameters

    found = await store.get_users(asked)

    assert sorted(u.name for u in found) == sorted(set(asked) & made)
    assert [u.admin for u in found if u.name == "user3"] == [True]


async def test_tokens_are_found_by_hash_until_revoked_and_revocations_are_logged(store: Store) -> None:
    alice = await store.create_user("alice", None, admin=False)
    start, _ = await store.revocations_after(-1)
    token = await store.create_token(alice.id, "h1", "laptop", TokenKind.DEVICE)
    await store.create_token(alice.id, "h2", "ci", TokenKind.SEND)

    found = await store.token_by_hash("h1")
    assert found is not None and found[1] == alice and found[0].label == "laptop"
    assert [t.kind for t in await store.list_tokens(alice.id)] == [TokenKind.DEVICE, TokenKind.SEND]

    revoked = await store.revoke_token(token.id)
    assert revoked is not None and revoked.revoked
    assert await store.token_by_hash("h1") is None
    assert await store.revoke_token(9999) is None
    seq, ids = await store.revocations_after(start)
    assert ids == [token.id] and seq > start
    assert await store.revocations_after(seq) == (seq, [])


async def test_removing_a_user_revokes_their_tokens(store: Store) -> None:
    bob = await store.create_user("bob", None, admin=False)
    token = await store.create_token(bob.id, "hb", "", TokenKind.DEVICE)
    start, _ = await store.revocations_after(-1)

    assert await store.remove_user("bob") and not await store.remove_user("bob")

    assert (await store.revocations_after(start))[1] == [token.id]
    assert await store.token_by_hash("hb") is None


async def test_rooms_open_and_restricted(store: Store) -> None:
    alice = await store.create_user("alice", None, admin=False)
    bob = await store.create_user("bob", None, admin=False)
    ops = await store.create_room("ops", restricted=True, members=[alice.id])
    with pytest.raises(Conflict):
        await store.create_room("ops", restricted=False, members=[])

    assert ops.members == ("alice",) and ops.restricted
    assert await store.may_join("ops", alice.id) and not await store.may_join("ops", bob.id)
    assert await store.may_join("new", bob.id)
    assert await store.join_room("new", bob.id) and not await store.join_room("new", bob.id)
    assert await store.rooms_of(bob.id) == ["new"]
    new = await store.get_room("new")
    assert new is not None and new.members == ("bob",) and not new.restricted
    assert [(r.name, r.members) for r in await store.list_rooms()] == [("new", ("bob",)), ("ops", ("alice",))]
    assert await store.leave_room("new", bob.id) and not await store.leave_room("new", bob.id)
    assert await store.remove_room("ops") and await store.get_room("ops") is None


async def test_a_batch_is_stored_in_order_with_its_recipients(store: Store) -> None:
    alice = await store.create_user("alice", None, admin=False)
    bob = await store.create_user("bob", None, admin=False)
    carol = await store.create_user("carol", None, admin=False)
    await store.join_room("dev", alice.id)
    await store.join_room("dev", bob.id)

    stored = await store.add(
        [
            draft(Kind.DIRECT, "d", to_user_id=bob.id),
            draft(Kind.ROOM, "r", room="dev"),
            draft(Kind.EVERYONE, "e"),
            draft(Kind.NOTICE, "n", room="dev", about_user_id=alice.id),
        ]
    )

    ids = [s.notification.id for s in stored]
    assert ids == sorted(ids) and len(set(ids)) == 4
    assert [sorted(s.recipients) for s in stored] == [
        [bob.id],
        [alice.id, bob.id],
        [alice.id, bob.id, carol.id],
        [bob.id],
    ]
    # The notice is live only: it has its id and recipients, and no inbox row (never replayed).
    assert [n.message for n in await store.replay(bob.id, 0, 100)] == ["d", "r", "e"]
    assert [n.message for n in await store.replay(carol.id, 0, 100)] == ["e"]
    assert [n.message for n in await store.replay(bob.id, ids[1], 1)] == ["e"]
    again = (await store.replay(alice.id, 0, 100))[0]
    assert again == stored[1].notification and again.room == "dev" and again.timestamp == NOW


async def test_batches_of_any_size_are_stored_whole_and_in_order(store: Store) -> None:
    """SQLite writes a batch in pieces of 64, 32, ..., 1 rows (see `insert_many`): none is lost or doubled."""
    bob = await store.create_user("bob", None, admin=False)
    carol = await store.create_user("carol", None, admin=False)
    sent: dict[int, list[str]] = {bob.id: [], carol.id: []}
    for size in (1, 63, 64, 65, 127, 200):
        drafts = [draft(Kind.DIRECT, f"{size}-{i}", to_user_id=(bob, carol)[i % 3 == 0].id) for i in range(size)]
        stored = await store.add(drafts)
        assert [s.notification.message for s in stored] == [d.message for d in drafts]
        for d in drafts:
            assert d.to_user_id is not None
            sent[d.to_user_id].append(d.message)

    for user_id, messages in sent.items():
        assert [n.message for n in await store.replay(user_id, 0, 1000)] == messages


async def test_later_batches_get_higher_ids(store: Store) -> None:
    bob = await store.create_user("bob", None, admin=False)
    first = await store.add([draft(Kind.DIRECT, to_user_id=bob.id)])
    second = await store.add([draft(Kind.DIRECT, to_user_id=bob.id), draft(Kind.DIRECT, to_user_id=bob.id)])
    assert first[0].notification.id < second[0].notification.id < second[1].notification.id
    assert await store.add([]) == []


async def test_a_batch_says_which_ids_it_took_and_rooms_in_it_reach_their_members(store: Store) -> None:
    """Both backends: `add_batch` gives ids `(prev, head]`, and a batch to several rooms (their
    members looked up together) reaches each room's members, ordered by user id."""
    alice = await store.create_user("alice", None, admin=False)
    bob = await store.create_user("bob", None, admin=False)
    carol = await store.create_user("carol", None, admin=False)
    for room, members in (("dev", (carol, alice)), ("ops", (bob,)), ("qa", (bob, carol))):
        for user in members:
            await store.join_room(room, user.id)
    first = await store.add_batch([draft(Kind.DIRECT, to_user_id=bob.id)])

    batch = await store.add_batch(
        [
            draft(Kind.ROOM, "to dev", room="dev"),
            draft(Kind.ROOM, "to ops", room="ops"),
            draft(Kind.NOTICE, "bob joined qa", room="qa", about_user_id=bob.id),
            draft(Kind.ROOM, "to dev again", room="dev"),
            draft(Kind.ROOM, "to nowhere", room="empty"),
        ]
    )

    assert (batch.prev, batch.head) == (first.head, first.head + 5)
    assert [s.notification.id for s in batch.items] == list(range(batch.prev + 1, batch.head + 1))
    assert [s.recipients for s in batch.items] == [
        (alice.id, carol.id),
        (bob.id,),
        (carol.id,),
        (alice.id, carol.id),
        (),
    ]
    assert [n.message for n in await store.replay(carol.id, 0, 100)] == ["to dev", "to dev again"]
    assert await store.add_batch([]) == StoredBatch(prev=batch.head, head=batch.head, items=[])


async def test_ids_are_never_given_again_after_retention_removed_the_newest(store: Store) -> None:
    bob = await store.create_user("bob", None, admin=False)
    [last] = (await store.add([draft(Kind.DIRECT, to_user_id=bob.id, timestamp="2025-01-01T00:00:00.000Z")]))[-1:]
    result = await store.prune(keep_days=30, keep_count=10, now=NOW)
    assert result.removed_notifications == 1  # the store holds no notification now

    [again] = await store.add([draft(Kind.DIRECT, to_user_id=bob.id)])
    assert again.notification.id > last.notification.id  # a device's cursor past `last` misses nothing


async def test_cursors_start_at_the_retained_inbox_and_never_move_back(store: Store) -> None:
    bob = await store.create_user("bob", None, admin=False)
    assert await store.cursor("dev1", bob.id) == 0
    await store.save_cursors({"dev1": (bob.id, 7)})
    await store.save_cursors({"dev1": (bob.id, 3), "dev2": (bob.id, 2)})
    assert await store.cursor("dev1", bob.id) == 7
    assert await store.cursor("dev2", bob.id) == 2


async def test_a_thousand_cursors_are_saved_at_once_and_none_moves_back(store: Store) -> None:
    """What a busy hub saves each second: more rows than one SQLite statement takes (see `insert_many`)."""
    bob = await store.create_user("bob", None, admin=False)
    await store.save_cursors({f"dev{i}": (bob.id, 500) for i in range(0, 1000, 2)})  # every other one exists

    await store.save_cursors({f"dev{i}": (bob.id, i) for i in range(1000)})

    cursors = [await store.cursor(f"dev{i}", bob.id) for i in range(1000)]
    assert cursors == [max(i, 500) if i % 2 == 0 else i for i in range(1000)]


async def test_pruning_keeps_the_newest_per_user_and_records_the_boundary(store: Store) -> None:
    bob = await store.create_user("bob", None, admin=False)
    old = [draft(Kind.DIRECT, f"old{i}", timestamp="2025-01-01T00:00:00.000Z", to_user_id=bob.id) for i in range(2)]
    new = [draft(Kind.DIRECT, f"new{i}", to_user_id=bob.id) for i in range(4)]
    stored = await store.add(old + new)

    result = await store.prune(keep_days=30, keep_count=3, now=NOW)

    assert result.removed_deliveries == 3 and result.removed_notifications == 3
    assert [n.message for n in await store.replay(bob.id, 0, 100)] == ["new1", "new2", "new3"]
    assert await store.pruned_upto(bob.id) == stored[2].notification.id
    assert await store.cursor("fresh-device", bob.id) == stored[2].notification.id
    with pytest.raises(NotFound):
        await store.pruned_upto(12345)


async def test_read_marks_and_receipts_never_push_real_notifications_out_of_retention(store: Store) -> None:
    bob = await store.create_user("bob", None, admin=False)
    real = [
        s.notification.id for s in await store.add([draft(Kind.DIRECT, f"m{n}", to_user_id=bob.id) for n in range(3)])
    ]
    marks = [draft(Kind.READ, rich={"control": {"ids": [real[0]]}}, audience=(bob.id,)) for _ in range(4)]
    receipt = draft(Kind.RECEIPT, rich={"control": {"id": real[0]}}, audience=(bob.id,))
    await store.add([*marks, receipt])

    await store.prune(keep_days=30, keep_count=3, now=NOW)

    left = [n.id for n in await store.replay(bob.id, 0, 100) if n.kind is Kind.DIRECT]
    assert left == real
    assert await store.pruned_upto(bob.id) == 0


async def test_control_rows_below_the_retention_boundary_go_with_it(store: Store) -> None:
    bob = await store.create_user("bob", None, admin=False)
    await store.add([draft(Kind.READ, rich={"control": {"all": True}}, audience=(bob.id,))])
    await store.add([draft(Kind.DIRECT, "gone", to_user_id=bob.id)])
    kept = await store.add([draft(Kind.DIRECT, f"kept{n}", to_user_id=bob.id) for n in range(2)])
    await store.add([draft(Kind.READ, rich={"control": {"ids": [kept[0].notification.id]}}, audience=(bob.id,))])

    await store.prune(keep_days=30, keep_count=2, now=NOW)

    assert [(n.kind, n.message) for n in await store.replay(bob.id, 0, 100)] == [
        (Kind.DIRECT, "kept0"),
        (Kind.DIRECT, "kept1"),
        (Kind.READ, "hi"),
    ]


async def run_sql(store: Store, sql: str) -> Any:
    """Run `sql` straight on the store's file or database (not through the store); the first
    column of its first row, if any."""
    if isinstance(store, SqliteStore):
        import sqlite3

        with sqlite3.connect(store.path) as db:
            row = db.execute(sql).fetchone()
        return None if row is None else row[0]
    import asyncpg

    conn = await asyncpg.connect(store.dsn)  # type: ignore[attr-defined]
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


async def test_a_broadcast_is_one_row_for_the_users_there_when_it_was_sent(store: Store) -> None:
    alice = await store.create_user("alice", None, admin=False)
    bob = await store.create_user("bob", None, admin=False)
    [before] = await store.add([draft(Kind.EVERYONE, "before carol")])
    carol = await store.ensure_user("carol")  # open mode's way in
    dave = await store.create_user("dave", None, admin=False)
    after = await store.add([draft(Kind.ANNOUNCEMENT, "after carol"), draft(Kind.DIRECT, "d", to_user_id=bob.id)])

    assert sorted(before.recipients) == [alice.id, bob.id]
    assert sorted(after[0].recipients) == [alice.id, bob.id, carol.id, dave.id]
    assert await run_sql(store, "SELECT count(*) FROM notifications") == 3
    assert await run_sql(store, "SELECT count(*) FROM inbox") == 1  # the direct one: broadcasts need none
    assert [n.message for n in await store.replay(bob.id, 0, 100)] == ["before carol", "after carol", "d"]
    assert [n.message for n in await store.replay(bob.id, before.notification.id, 1)] == ["after carol"]
    assert [n.message for n in await store.replay(carol.id, 0, 100)] == ["after carol"]
    assert [n.message for n in await store.history(dave.id, 0, 100)] == ["after carol"]

    assert await store.remove_user("alice")  # the others keep what went to everyone
    assert [n.message for n in await store.replay(bob.id, 0, 100)] == ["before carol", "after carol", "d"]


async def test_pruning_counts_broadcasts_per_user_and_drops_one_nobody_keeps(store: Store) -> None:
    alice = await store.create_user("alice", None, admin=False)
    bob = await store.create_user("bob", None, admin=False)
    stored = await store.add(
        [draft(Kind.EVERYONE, "e0"), draft(Kind.DIRECT, "b1", to_user_id=bob.id), draft(Kind.EVERYONE, "e2")]
    )

    result = await store.prune(keep_days=30, keep_count=1, now=NOW)

    # bob keeps e2 (b1 and e0 go), alice keeps e2 (e0 goes): e0 and b1 are gone for good.
    assert result.removed_deliveries == 3 and result.removed_notifications == 2
    assert [n.message for n in await store.replay(bob.id, 0, 100)] == ["e2"]
    assert [n.message for n in await store.replay(alice.id, 0, 100)] == ["e2"]
    assert await store.pruned_upto(alice.id) == stored[0].notification.id
    assert await store.pruned_upto(bob.id) == stored[1].notification.id
    assert await run_sql(store, "SELECT count(*) FROM notifications") == 1

    old = draft(Kind.EVERYONE, "old", timestamp="2025-01-01T00:00:00.000Z")
    await store.add([old])  # older than the retention days: gone at the next run, for everyone
    result = await store.prune(keep_days=30, keep_count=10, now=NOW)
    assert result.removed_deliveries == 4 and result.removed_notifications == 2
    assert await store.replay(bob.id, 0, 100) == [] and await store.replay(alice.id, 0, 100) == []


async def test_broadcasts_stored_before_the_upgrade_are_still_replayed(store: Store) -> None:
    """Schema 1 kept a broadcast as one inbox row per user; those rows keep working after schema 2."""
    alice = await store.create_user("alice", None, admin=False)
    [old] = await store.add([draft(Kind.DIRECT, "was a broadcast", to_user_id=alice.id)])
    await run_sql(store, f"UPDATE notifications SET kind = 'everyone' WHERE id = {old.notification.id}")
    await store.add([draft(Kind.EVERYONE, "new")])

    assert [(n.kind, n.message) for n in await store.replay(alice.id, 0, 100)] == [
        (Kind.EVERYONE, "was a broadcast"),
        (Kind.EVERYONE, "new"),
    ]
    await store.prune(keep_days=30, keep_count=10, now=NOW)
    assert await run_sql(store, "SELECT count(*) FROM notifications") == 2


async def test_opening_again_keeps_everything_at_the_current_schema_version(store: Store) -> None:
    await store.create_user("alice", None, admin=False)
    again = same_place(store)
    await again.open()  # migrations are idempotent: nothing to do the second time
    try:
        assert [u.name for u in await again.list_users()] == ["alice"]
    finally:
        await again.close()
    from hub.store.postgres.migrations import SCHEMA_VERSION as PG_VERSION
    from hub.store.sqlite.migrations import SCHEMA_VERSION

    if isinstance(store, SqliteStore):
        assert await run_sql(store, "PRAGMA user_version") == SCHEMA_VERSION
    else:
        assert await run_sql(store, "SELECT max(version) FROM schema_version") == PG_VERSION


async def bump_schema_version(store: Store) -> None:
    """Mark the store as written by a lan-notify one schema version ahead of this one."""
    from hub.store.postgres.migrations import SCHEMA_VERSION as PG_VERSION
    from hub.store.sqlite.migrations import SCHEMA_VERSION

    if isinstance(store, SqliteStore):
        await run_sql(store, f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    else:
        await run_sql(store, f"INSERT INTO schema_version VALUES ({PG_VERSION + 1})")


async def test_a_newer_schema_is_refused(store: Store) -> None:
    await bump_schema_version(store)
    again = same_place(store)
    with pytest.raises(SchemaTooNew, match=r"newer than this hub knows .* upgrade lan-notify"):
        await again.open()
    await again.close()


async def test_hubs_starting_together_on_a_new_database_migrate_it_once(postgres_url: str) -> None:
    import asyncio

    import asyncpg

    from hub.store.postgres import PostgresStore
    from hub.store.postgres.migrations import SCHEMA_VERSION

    hubs = [PostgresStore(postgres_url) for _ in range(4)]
    await asyncio.gather(*(hub.open() for hub in hubs))  # the advisory lock lets one of them migrate
    try:
        alice = await hubs[0].create_user("alice", None, admin=False)
        assert await hubs[3].get_user("alice") == alice
    finally:
        for hub in hubs:
            await hub.close()
    conn = await asyncpg.connect(postgres_url)
    try:
        assert [r[0] for r in await conn.fetch("SELECT version FROM schema_version")] == list(
            range(1, SCHEMA_VERSION + 1)
        )
    finally:
        await conn.close()


def test_where_a_store_is_names_no_password(tmp_path: Path) -> None:
    from hub.store.postgres import PostgresStore

    assert SqliteStore(tmp_path / "hub.sqlite3").where() == str(tmp_path / "hub.sqlite3")
    shared = PostgresStore("postgresql://hub:s3cret@db.lan:5432/notify")
    assert shared.where() == "postgresql://hub@db.lan:5432/notify"
    assert "s3cret" not in repr(shared)


async def test_an_answer_is_taken_once_and_goes_with_its_notification(store: Store) -> None:
    alice = await store.create_user("alice", None, admin=False)
    bob = await store.create_user("bob", None, admin=False)
    carol = await store.create_user("carol", None, admin=False)
    buttons = {"actions": [{"action": "respond", "label": "Yes"}, {"action": "respond", "label": "No"}]}
    old = draft(Kind.DIRECT, "deploy?", timestamp="2025-01-01T00:00:00.000Z", to_user_id=bob.id, rich=buttons)
    [asked] = await store.add([old])
    nid = asked.notification.id

    mine, theirs = await store.answers.target(nid, bob.id), await store.answers.target(nid, carol.id)
    first = await answer(store, nid, "alice", (bob.id, "bob"), "Yes", at=NOW)
    with pytest.raises(Conflict, match=r"already answered this notification \(Yes\)"):
        await answer(store, nid, "alice", (bob.id, "bob"), "No", at=NOW)
    other = await answer(store, nid, "alice", (alice.id, "alice"), "No", at="2026-01-10T12:00:01.000Z")  # any user

    assert mine is not None and theirs is not None
    assert (mine.received, mine.recipients, theirs.received) == (True, (bob.id,), False)
    assert mine.notification.respond_labels() == ("Yes", "No")
    assert [(a.responder, a.label, a.response_id) for a in await store.answers.answers(nid)] == [
        ("bob", "Yes", first.notification.id),
        ("alice", "No", other.notification.id),
    ]
    assert [n.message for n in await store.replay(bob.id, nid, 10)] == ["Yes"]  # the refused one stored nothing
    await store.prune(keep_days=30, keep_count=10, now=NOW)  # the notification is past retention
    assert await store.answers.target(nid, bob.id) is None
    assert await store.answers.answers(nid) == []
