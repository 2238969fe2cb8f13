"""The local history: schema versions, dedup, order, filters, search, read state, gaps."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.history import (
    MIGRATIONS,
    SCHEMA_VERSION,
    AsyncHistory,
    GapMarker,
    HistoryStore,
    StoredNotification,
    history_path,
)
from desktop.core.models import Gap
from desktop.errors import HistoryError, SchemaTooNewError
from hub.protocol import NotificationType
from tests.support.notes import note


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore(tmp_path / "h.sqlite3")
    yield s
    s.close()


def ids(entries: list[StoredNotification | GapMarker]) -> list[int | str]:
    return [
        e.notification.id if isinstance(e, StoredNotification) else f"gap {e.gap.since}-{e.gap.upto}" for e in entries
    ]


def test_a_new_file_gets_the_current_schema(store: HistoryStore) -> None:
    assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)


def test_an_old_file_is_migrated_in_order(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        db.execute(statement)
    db.execute(
        "INSERT INTO notifications VALUES (1, 'direct', 'info', 't', 'm', 'bob', NULL, '2026-01-01T00:00:00', '', 0)"
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    store = HistoryStore(path)
    assert store.schema_version == SCHEMA_VERSION
    assert ids(store.entries()) == [1]
    assert store.add_gap(Gap(1, 5, "lost"))
    store.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(SchemaTooNewError, match="newer lan-notify"):
        HistoryStore(path)


def test_a_corrupt_file_is_a_history_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(HistoryError, match="cannot open the history"):
        HistoryStore(path)


def test_replays_are_deduplicated(store: HistoryStore) -> None:
    assert store.add(note(1))
    assert not store.add(note(1))
    assert [n.id for n in store.add_many([note(1), note(2), note(3), note(2)])] == [2, 3]
    assert ids(store.entries()) == [3, 2, 1]
    assert store.last_id() == 3


def test_newest_first_whatever_the_arrival_order(store: HistoryStore) -> None:
    store.add_many([note(5), note(2), note(9), note(7)])
    assert ids(store.entries()) == [9, 7, 5, 2]
    assert ids(store.entries(limit=2)) == [9, 7]


def test_round_trip_keeps_every_field(store: HistoryStore) -> None:
    original = note(4, "warning", title="<b>hi</b>", message="Disk 95%_full\nline 2", room="ops", sender="bob")
    store.add(original)
    stored = store.get(4)
    assert stored is not None
    assert stored.notification == original
    assert store.get(5) is None


def test_filter_by_type(store: HistoryStore) -> None:
    store.add_many([note(1, "info"), note(2, "error"), note(3, "warning"), note(4, "error")])
    assert ids(store.entries(types={NotificationType.ERROR})) == [4, 2]
    assert ids(store.entries(types={NotificationType.ERROR, NotificationType.INFO})) == [4, 2, 1]
    assert store.entries(types=set()) == []


def test_search_matches_title_text_sender_and_room(store: HistoryStore) -> None:
    store.add_many(
        [
            note(1, title="Deploy done"),
            note(2, message="the DEPLOY failed"),
            note(3, sender="deploybot"),
            note(4, room="deploys"),
            note(5, title="lunch"),
            note(6, message="100% sure"),
        ]
    )
    assert ids(store.entries(search="deploy")) == [4, 3, 2, 1]
    assert ids(store.entries(search="  lunch ")) == [5]
    assert ids(store.entries(search="%")) == [6]  # LIKE wildcards are literal
    assert ids(store.entries(search="_")) == []
    assert ids(store.entries(search="deploy", types={NotificationType.INFO})) == [4, 3, 2, 1]


def test_unread_and_mark_all_read(store: HistoryStore) -> None:
    store.add_many([note(1), note(2), note(3)])
    assert store.unread_count() == 3
    assert store.mark_read(2)
    assert not store.mark_read(2)
    assert store.unread_count() == 2
    assert store.mark_all_read() == 2
    assert store.unread_count() == 0
    assert all(isinstance(e, StoredNotification) and e.read for e in store.entries())


def test_gap_markers_sit_where_notifications_were_lost(store: HistoryStore) -> None:
    store.add_many([note(1), note(2), note(10), note(11)])
    assert store.add_gap(Gap(2, 9, "7 notifications were too old to replay"))
    assert not store.add_gap(Gap(2, 9, "again"))
    entries = store.entries()
    assert ids(entries) == [11, 10, "gap 2-9", 2, 1]
    marker = entries[2]
    assert isinstance(marker, GapMarker)
    assert marker.gap.message == "7 notifications were too old to replay"
    assert ids(store.entries(search="Message")) == [11, 10, 2, 1]  # searching hides the markers


def test_a_gap_before_anything_held_goes_last(store: HistoryStore) -> None:
    store.add_many([note(50), note(51)])
    store.add_gap(Gap(0, 49, "lost"))
    assert ids(store.entries()) == [51, 50, "gap 0-49"]


def test_history_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    first = HistoryStore(path)
    first.add_many([note(1), note(2)])
    first.close()
    second = HistoryStore(path)
    assert ids(second.entries()) == [2, 1]
    assert second.unread_count() == 2
    second.close()


def test_one_file_per_hub_and_user(tmp_path: Path) -> None:
    a = history_path(tmp_path, "http://hub:8765", "alice")
    assert a == history_path(tmp_path, "HTTP://hub:8765/", "alice")
    assert a != history_path(tmp_path, "http://hub:8765", "bob")
    assert a != history_path(tmp_path, "http://other:8765", "alice")
    assert a.parent == tmp_path / "history"
    assert history_path(tmp_path, "x", "../../etc").parent == tmp_path / "history"


async def test_async_history_runs_off_the_loop_thread(tmp_path: Path) -> None:
    history = await AsyncHistory.open(tmp_path / "deep" / "dir" / "h.sqlite3")
    try:
        assert await history.add(note(1))
        assert not await history.add(note(1))
        assert [n.id for n in await history.add_many([note(2), note(3)])] == [2, 3]
        await history.add_gap(Gap(3, 7, "lost"))
        assert await history.unread_count() == 3
        assert await history.mark_read(1)
        assert await history.mark_all_read() == 2
        assert await history.last_id() == 3
        got = await history.get(2)
        assert got is not None and got.read
        entries = await history.entries(types={NotificationType.INFO})
        assert ids(entries) == ["gap 3-7", 3, 2, 1]
        loop_thread = threading.get_ident()
        worker = await history._run(threading.get_ident)
        assert worker != loop_thread
        results = await asyncio.gather(*(history.add(note(i)) for i in range(10, 30)))
        assert all(results)
    finally:
        await history.close()


async def test_async_open_failure_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.close()
    with pytest.raises(SchemaTooNewError):
        await AsyncHistory.open(path)


def test_pages_follow_each_other_with_the_gaps_in_place(store: HistoryStore) -> None:
    store.add_many([note(i) for i in range(1, 31)])
    store.add_gap(Gap(30, 40, "newest gap"))  # before everything held: at the top
    store.add_gap(Gap(20, 24, "middle"))  # between 21 and 20... ids 21-30 came after it
    store.add_gap(Gap(10, 12, "page boundary"))  # right where the second page ends
    store.add_gap(Gap(0, 0, "oldest"))
    everything = ids(store.entries(limit=1000))
    pages: list[int | str] = []
    before = None
    for _ in range(10):  # bounded: 30 notifications in pages of 10
        page = store.entries(limit=10, before=before)
        pages += ids(page)
        held = [e.notification.id for e in page if isinstance(e, StoredNotification)]
        if len(held) < 10:
            break
        before = held[-1]
    assert pages == everything
    assert everything[:2] == ["gap 30-40", 30]
    assert everything[everything.index(21) + 1] == "gap 20-24"
    assert everything[everything.index(11) + 1] == "gap 10-12"
    assert everything[-2:] == [1, "gap 0-0"]


def test_what_arrived_since_the_top_of_the_list(store: HistoryStore) -> None:
    store.add_many([note(1, "info"), note(2, "error"), note(3, "error"), note(4, "info")])
    assert ids(store.entries(after=2)) == [4, 3]
    assert ids(store.entries(after=2, types={NotificationType.ERROR})) == [3]


def test_mark_all_read_keeps_to_the_filter(store: HistoryStore) -> None:
    store.add_many([note(1, "info"), note(2, "error"), note(3, "error", title="disk"), note(4, "warning")])
    assert store.counts() == (4, 4)
    assert store.counts(types={NotificationType.ERROR}) == (2, 2)
    assert store.mark_all_read(types={NotificationType.ERROR}, search="disk") == 1
    assert store.mark_all_read(types={NotificationType.ERROR}) == 1
    assert store.unread_count() == 2  # the info and the warning are still unread
    assert store.counts(types={NotificationType.ERROR}) == (2, 0)
    assert store.mark_all_read(types=set()) == 0


def test_read_and_unread_again(store: HistoryStore) -> None:
    store.add_many([note(1), note(2)])
    assert store.set_read([1, 2], True) == 2
    assert store.set_read([2], False) == 1
    assert store.set_read([2], False) == 0
    assert [e.read for e in store.entries() if isinstance(e, StoredNotification)] == [False, True]


def test_deleted_notifications_do_not_come_back(store: HistoryStore) -> None:
    store.add_many([note(1), note(2), note(3)])
    assert store.delete([3, 1, 99]) == 2
    assert ids(store.entries()) == [2]
    assert store.last_id() == 3  # the resume point stays: the hub does not replay what was deleted
    assert store.add_many([note(3), note(1), note(4)]) == [note(4)]  # nor does a replay bring it back
    assert store.unread_count() == 2


def test_clear_empties_the_history_but_not_the_resume_point(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = HistoryStore(path)
    store.add_many([note(1), note(2), note(5)])
    store.add_gap(Gap(2, 4, "lost"))
    assert store.clear() == 3
    assert store.entries() == [] and store.unread_count() == 0
    store.close()
    store = HistoryStore(path)  # after a restart too
    assert store.last_id() == 5
    assert store.add_many([note(5), note(6)]) == [note(6)]
    assert ids(store.entries()) == [6]
    store.close()


async def test_async_history_pages_counts_and_deletes(tmp_path: Path) -> None:
    history = await AsyncHistory.open(tmp_path / "h.sqlite3")
    try:
        await history.add_many([note(i, "error" if i % 2 else "info") for i in range(1, 11)])
        assert ids(await history.entries(limit=3, before=8)) == [7, 6, 5]
        assert await history.counts(types={NotificationType.ERROR}) == (5, 5)
        assert await history.mark_all_read(types={NotificationType.ERROR}) == 5
        assert await history.set_read([2], True) == 1
        assert await history.delete([10]) == 1
        assert await history.unread_count() == 3
        assert await history.clear() == 9
        assert await history.last_id() == 10
    finally:
        await history.close()
