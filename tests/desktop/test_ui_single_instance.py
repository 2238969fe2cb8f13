"""One tray app per session: a second start brings the first forward."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.app.single_instance import SingleInstance, instance_name


def test_a_second_start_asks_the_first_to_come_forward(qtbot: QtBot, tmp_path: Path) -> None:
    name = instance_name(str(tmp_path))
    first = SingleInstance(name)
    assert not first.notify_running()  # nobody else yet
    assert first.listen()
    try:
        second = SingleInstance(name)
        with qtbot.waitSignal(first.activation_requested):
            assert second.notify_running()
    finally:
        first.close()


def test_names_differ_per_scope() -> None:
    assert instance_name("/a") != instance_name("/b")
    assert instance_name("/a") == instance_name("/a")


def test_a_stale_socket_from_a_crash_is_taken_over(qtbot: QtBot, tmp_path: Path) -> None:
    name = instance_name(str(tmp_path / "crashed"))
    crashed = SingleInstance(name)
    assert crashed.listen()
    crashed.close()  # gone without a clean exit
    again = SingleInstance(name)
    assert again.listen()
    again.close()


def test_a_second_start_hands_over_its_command(qtbot: QtBot, tmp_path: Path) -> None:
    name = instance_name(str(tmp_path / "commands"))
    first = SingleInstance(name)
    assert first.listen()
    try:
        with qtbot.waitSignal(first.command_received) as received:
            assert SingleInstance(name).notify_running("compose bob")
        assert received.args == ["compose bob"]
    finally:
        first.close()
