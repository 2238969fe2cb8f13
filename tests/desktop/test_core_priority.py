"""Priority in the tray app's logic: which notifications toast, for how long, through do not disturb,
and what the history keeps of a rich notification (no Qt, a hand-moved clock)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.core.dnd import DoNotDisturb, ToastGate, toasts_for
from desktop.core.history import MIGRATIONS, SCHEMA_VERSION, HistoryStore
from desktop.core.models import ReceivedNotification, ReceivedResponse
from desktop.core.toasts import ToastKind, ToastPolicy
from hub.protocol import Kind
from hub.rich import Priority, RespondAction, TextFormat, ViewAction
from tests.support.notes import note, wire
from tests.support.waiting import FakeClock


def gate(minimum: Priority = Priority.LOW) -> tuple[ToastPolicy, DoNotDisturb, ToastGate, FakeClock]:
    clock = FakeClock()
    policy = ToastPolicy(clock=clock, burst_threshold=100)
    dnd = DoNotDisturb(lambda: datetime(2026, 12, 7, 14, 0).astimezone())
    return policy, dnd, ToastGate(policy, dnd, min_priority=minimum), clock


def shown(policy: ToastPolicy) -> list[int | None]:
    return [t.notification_id for t in policy.view().visible]


def test_min_never_toasts_and_the_setting_sets_the_floor() -> None:
    policy, _, toasts, _ = gate()
    for nid, priority in enumerate(Priority, start=1):
        toasts.push(note(nid, priority=priority))
    assert shown(policy) == [5, 4, 3, 2]  # every one but min
    policy, _, toasts, _ = gate(Priority.HIGH)
    for nid, priority in enumerate(Priority, start=1):
        toasts.push(note(nid, priority=priority))
    assert shown(policy) == [5, 4]
    assert not toasts_for(Priority.MIN, Priority.MIN)


def test_high_stays_twice_as_long_and_urgent_until_closed() -> None:
    policy, _, toasts, clock = gate()
    toasts.push(note(1, "info"))
    toasts.push(note(2, "info", priority=Priority.HIGH))
    toasts.push(note(3, "info", priority=Priority.URGENT))
    toasts.push(note(4, "info", priority=Priority.LOW))
    assert [t.timeout for t in policy.view().visible] == [5.0, None, 10.0, 5.0]
    clock.advance(6)
    policy.expire()
    assert shown(policy) == [3, 2]
    clock.advance(5)
    policy.expire()
    assert shown(policy) == [3]
    clock.advance(3600)
    policy.expire()
    assert shown(policy) == [3]


def test_urgent_passes_do_not_disturb() -> None:
    policy, dnd, toasts, _ = gate()
    dnd.turn_on()
    toasts.push(note(1, "info", priority=Priority.HIGH))
    toasts.push(note(2, "info", priority=Priority.URGENT))
    assert shown(policy) == [2] and dnd.held == 1


def test_a_burst_holding_an_urgent_one_stays_until_closed() -> None:
    policy = ToastPolicy(clock=FakeClock(), burst_threshold=2)
    for nid in range(1, 4):
        policy.push(note(nid, "info", priority=Priority.URGENT if nid == 2 else Priority.DEFAULT))
    (summary,) = policy.view().visible
    assert summary.kind is ToastKind.SUMMARY and summary.timeout is None


@pytest.mark.parametrize("path", [":memory:", "file"])
def test_the_history_keeps_a_rich_notification_whole(tmp_path: Path, path: str) -> None:
    where = ":memory:" if path == ":memory:" else tmp_path / "h.sqlite"
    rich = ReceivedNotification.from_wire(
        wire(
            7,
            "warning",
            priority="urgent",
            click="mailto:ops@example.com",
            format="markdown",
            actions=[
                {"action": "respond", "label": "Approve"},
                {"action": "view", "label": "CI", "url": "https://c.lan"},
            ],
        )
    )
    store = HistoryStore(where)
    assert store.add(rich) and store.add(note(8))
    got = store.get(7)
    assert got is not None and got.notification == rich
    assert got.notification.actions == (RespondAction(label="Approve"), ViewAction(label="CI", url="https://c.lan"))
    assert got.notification.format is TextFormat.MARKDOWN
    plain = store.get(8)
    assert plain is not None and plain.notification == note(8)
    store.close()


def old_history(folder: Path, version: int, *statements: str) -> Path:
    """A history database as schema `version` left it, holding what `statements` insert."""
    path = folder / f"v{version}.sqlite3"
    db = sqlite3.connect(path)
    for migration in MIGRATIONS[:version]:
        for statement in migration:
            db.execute(statement)
    for statement in statements:
        db.execute(statement)
    db.execute(f"PRAGMA user_version = {version}")
    db.commit()
    db.close()
    return path


def test_a_history_from_before_rich_notifications_is_upgraded_and_answers_move_the_resume_point(
    tmp_path: Path,
) -> None:
    path = old_history(
        tmp_path,
        3,
        "INSERT INTO notifications VALUES (1, 'direct', 'info', 't', 'm', 'bob', NULL, '2026-01-01', '', 0)",
    )
    store = HistoryStore(path)
    assert store.schema_version == SCHEMA_VERSION == 6  # 4: rich notifications, 5: receipts and what was sent,
    # 6: to whom it was sent
    old = store.get(1)
    assert old is not None and (old.notification.priority, old.notification.actions) == (Priority.DEFAULT, ())
    answer = ReceivedResponse(9, 1, "Approve", "bob", "alice", "t", None, datetime(2026, 1, 1, tzinfo=UTC))
    assert store.add_response(answer) and not store.add_response(answer)
    assert store.last_id() == 9 and store.responses(1) == [answer]
    store.close()


def test_a_history_from_before_addressees_keeps_what_was_sent_and_records_to_whom_from_now_on(tmp_path: Path) -> None:
    path = old_history(
        tmp_path,
        5,
        "INSERT INTO notifications VALUES (1, 'direct', 'info', 't', 'm', 'alice', NULL, '2026-01-01', '', 1, NULL)",
        "INSERT INTO sent (id) VALUES (1)",
    )
    store = HistoryStore(path)
    assert store.sent_to(1) == ""  # sent before: to whom is not known
    assert store.add_sent(note(7, sender="alice", room="ops", kind=Kind.ROOM), "#ops")
    assert store.sent_to(7) == "#ops" and store.sent_to(8) is None
    own_copy = note(9, sender="alice", room="ops", kind=Kind.ROOM)
    assert store.add(own_copy)  # our own copy of a room message came before the hub's answer
    assert not store.add_sent(own_copy, "#ops") and store.sent_to(9) == "#ops"
    store.close()
