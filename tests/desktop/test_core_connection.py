from __future__ import annotations

import pytest

from desktop.core.connection import Backoff, ConnectionState, ConnectionStateMachine, ConnectionStatus
from desktop.errors import InvalidTransitionError


def state_of(machine: ConnectionStateMachine) -> ConnectionState:
    return machine.state  # a call, so mypy does not narrow the property between steps


def test_a_normal_life() -> None:
    seen: list[ConnectionStatus] = []
    machine = ConnectionStateMachine(offline_after=3)
    machine.subscribe(seen.append)
    machine.start()
    machine.connected()
    machine.dropped("hub went away")
    machine.failed("connection refused")
    machine.connected()
    machine.stopped()
    assert [s.state for s in seen] == [
        ConnectionState.CONNECTING,
        ConnectionState.CONNECTED,
        ConnectionState.RECONNECTING,
        ConnectionState.RECONNECTING,
        ConnectionState.CONNECTED,
        ConnectionState.SIGNED_OUT,
    ]
    assert [s.tray_state for s in seen] == [
        "connecting",
        "connected",
        "connecting",
        "connecting",
        "connected",
        "offline",
    ]


def test_repeated_failures_turn_offline_and_a_connect_recovers() -> None:
    machine = ConnectionStateMachine(offline_after=3)
    machine.start()
    machine.failed("refused")
    machine.failed("refused")
    assert state_of(machine) is ConnectionState.RECONNECTING
    assert machine.status.describe() == "Reconnecting (attempt 3)…"
    machine.failed("hub unreachable")
    assert state_of(machine) is ConnectionState.OFFLINE
    assert machine.status.describe() == "Offline: hub unreachable"
    assert machine.status.tray_state == "offline"
    machine.connected()
    assert machine.status == ConnectionStatus(ConnectionState.CONNECTED)


def test_auth_refused_stops_until_signed_in_again() -> None:
    machine = ConnectionStateMachine()
    machine.start()
    machine.auth_refused("this device was signed out")
    assert state_of(machine) is ConnectionState.AUTH_FAILED
    assert machine.status.describe() == "Sign-in needed: this device was signed out"
    with pytest.raises(InvalidTransitionError):
        machine.connected()
    machine.start()
    assert state_of(machine) is ConnectionState.CONNECTING


@pytest.mark.parametrize(
    ("setup", "event"),
    [
        ([], "connected"),
        ([], "dropped"),
        (["start"], "start"),
        (["start"], "dropped"),
        (["start", "connected"], "start"),
    ],
)
def test_impossible_transitions_raise(setup: list[str], event: str) -> None:
    machine = ConnectionStateMachine()
    for step in setup:
        getattr(machine, step)()
    with pytest.raises(InvalidTransitionError):
        if event == "dropped":
            machine.dropped("x")
        else:
            getattr(machine, event)()


def test_no_event_when_nothing_changes() -> None:
    seen: list[ConnectionStatus] = []
    machine = ConnectionStateMachine()
    machine.subscribe(seen.append)
    machine.stopped()
    assert seen == []


def test_backoff_doubles_up_to_the_cap_and_resets() -> None:
    backoff = Backoff(initial=1, factor=2, maximum=10, jitter=0.5, rng=lambda: 0.0)
    assert [backoff.next_delay() for _ in range(6)] == [1, 2, 4, 8, 10, 10]
    backoff.reset()
    assert backoff.next_delay() == 1


def test_backoff_jitter_only_shortens() -> None:
    backoff = Backoff(initial=4, maximum=4, jitter=0.25, rng=lambda: 0.999)
    assert 3.0 < backoff.next_delay() <= 4.0


def test_backoff_survives_days_offline() -> None:
    backoff = Backoff(initial=1, maximum=60, rng=lambda: 0.0)
    for _ in range(5000):
        delay = backoff.next_delay()
    assert delay == 60


def test_backoff_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        Backoff(initial=0)
