"""Every window and dialog lays out: nothing overlaps, nothing is cut off, no text is squeezed, at the size
it opens at and at its minimum size, at 100 % and at 200 % (QT_SCALE_FACTOR=2) on a 1366x768 screen.

The check itself (tests/support/layout.py) is tested here on widgets built to fail it; the windows
(tests/support/windows.py) are laid out by a child process on a virtual X screen of the test's own, one
per scale, which also saves a screenshot of each in tests/artifacts/layout/.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from tests.support.layout import layout_problems, problems_at_sizes
from tests.support.windows import WINDOWS
from tests.support.x11 import virtual_screen

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "layout"
#: A common small laptop screen, in device-independent pixels (at 200 %: 2732x1536 real pixels).
SCREEN = (1366, 768)


def test_overlapping_siblings_are_found(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(300, 100)
    first, second = QPushButton("First", window), QPushButton("Second", window)
    first.setGeometry(10, 10, 120, 30)
    second.setGeometry(100, 20, 120, 30)
    window.show()

    assert layout_problems(window) == ["QPushButton 'First' overlaps QPushButton 'Second' in QWidget"]


def test_a_child_out_of_its_parent_and_squeezed_text_are_found(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(200, 100)
    out = QPushButton("Out", window)
    out.setGeometry(150, 10, 100, 30)
    squeezed = QPushButton("A button with a long text", window)
    squeezed.setGeometry(10, 50, 40, 30)
    wrapped = QLabel("A label whose words wrap onto several lines in a narrow space", window)
    wrapped.setWordWrap(True)
    wrapped.setGeometry(60, 50, 80, 14)
    window.show()

    problems = layout_problems(window)

    assert "QPushButton 'Out' is cut off by QWidget (100x30 at 150,10 outside 200x100 at 0,0)" in problems
    assert any(p.startswith("QPushButton 'A button with a long text' needs ") for p in problems)
    assert any(p.startswith("QLabel 'A label whose words wrap onto several l…' needs ") for p in problems)
    wrapped.setProperty("elides", True)  # a widget that elides on purpose may be narrower than its text
    assert not any("A label whose" in p for p in layout_problems(window))


def test_a_window_whose_layout_does_not_grow_fails_at_its_minimum_size(qtbot: QtBot) -> None:
    """What the hub window did: a message appears under a fixed-height window and squeezes the rest."""
    window = QDialog()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    row = QHBoxLayout()
    row.addWidget(QLabel("Name"))
    row.addWidget(QPushButton("Invite"))
    layout.addLayout(row)
    message = QLabel("A one-time password for bob, shown only here: it works for one sign-in, copy it now.")
    message.setWordWrap(True)
    layout.addWidget(message)
    window.setFixedSize(180, 60)
    window.show()

    problems = problems_at_sizes(window)

    assert problems and all("needs" in p for p in problems)
    window.setFixedSize(420, 120)
    assert problems_at_sizes(window) == []


@pytest.mark.skipif(not shutil.which("Xvfb"), reason="needs xvfb (apt-get install --no-install-recommends xvfb)")
@pytest.mark.parametrize("scale", [1, 2], ids=["100%", "200%"])
async def test_every_window_and_dialog_lays_out(tmp_path: Path, scale: int) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
    env.update(QT_QPA_PLATFORM="xcb", QT_SCALE_FACTOR=str(scale), HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    width, height = SCREEN
    async with virtual_screen(tmp_path / "x", width * scale, height * scale, env) as display:
        env["DISPLAY"] = display
        probe = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.support.layout_probe", str(ARTIFACTS), cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(probe.communicate(), 90)
    assert probe.returncode == 0, err.decode(errors="replace")
    results = [json.loads(line) for line in out.decode().splitlines()]

    assert [r["window"] for r in results] == list(WINDOWS)
    problems = {r["window"]: r["problems"] for r in results if r["problems"]}
    assert problems == {}, json.dumps(problems, indent=2)
    assert all(Path(r["shot"]).stat().st_size > 1000 for r in results)
