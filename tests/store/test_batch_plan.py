"""The rows a batch of new notifications becomes, worked out without a database (both stores use it)."""

from __future__ import annotations

from hub.protocol import Kind, NotificationType
from hub.store.base import NewNotification
from hub.store.batch_plan import Lookups, plan_batch, plan_lookups

NOW = "2026-01-10T12:00:00.000Z"


def new(kind: Kind, message: str, **where: object) -> NewNotification:
    return NewNotification(kind, NotificationType.INFO, "", message, "alice", NOW, **where)  # type: ignore[arg-type]


def test_lookups_ask_for_every_user_only_with_a_notification_to_everyone_and_each_room_once() -> None:
    batch = [
        new(Kind.DIRECT, "d", to_user_id=2),
        new(Kind.ROOM, "r", room="ops"),
        new(Kind.NOTICE, "n", room="dev", about_user_id=1),
        new(Kind.ROOM, "r2", room="ops"),
    ]
    assert plan_lookups(batch) == Lookups(everyone=False, rooms=["dev", "ops"])
    assert plan_lookups([*batch, new(Kind.ANNOUNCEMENT, "a")]).everyone
    assert plan_lookups([]) == Lookups(everyone=False, rooms=[])


def test_rows_inbox_and_recipients_of_a_batch() -> None:
    batch = [
        new(Kind.DIRECT, "d", to_user_id=2),
        new(Kind.ROOM, "r", room="ops"),
        new(Kind.EVERYONE, "e"),
        new(Kind.NOTICE, "n", room="ops", about_user_id=1),
    ]

    plan = plan_batch(batch, 10, everyone=[1, 2, 3], members={"ops": [1, 3]})

    assert [row[0] for row in plan.rows] == [11, 12, 13, 14]
    assert [row[8] for row in plan.rows] == [False, False, True, False]  # `everyone`: one row, no inbox rows
    # The notice is live only (no inbox row), and not for the user it is about.
    assert plan.inbox == [(2, 11), (1, 12), (3, 12)]
    assert [s.recipients for s in plan.batch.items] == [(2,), (1, 3), (1, 2, 3), (3,)]
    assert [s.notification.message for s in plan.batch.items] == ["d", "r", "e", "n"]
    assert (plan.batch.prev, plan.batch.head) == (10, 14)


def test_an_empty_batch_takes_no_ids() -> None:
    plan = plan_batch([], 7, everyone=[], members={})
    assert (plan.rows, plan.inbox, plan.batch.prev, plan.batch.head, plan.batch.items) == ([], [], 7, 7, [])
