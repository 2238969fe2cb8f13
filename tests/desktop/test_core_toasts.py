"""The toast policy, driven by a fake clock: what is on screen, and when it leaves."""

from __future__ import annotations

import pytest

from desktop.core.toasts import MORE, ToastKind, ToastPolicy, ToastView
from hub.protocol import NotificationType
from tests.support.notes import note
from tests.support.waiting import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def policy(clock: FakeClock) -> ToastPolicy:
    return ToastPolicy(clock=clock)


def titles(policy: ToastPolicy) -> list[str]:
    return [t.title for t in policy.view().visible]


@pytest.mark.parametrize(
    ("ntype", "timeout"),
    [("info", 5.0), ("success", 5.0), ("message", 5.0), ("warning", 10.0), ("error", None), ("system", None)],
)
def test_auto_dismiss_per_type(policy: ToastPolicy, clock: FakeClock, ntype: str, timeout: float | None) -> None:
    policy.push(note(1, ntype))
    (toast,) = policy.view().visible
    assert toast.timeout == timeout
    assert toast.style == ntype
    if timeout is None:
        assert policy.next_deadline() is None
        clock.advance(3600)
        policy.expire()
        assert titles(policy) == ["Title 1"]
    else:
        assert policy.next_deadline() == clock.now + timeout
        clock.advance(timeout - 0.01)
        policy.expire()
        assert titles(policy) == ["Title 1"]
        clock.advance(0.01)
        policy.expire()
        assert titles(policy) == []


def test_newest_on_top_at_most_four_and_plus_n_more(policy: ToastPolicy, clock: FakeClock) -> None:
    for i in range(1, 7):
        policy.push(note(i, "error"))
        clock.advance(2)  # slow enough not to be a burst
    view = policy.view()
    assert [t.title for t in view.visible] == ["Title 6", "Title 5", "Title 4", "Title 3"]
    assert view.more == 2
    policy.dismiss(view.visible[0].key)
    assert titles(policy) == ["Title 5", "Title 4", "Title 3", "Title 2"]
    assert policy.view().more == 1


def test_hidden_toasts_keep_their_clocks(policy: ToastPolicy, clock: FakeClock) -> None:
    for i in range(1, 7):
        policy.push(note(i, "info"))
        clock.advance(1.0)
    assert policy.view().more == 2
    policy.expire()  # notes 1 and 2 were hidden, and are now 6 s and 5 s old
    view = policy.view()
    assert [t.title for t in view.visible] == ["Title 6", "Title 5", "Title 4", "Title 3"]
    assert view.more == 0


def test_pause_stops_every_clock_and_resume_keeps_the_rest(policy: ToastPolicy, clock: FakeClock) -> None:
    policy.push(note(1, "info"))
    key = policy.view().visible[0].key
    clock.advance(4)
    policy.set_hovered(key)
    assert policy.next_deadline() is None
    clock.advance(60)
    policy.expire()
    assert titles(policy) == ["Title 1"]
    policy.set_hovered(None)
    assert policy.next_deadline() == pytest.approx(clock.now + 1)
    clock.advance(1)
    policy.expire()
    assert titles(policy) == []


def test_a_toast_arriving_while_paused_waits_too(policy: ToastPolicy, clock: FakeClock) -> None:
    policy.push(note(1, "error"))
    policy.set_hovered(policy.view().visible[0].key)
    policy.push(note(2, "success"))
    assert policy.next_deadline() is None
    policy.set_hovered(None)
    assert policy.next_deadline() == clock.now + 5


def test_a_burst_of_fifty_collapses_into_one_summary(policy: ToastPolicy, clock: FakeClock) -> None:
    for i in range(1, 51):
        policy.push(note(i, "error" if i % 10 == 0 else "message"))
        clock.advance(0.02)
    view = policy.view()
    assert view.more == 0
    (summary,) = view.visible
    assert summary.kind is ToastKind.SUMMARY
    assert summary.title == "50 new notifications"
    assert summary.message == "5 error, 45 message"
    assert summary.count == 50
    assert summary.notification_id == 50
    assert summary.timeout is None  # it holds errors: stays until closed


