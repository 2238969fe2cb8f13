"""The rows a batch of new notifications becomes, worked out without a database (both stores use it)."""

from __future__ import annotations

from pathlib import Path

from hub.protocol import Kind, Notification, NotificationType
from hub.store.base import NewNotification
from hub.store.batch_plan import Lookups, every_row, plan_batch, plan_lookups
from hub.store.schema import DIRECT_FIXED, DIRECT_ROW, NOTIFICATION_ROW
from hub.store.sqlite import SqliteStore

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

    assert [row[0] for row in every_row(plan)] == [11, 12, 13, 14]
    assert [row[0] for row in plan.direct] == [11]  # the plain direct one, written with fewer values
    assert [row[8] for row in every_row(plan)] == [False, False, True, False]  # `everyone`: one row, no inbox rows
    # The notice is live only (no inbox row), and not for the user it is about.
    assert plan.inbox == [(2, 11), (1, 12), (3, 12)]
    assert [s.recipients for s in plan.batch.items] == [(2,), (1, 3), (1, 2, 3), (3,)]
    assert [s.notification.message for s in plan.batch.items] == ["d", "r", "e", "n"]
    assert (plan.batch.prev, plan.batch.head) == (10, 14)


def test_an_empty_batch_takes_no_ids() -> None:
    plan = plan_batch([], 7, everyone=[], members={})
    assert (plan.rows, plan.direct, plan.inbox, plan.batch.prev, plan.batch.head, plan.batch.items) == (
        [],
        [],
        [],
        7,
        7,
        [],
    )


def test_lookups_say_which_drafts_need_edits_and_which_schedules_they_fire() -> None:
    plain = [new(Kind.DIRECT, "d", to_user_id=2), new(Kind.DIRECT, "s", to_user_id=3, schedule_id=7)]
    assert plan_lookups(plain) == Lookups(everyone=False, rooms=[], edits=False, fired=(7,))
    keyed = [*plain, new(Kind.DIRECT, "k", to_user_id=2, key="build", sender_id=1)]
    assert plan_lookups(keyed).edits
    assert plan_lookups([new(Kind.RESPONSE, "yes", audience=(1, 2))]).edits


def test_each_stored_notification_is_the_model_validated_from_its_draft() -> None:
    """Plain notifications are made without validating again; they are the same objects, field for
    field and on the wire, as validation makes, and so are rich and keyed ones."""
    batch = [
        new(Kind.DIRECT, "plain", to_user_id=2, sender_id=1),
        new(Kind.ROOM, "room", room="ops", sender_id=1),
        new(Kind.DIRECT, "rich", to_user_id=3, sender_id=1, rich={"priority": "high", "click": "https://x.test/"}),
        new(Kind.DIRECT, "keyed", to_user_id=3, sender_id=1, key="build", rich={"key": "build"}),
        new(Kind.NOTICE, "bob joined", room="ops", about_user_id=2),
    ]

    plan = plan_batch(batch, 40, everyone=[], members={"ops": [1, 2]})

    for item, (nid, draft) in zip(plan.batch.items, enumerate(batch, start=41), strict=True):
        validated = Notification(
            id=nid,
            kind=draft.kind,
            type=draft.type,
            title=draft.title,
            message=draft.message,
            sender=draft.sender,
            room=draft.room,
            timestamp=draft.timestamp,
            sender_id=draft.sender_id,
            **(draft.rich or {}),
        )
        got = item.notification
        assert got == validated
        assert got.wire() == validated.wire()
        assert got.model_dump(by_alias=True, mode="json") == validated.model_dump(by_alias=True, mode="json")
        assert got.model_fields_set == validated.model_fields_set
    assert [row[9] for row in every_row(plan)] == [
        None,
        None,
        '{"priority":"high","click":"https://x.test/"}',
        '{"key":"build"}',
        None,
    ]
    assert [row[10:] for row in every_row(plan)] == [
        (1, None, None),
        (1, None, None),
        (1, None, None),
        (1, "build", "user:3"),
        (None, None, None),
    ]


async def test_sqlite_writes_every_row_in_full_plain_direct_ones_included(tmp_path: Path) -> None:
    """A plain direct notification's row is written with its fixed columns as constants: what the
    file holds is the full row the plan gives, column for column, as for every other kind."""
    store = SqliteStore(tmp_path / "hub.sqlite3")
    await store.open()
    try:
        alice = await store.create_user("alice", None, admin=False)
        bob = await store.create_user("bob", None, admin=False)
        await store.join_room("ops", bob.id)
        batch = [
            new(Kind.DIRECT, "plain", to_user_id=bob.id, sender_id=alice.id),
            new(Kind.DIRECT, "rich", to_user_id=bob.id, sender_id=alice.id, rich={"priority": "high"}),
            new(Kind.ROOM, "room", room="ops", sender_id=alice.id),
            new(Kind.DIRECT, "keyed", to_user_id=bob.id, sender_id=alice.id, key="build", rich={"key": "build"}),
            new(Kind.DIRECT, "hub's own", to_user_id=alice.id),
        ]
        stored = await store.notifications.add_batch(batch)
        expected = every_row(plan_batch(batch, stored.prev, everyone=[], members={"ops": [bob.id]}))
        assert len(plan_batch(batch, stored.prev, everyone=[], members={}).direct) == 3
        columns = ", ".join(NOTIFICATION_ROW)
        rows = await store._thread.run(
            lambda db: [tuple(r) for r in db.execute(f"SELECT {columns} FROM notifications ORDER BY id")]
        )
        assert rows == [tuple(int(v) if isinstance(v, bool) else v for v in row) for row in expected]
        # The first, written literally: what a plain direct notification's row holds in every column.
        assert rows[0] == (
            stored.prev + 1,
            "direct",
            "info",
            "",
            "plain",
            "alice",
            None,
            NOW,
            0,
            None,
            alice.id,
            None,
            None,
        )
        assert [n.message for n in await store.notifications.replay(bob.id, 0, 10)] == [
            "plain",
            "rich",
            "room",
            "keyed",
        ]
    finally:
        await store.close()


def test_a_plain_direct_row_names_each_column_once() -> None:
    assert sorted([*DIRECT_ROW, *DIRECT_FIXED]) == sorted(NOTIFICATION_ROW)
