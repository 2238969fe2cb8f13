from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from desktop.core.models import Gap, ReceivedNotification, parse_timestamp
from desktop.core.timefmt import next_change, relative_time
from hub.protocol import Kind, NotificationType
from tests.support.notes import wire


def test_notification_from_the_wire() -> None:
    n = ReceivedNotification.from_wire(wire(7, "warning", room="ops", kind="room", timestamp="2026-11-25T09:00:00Z"))
    assert n.id == 7
    assert n.type is NotificationType.WARNING
    assert n.kind is Kind.ROOM
    assert n.origin == "alice in #ops"
    assert n.timestamp == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_a_missing_title_falls_back_to_the_type() -> None:
    assert ReceivedNotification.from_wire(wire(1, "error", title="")).heading == "Error"


@pytest.mark.parametrize("bad", [{"type": "urgent"}, {"id": "x"}, {"timestamp": "yesterday"}])
def test_malformed_payloads_raise_value_error(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        ReceivedNotification.from_wire(wire(1, **bad))


def test_naive_timestamps_are_utc() -> None:
    assert parse_timestamp("2026-11-25T09:00:00").tzinfo is UTC


def test_gap_from_the_wire() -> None:
    assert Gap.from_wire({"since": 3, "upto": 9, "message": "gone"}) == Gap(3, 9, "gone")
    assert Gap.from_wire({"since": 3, "upto": 9}).message == "Some notifications were missed."
    with pytest.raises(ValueError, match="malformed gap"):
        Gap.from_wire({"since": 3})


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (timedelta(seconds=-5), "just now"),
        (timedelta(seconds=10), "just now"),
        (timedelta(seconds=70), "1 min ago"),
        (timedelta(minutes=12), "12 min ago"),
        (timedelta(hours=3, minutes=10), "3 h ago"),
        (timedelta(hours=30), "yesterday"),
        (timedelta(days=4), "4 days ago"),
    ],
)
def test_relative_time(ago: timedelta, text: str) -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert relative_time(now - ago, now) == text


def test_relative_time_shows_a_date_after_a_week() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert relative_time(now - timedelta(days=30), now)[:7] == "2026-10"


@pytest.mark.parametrize("ago", [0, 30, 44, 60, 100, 149, 151, 3000, 3599, 4000, 80000, 100000, 200000, 600000])
def test_the_text_changes_exactly_when_next_change_says(ago: int) -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    then = now - timedelta(seconds=ago)
    wait = next_change(then, now)
    assert wait is not None and wait > 0
    before = relative_time(then, now + timedelta(seconds=max(0.0, wait - 0.5)))
    after = relative_time(then, now + timedelta(seconds=wait + 0.5))
    assert before == relative_time(then, now) and after != before


def test_a_date_never_changes() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert next_change(now - timedelta(days=8), now) is None
