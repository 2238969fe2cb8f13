"""Notification ids: given by the store, strictly increasing for ever, so that a device resumes after
the newest id it was sent and misses nothing."""

from __future__ import annotations

from hub.protocol import Kind
from hub.store import Store
from tests.support.stores import NOW, draft, same_place

OLD = "2025-01-01T00:00:00.000Z"


async def test_no_id_is_given_again_after_the_newest_went_and_the_store_reopened(store: Store) -> None:
    """A device was sent everything; retention then removed every notification, and the hub
    restarted. The next notification has a new id: the device, resuming after the newest id it
    was sent, gets it, once, and nothing it had already."""
    bob = await store.create_user("bob", None, admin=False)
    sent = await store.add([draft(Kind.DIRECT, f"old {i}", timestamp=OLD, to_user_id=bob.id) for i in range(3)])
    await store.cursor("bob-laptop", bob.id)
    await store.save_cursors({"bob-laptop": (bob.id, sent[-1].notification.id)})
    assert (await store.prune(keep_days=30, keep_count=10, now=NOW)).removed_notifications == 3
    await store.close()

    again = same_place(store)
    await again.open()
    try:
        [new] = await again.add([draft(Kind.DIRECT, "after the restart", to_user_id=bob.id)])
        resume_after = await again.cursor("bob-laptop", bob.id)
        replayed = await again.replay(bob.id, resume_after, 100)
    finally:
        await again.close()

    assert new.notification.id > sent[-1].notification.id
    assert [(n.id, n.message) for n in replayed] == [(new.notification.id, "after the restart")]
