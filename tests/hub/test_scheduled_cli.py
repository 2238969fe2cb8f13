"""`notify-hub send --in / --at`, `notify-hub scheduled` and `notify-hub scheduled cancel KEY` as a user runs
them (a subprocess) against a real hub."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta, timezone

import pytest

from hub.cli.later import moment_at
from tests.support.cli import notify_hub
from tests.support.hubs import Hub


async def test_send_in_lists_and_cancels_by_key(hub: Hub) -> None:
    token = await hub.user("alice")
    await hub.user("bob")
    base = ("--hub", hub.url, "--token", token)

    in_two_days = (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")

    sent = await notify_hub("send", *base, "--to", "bob", "--in", "30m", "--key", "standup", "--title", "Dev", "Up")
    at = await notify_hub("send", *base, "--to", "bob", "--at", in_two_days, "in two days")
    listed = await notify_hub("scheduled", *base)
    cancelled = await notify_hub("scheduled", "cancel", "standup", *base)
    again = await notify_hub("scheduled", "cancel", "standup", *base)
    left = await notify_hub("scheduled", *base)

    assert (sent.code, sent.err) == (0, "")
    assert sent.out.startswith("scheduled notification ") and " for " in sent.out
    assert at.code == 0, at.err
    lines = listed.out.splitlines()
    assert len(lines) == 2
    assert "  standup  to bob  Dev: Up" in lines[0]
    assert lines[1].startswith(in_two_days) and lines[1].endswith("  -  to bob  in two days")
    assert cancelled.out == "cancelled 1 scheduled notification with key standup\n"
    assert again.code == 1 and "no scheduled notification with key 'standup' pending" in again.err
    assert left.out.splitlines() == [lines[1]]


async def test_usage_mistakes_exit_2_and_a_time_out_of_range_is_the_hubs_refusal(hub: Hub) -> None:
    token = await hub.user("alice")
    await hub.user("bob")
    base = ("--hub", hub.url, "--token", token)

    bad_delay = await notify_hub("send", *base, "--to", "bob", "--in", "soon", "x")
    no_key = await notify_hub("scheduled", "cancel", *base)
    with_wait = await notify_hub("send", *base, "--to", "bob", "--in", "1h", "--respond", "OK", "--wait", "1m", "x")
    too_far = await notify_hub("send", *base, "--to", "bob", "--in", "8d", "x")

    assert bad_delay.code == 2 and "not a delay" in bad_delay.err
    assert no_key.code == 2 and "needs the KEY" in no_key.err
    assert with_wait.code == 2 and "--wait" in with_wait.err
    assert too_far.code == 1 and "7 days" in too_far.err


PLUS_ONE = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17:00", datetime(2026, 12, 7, 17, 0, tzinfo=PLUS_ONE)),  # later today
        ("09:30", datetime(2026, 12, 8, 9, 30, tzinfo=PLUS_ONE)),  # past: tomorrow
        ("10:00", datetime(2026, 12, 8, 10, 0, tzinfo=PLUS_ONE)),  # now is past too
        ("2026-12-24 09:00", datetime(2026, 12, 24, 9, 0, tzinfo=PLUS_ONE)),  # local
        ("2026-12-24T09:00:00Z", datetime(2026, 12, 24, 9, 0, tzinfo=UTC)),  # its own offset
    ],
)
def test_at_is_local_time_today_or_tomorrow(text: str, expected: datetime) -> None:
    now = datetime(2026, 12, 7, 10, 0, tzinfo=PLUS_ONE)

    assert moment_at(text, now) == expected


@pytest.mark.parametrize("text", ["25:00", "12:60", "noon"])
def test_at_refuses_what_is_not_a_time(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        moment_at(text, datetime(2026, 12, 7, 10, 0, tzinfo=PLUS_ONE))
