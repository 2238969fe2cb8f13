"""Lay out every window and dialog of the tray app (tests/support/windows.py) on the screen Qt is given, and
say what is wrong with each: as shown, then at its minimum size. Run by tests/desktop/test_layout.py under
Xvfb, at QT_SCALE_FACTOR 1 and 2:

    python -m tests.support.layout_probe OUTDIR [NAME...]

One JSON line per window: {"window", "size", "problems": [...], "shot"}; the screenshots go to OUTDIR.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSize
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from tests.support.layout import problems_at_sizes
from tests.support.windows import WINDOWS

SETTLE_MS = 3000


def settle(window: QWidget, wanted: QSize | None = None) -> None:
    """Until the window system has shown (and resized) the window: waits for its events, at most ~3 s."""
    QTest.qWaitForWindowExposed(window, SETTLE_MS)
    for _ in range(SETTLE_MS // 10):
        if wanted is None or window.size() == wanted:
            break
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 10)
    QApplication.processEvents()


def probe(name: str, out: Path) -> dict[str, object]:
    window = WINDOWS[name]()
    settle(window)
    shot = out / f"{name}@{os.environ.get('QT_SCALE_FACTOR', '1')}x.png"
    window.grab().save(str(shot))
    problems = problems_at_sizes(window, lambda size: settle(window, size))
    size = window.size()
    window.hide()
    window.deleteLater()
    return {"window": name, "size": [size.width(), size.height()], "problems": problems, "shot": str(shot)}


def main(argv: list[str]) -> int:
    app = QApplication(argv[:1])
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name in argv[2:] or list(WINDOWS):
        print(json.dumps(probe(name, out)), flush=True)
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
