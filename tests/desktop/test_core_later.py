""" "Send later" without Qt: the moment each choice means, the payload it adds, and the words once scheduled."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from desktop.core.compose import ComposeDraft, Recipient, TargetKind, request_for, sent_text
from desktop.core.later import When, deliver_at, moment_for, scheduled_text, shown_moment
from hub.protocol import NotificationType

ZONE = timezone(timedelta(hours=1))
NOW = datetime(2026, 12, 7, 16, 20, 5, tzinfo=ZONE)


@pytest.mark.parametrize(
    ("when", "at", "expected"),
    [
        (When.NOW, None, None),
        (When.IN_30_MINUTES, None, datetime(2026, 12, 7, 16, 50, 5, tzinfo=ZONE)),
        (When.IN_1_HOUR, None, datetime(2026, 12, 7, 17, 20, 5, tzinfo=ZONE)),
        (When.TOMORROW_MORNING, None, datetime(2026, 12, 8, 9, 0, tzinfo=ZONE)),
        (When.AT, time(17, 0), datetime(2026, 12, 7, 17, 0, tzinfo=ZONE)),  # later today
        (When.AT, time(8, 15), datetime(2026, 12, 8, 8, 15, tzinfo=ZONE)),  # past: tomorrow
        (When.AT, time(16, 20), datetime(2026, 12, 8, 16, 20, tzinfo=ZONE)),  # this very minute: tomorrow
    ],
)
def test_each_choice_means_a_moment(when: When, at: time | None, expected: datetime | None) -> None:
    assert moment_for(when, at, NOW) == expected


def test_the_draft_asks_the_hub_to_deliver_it_then() -> None:
    later = deliver_at(When.TOMORROW_MORNING, None, NOW)
    draft = ComposeDraft(Recipient(TargetKind.ROOM, "dev"), NotificationType.MESSAGE, "", "stand-up", deliver_at=later)

    event, payload = request_for(draft)

    assert later == "2026-12-08T09:00:00+01:00"
    assert (event, payload["deliver_at"], payload["room"]) == ("room_message", later, "dev")
    assert "deliver_at" not in request_for(draft.__class__(draft.to, draft.type, "", "now"))[1]
    assert deliver_at(When.NOW, None, NOW) == ""


def test_the_dialog_says_when_it_will_be_delivered() -> None:
    answer = {"ok": True, "scheduled": True, "schedule_id": 3, "deliver_at": "2026-12-08T08:00:00.000Z"}
    draft = ComposeDraft(Recipient(TargetKind.USER, "bob"), NotificationType.MESSAGE, "", "hi", deliver_at="x")

    assert scheduled_text("bob", answer, NOW).startswith("Scheduled for bob: delivered at ")
    assert sent_text(draft, answer).startswith("Scheduled for bob: delivered at ")
    assert scheduled_text("bob", {"deliver_at": "?"}, NOW) == "Scheduled for bob."


def test_moments_are_shown_by_day() -> None:
    assert shown_moment(datetime(2026, 12, 7, 17, 0, tzinfo=ZONE), NOW).endswith(":00")
    assert shown_moment(NOW + timedelta(days=1), NOW).startswith("tomorrow ")
    assert shown_moment(NOW + timedelta(days=3), NOW)[:3] in {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