def test_a_burst_of_info_auto_dismisses(policy: ToastPolicy, clock: FakeClock) -> None:
    for i in range(1, 21):
        policy.push(note(i, "info"))
    (summary,) = policy.view().visible
    assert summary.timeout == 10.0
    clock.advance(10)
    policy.expire()
    assert policy.view().visible == ()


def test_normal_toasts_resume_after_the_burst(policy: ToastPolicy, clock: FakeClock) -> None:
    for i in range(1, 11):
        policy.push(note(i))
    clock.advance(3)
    policy.push(note(11, "warning"))
    view = policy.view()
    assert [t.kind for t in view.visible] == [ToastKind.NOTIFICATION, ToastKind.SUMMARY]
    assert view.visible[0].title == "Title 11"


def test_five_quick_ones_are_still_single_toasts(policy: ToastPolicy) -> None:
    for i in range(1, 6):
        policy.push(note(i))
    assert [t.kind for t in policy.view().visible] == [ToastKind.NOTIFICATION] * 4
    assert policy.view().more == 1


def test_notices_are_never_folded(policy: ToastPolicy) -> None:
    for i in range(1, 10):
        policy.push(note(i))
    policy.push_notice("Some notifications were missed", "3 are gone")
    view = policy.view()
    assert [t.kind for t in view.visible] == [ToastKind.NOTICE, ToastKind.SUMMARY]
    assert view.visible[0].style == "warning"
    assert view.visible[0].timeout is None


def test_listeners_get_each_view(policy: ToastPolicy) -> None:
    views: list[ToastView] = []
    policy.subscribe(views.append)
    policy.push(note(1, NotificationType.ERROR))
    policy.dismiss(views[-1].visible[0].key)
    policy.dismiss(12345)  # unknown key: nothing happens
    assert [len(v.visible) for v in views] == [1, 0]


def test_dismiss_all(policy: ToastPolicy) -> None:
    for i in range(1, 4):
        policy.push(note(i, "error"))
    policy.dismiss_all()
    assert policy.view() == ToastView(visible=(), more=0)


def test_an_early_timer_finds_nothing_due_and_is_told_the_rest(policy: ToastPolicy, clock: FakeClock) -> None:
    policy.push(note(1, "info"))
    clock.advance(5 - 0.01)  # the timer fired 10 ms early (Qt's coarse timers may, by up to 5 %)
    assert policy.expire() == pytest.approx(clock.now + 0.01)  # nothing due yet: arm again for the rest
    assert titles(policy) == ["Title 1"]
    clock.advance(0.01)
    assert policy.expire() is None
    assert titles(policy) == []


def test_the_pause_goes_with_the_toast_under_the_pointer(policy: ToastPolicy, clock: FakeClock) -> None:
    for i in range(1, 4):
        policy.push(note(i, "info"))
    policy.set_hovered(policy.view().visible[1].key)  # the pointer rests on the second toast
    assert policy.paused
    for i in range(4, 7):  # a burst folds every toast, the one under the pointer too
        policy.push(note(i, "info"))
    (summary,) = policy.view().visible
    assert summary.kind is ToastKind.SUMMARY
    assert not policy.paused  # that toast is gone: nothing holds the clocks
    assert policy.hovered is None
    clock.advance(10)
    policy.expire()
    assert policy.view().visible == ()


def test_a_toast_pushed_below_more_no_longer_holds_the_clocks(policy: ToastPolicy, clock: FakeClock) -> None:
    for i in range(1, 5):
        policy.push(note(i, "error"))
        clock.advance(2)
    policy.set_hovered(policy.view().visible[-1].key)  # the oldest on screen
    assert policy.paused
    policy.push(note(5, "info"))  # it goes below "+1 more": the pointer cannot be over it
    assert not policy.paused
    assert policy.next_deadline() == clock.now + 5


def test_the_more_line_holds_the_clocks_while_it_shows(policy: ToastPolicy, clock: FakeClock) -> None:
    for i in range(1, 6):
        policy.push(note(i, "info"))
        clock.advance(0.5)
    policy.set_hovered(MORE)
    assert policy.paused and policy.view().paused
    policy.dismiss(policy.view().visible[0].key)  # now four toasts: no "+N more" line to be over
    assert not policy.paused
