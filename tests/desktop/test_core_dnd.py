"""Do not disturb and quiet hours with a hand-moved clock: held toasts, error/system pass, one summary."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from desktop.core.dnd import DoNotDisturb, QuietHours, ToastGate
from desktop.core.toasts import ToastKind, ToastPolicy
from tests.support.notes import note
from tests.support.waiting import FakeClock


class WallClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def wall() -> WallClock:
    return WallClock(datetime(2026, 11, 25, 14, 0).astimezone())


def setup(wall: WallClock, quiet: QuietHours | None = None) -> tuple[ToastPolicy, DoNotDisturb, ToastGate]:
    policy = ToastPolicy(clock=FakeClock(), burst_threshold=100)
    dnd = DoNotDisturb(wall, quiet_hours=quiet)
    return policy, dnd, ToastGate(policy, dnd)


def titles(policy: ToastPolicy) -> list[str]:
    return [t.title for t in policy.view().visible]


def test_held_toasts_error_and_system_pass_one_summary_at_the_end(wall: WallClock) -> None:
    policy, dnd, gate = setup(wall)
    dnd.for_hours(1)
    assert dnd.active() and dnd.describe().startswith("on until")
    for nid, ntype in enumerate(["info", "message", "error", "message", "system", "warning"], start=1):
        gate.push(note(nid, ntype))
    assert titles(policy) == ["Title 5", "Title 3"]  # system and error showed
    assert dnd.held == 4
    assert dnd.next_change() == wall.now + timedelta(hours=1)
    wall.advance(minutes=59)
    dnd.check()
    assert dnd.active() and dnd.held == 4
    wall.advance(minutes=1)
    dnd.check()  # the UI's timer fires at next_change()
    assert not dnd.active() and dnd.held == 0
    summary = policy.view().visible[0]
    assert summary.kind is ToastKind.NOTICE
    assert summary.title == "4 notifications while you were away"
    assert summary.message == "1 info, 1 warning, 2 message"
    assert summary.hint == "Click to see them in the history"
    assert summary.timeout is None  # stays until read or closed
    dnd.check()
    assert len(policy.view().visible) == 3  # once


def test_turning_off_by_hand_summarises_and_nothing_held_means_no_summary(wall: WallClock) -> None:
    policy, dnd, gate = setup(wall)
    dnd.turn_on()
    assert dnd.next_change() is None
    dnd.turn_off()
    assert titles(policy) == []
    dnd.turn_on()
    gate.push(note(1, "info"))
    dnd.turn_off()
    assert titles(policy) == ["1 notification while you were away"]
    gate.push(note(2, "info"))
    assert titles(policy)[0] == "Title 2"  # shows again


def test_until_tomorrow_ends_at_eight_next_morning(wall: WallClock) -> None:
    _, dnd, _ = setup(wall)
    dnd.until_tomorrow()
    assert dnd.until == (wall.now + timedelta(days=1)).replace(hour=8, minute=0)


def test_quiet_hours_hold_on_a_schedule(wall: WallClock) -> None:
    quiet = QuietHours.parse("19:00-08:00")
    assert quiet is not None and str(quiet) == "19:00-08:00"
    assert quiet.contains(time(23, 0)) and quiet.contains(time(7, 59)) and not quiet.contains(time(8, 0))
    policy, dnd, gate = setup(wall, quiet)
    assert not dnd.active()
    assert dnd.next_change() == wall.now.replace(hour=19)
    wall.now = wall.now.replace(hour=19)
    dnd.check()
    assert dnd.active() and dnd.describe() == "quiet hours (19:00-08:00)"
    gate.push(note(1, "message"))
    gate.push(note(2, "error"))
    assert titles(policy) == ["Title 2"]
    assert dnd.next_change() == (wall.now + timedelta(days=1)).replace(hour=8)
    wall.now = (wall.now + timedelta(days=1)).replace(hour=8)
    gate.push(note(3, "info"))  # an arrival checks the clock too: the summary comes first
    assert titles(policy) == ["Title 3", "1 notification while you were away", "Title 2"]


def test_quiet_hours_parse() -> None:
    assert QuietHours.parse("") is None
    assert QuietHours.parse("09:00-17:30") == QuietHours(time(9), time(17, 30))
    with pytest.raises(ValueError, match="19:00-08:00"):
        QuietHours.parse("evening")
    assert not QuietHours(time(9), time(9)).contains(time(9))


def test_arrivals_tell_the_listeners_only_of_a_change() -> None:
    wall = [datetime(2026, 11, 25, 14, 0).astimezone()]
    dnd = DoNotDisturb(lambda: wall[0])
    policy = ToastPolicy(clock=FakeClock())
    gate = ToastGate(policy, dnd)
    heard: list[bool] = []
    dnd.subscribe(lambda: heard.append(dnd.active()))
    for i in range(1, 101):  # a burst while nothing changes: the menu and the icon are not redrawn each time
        gate.push(note(i, "info"))
    assert heard == []
    dnd.for_hours(1)
    gate.push(note(101, "info"))  # held: that is a change
    assert heard == [True, True]
    wall[0] += timedelta(hours=2)
    gate.push(note(102, "info"))  # the hour is over: the period ends on this arrival, and a summary toasts
    assert heard[-1] is False
    dnd.check()  # the timer's own check always tells (it is armed again from there)
    assert len(heard) == 4
