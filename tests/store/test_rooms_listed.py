"""Listing rooms: every room with its members, in one query whatever the number of rooms (both backends)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from hub.store import Room, SqliteStore, Store
from tests.support.waiting import Changes


@asynccontextmanager
async def room_queries(store: Store) -> AsyncIterator[tuple[Store, list[str]]]:
    """A store on the same database whose statements that read rooms are recorded, in order."""
    seen: list[str] = []
    if isinstance(store, SqliteStore):
        await store._run(lambda db: db.set_trace_callback(lambda sql: seen.append(sql) if "room" in sql else None))
        try:
            yield store, seen
        finally:
            await store._run(lambda db: db.set_trace_callback(None))
        return

    from hub.store.postgres import PostgresStore

    assert isinstance(store, PostgresStore)
    # One connection, so every statement goes through the one that logs. asyncpg hands logged
    # queries to the callback on a later turn of the loop: `check` ("SELECT 1") marks the end.
    single = PostgresStore(store.dsn, min_size=1, max_size=1)
    await single.open()
    logged: list[str] = []
    changes = Changes()

    def log(record: Any) -> None:
        logged.append(record.query)
        changes.poke()

    try:
        async with single.pool.conn() as conn:
            conn.add_query_logger(log)
        yield single, seen
        await single.check()
        await changes.until(lambda: "SELECT 1" in logged)
        seen.extend(q for q in logged if "room" in q)
    finally:
        await single.close()


async def test_rooms_are_listed_with_their_members_in_one_query(store: Store) -> None:
    users = {name: await store.create_user(name, None, admin=False) for name in ("dora", "alice", "carol", "bob")}
    expected: list[Room] = []
    for i in range(12):
        name = f"room{i:02d}"
        members = tuple(sorted(list(users)[: i % 5]))
        if i % 3 == 0:  # an admin's room, restricted to its members
            await store.create_room(name, restricted=True, members=[users[m].id for m in members])
            expected.append(Room(name, restricted=True, members=members, made_by=None))
        elif members:  # made by its first member's join
            for member in members:
                await store.join_room(name, users[member].id)
            expected.append(Room(name, restricted=False, members=members, made_by=members[0]))
        else:  # an admin's open room nobody is in
            await store.create_room(name, restricted=False, members=[])
            expected.append(Room(name, restricted=False, members=(), made_by=None))
    expected.sort(key=lambda room: room.name)
    assert [r.members for r in expected[:5]] == [
        (),
        ("dora",),
        ("alice", "dora"),
        ("alice", "carol", "dora"),
        ("alice", "bob", "carol", "dora"),
    ]

    async with room_queries(store) as (listing, seen):
        rooms = await listing.list_rooms()
        page = await listing.list_rooms(after="room03", limit=4)

    assert rooms == expected
    assert page == expected[4:8]
    assert len(seen) == 2, seen  # one statement per listing, not one or two per room
    assert await store.get_room("room04") == expected[4]
