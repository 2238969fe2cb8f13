"""PostgreSQL only: ids follow commit order, batches link up into one chain, gaps can be read back."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import pytest

from hub.protocol import Kind, NotificationType
from hub.store.base import NewNotification
from hub.store.postgres import PostgresStore


@pytest.fixture
async def pg(postgres_url: str) -> AsyncIterator[PostgresStore]:
    store = PostgresStore(postgres_url)
    await store.open()
    yield store
    await store.close()


def direct(to: int, message: str) -> NewNotification:
    return NewNotification(
        kind=Kind.DIRECT,
        type=NotificationType.INFO,
        title="",
        message=message,
        sender="alice",
        timestamp="2026-01-01T00:00:00.000Z",
        to_user_id=to,
    )


async def test_concurrent_batches_from_several_hubs_form_one_gapless_chain(pg: PostgresStore) -> None:
    bob = await pg.create_user("bob", None, admin=False)
    hubs = [PostgresStore(pg.dsn) for _ in range(3)]  # three hubs' pools on one database
    for hub in hubs:
        await hub.open()
    try:
        batches = await asyncio.gather(
            *(
                hub.add_batch([direct(bob.id, f"{h}-{i}") for i in range(1 + i % 3)])
                for i in range(10)
                for h, hub in enumerate(hubs)
            )
        )
    finally:
        for hub in hubs:
            await hub.close()

    links = sorted((b.prev, b.head) for b in batches)
    assert links[0][0] == 0 and all(prev == before[1] for before, (prev, _) in itertools.pairwise(links))
    for batch in batches:
        assert [s.notification.id for s in batch.items] == list(range(batch.prev + 1, batch.head + 1))
    assert await pg.head() == links[-1][1]


async def test_stored_between_gives_notifications_with_their_recipients(pg: PostgresStore) -> None:
    bob = await pg.create_user("bob", None, admin=False)
    carol = await pg.create_user("carol", None, admin=False)
    batch = await pg.add_batch([direct(bob.id, "one"), direct(carol.id, "two"), direct(bob.id, "three")])

    got = await pg.stored_between(batch.prev, batch.head, 2)

    assert [(s.notification.message, s.recipients) for s in got] == [("one", (bob.id,)), ("two", (carol.id,))]
    assert got == batch.items[:2]


async def test_a_batch_with_a_bad_draft_stores_nothing_and_is_not_called_unavailable(pg: PostgresStore) -> None:
    from hub.errors import Unavailable

    bob = await pg.create_user("bob", None, admin=False)
    before = await pg.head()

    with pytest.raises(Exception) as failure:  # the dispatcher retries such a batch one draft at a time
        await pg.add_batch([direct(bob.id, "fine"), direct(bob.id + 999, "to a deleted user")])

    assert not isinstance(failure.value, Unavailable)
    assert await pg.head() == before and await pg.replay(bob.id, 0, 10) == []
