"""Helpers run as child processes on a virtual X screen by the end-to-end test.

python -m tests.desktop.x11_tools wait-tray      exit 0 once a system tray host is up (10 s at most)
python -m tests.desktop.x11_tools shot FILE.png  save a screenshot of the whole screen
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QSystemTrayIcon


def wait_tray(app: QApplication) -> int:
    # The tray host is another process: ask X until it answers (like qtbot.waitUntil), with a deadline.
    result = {"code": 1}

    def check() -> None:
        if QSystemTrayIcon.isSystemTrayAvailable():
            result["code"] = 0
            app.quit()

    poll = QTimer()
    poll.timeout.connect(check)
    poll.start(25)
    QTimer.singleShot(10_000, app.quit)
    QTimer.singleShot(0, check)
    app.exec()
    return result["code"]


def shots(app: QApplication) -> int:
    # One process for every screenshot: Qt starts once, the test asks line by line.
    screen = app.primaryScreen()
    if screen is None:
        return 1
    for line in sys.stdin:
        path = line.strip()
        saved = screen.grabWindow(0).save(path)
        print("ok" if saved else "failed", flush=True)
    return 0


def main(argv: list[str]) -> int:
    app = QApplication(argv[:1])
    if argv[1] == "wait-tray":
        return wait_tray(app)
    if argv[1] == "shots":
        return shots(app)
    raise SystemExit(f"unknown command {argv[1]}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
