"""Helpers run as child processes on a virtual X screen by the end-to-end test.

python -m tests.support.x11_tools wait-tray   exit 0 once a system tray host is up (10 s at most)
python -m tests.support.x11_tools shots       for each line "FILE.png [X Y WIDTH HEIGHT [SCALE]]" read, save
                                              a screenshot of the screen (or of that part of it, enlarged
                                              SCALE times); says ok
python -m tests.support.x11_tools wallpaper   cover the screen with a plain backdrop until stopped (start it
                                              first: windows mapped after it are drawn over it)
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter, QPaintEvent, QScreen
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

#: How often the screen is grabbed while waiting for it to stop changing, and how many grabs at most.
GRAB_INTERVAL_MS = 50
STEADY_TRIES = 20


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


def steady_image(screen: QScreen, x: int, y: int, width: int, height: int) -> QImage:
    """The screen once it has stopped changing: the condition a screenshot waits for. Other processes
    (the app, the tray host) draw it, and X tells no other client when
    they are done, so the wait polls: two grabs GRAB_INTERVAL_MS apart that are alike, at most
    STEADY_TRIES grabs (then the last one; the test looks at every screenshot it makes)."""
    image = screen.grabWindow(0, x, y, width, height).toImage()
    for _ in range(STEADY_TRIES):
        between = QEventLoop()  # this process keeps handling X events while the others draw
        QTimer.singleShot(GRAB_INTERVAL_MS, between.quit)
        between.exec()
        again = screen.grabWindow(0, x, y, width, height).toImage()
        if again == image:
            return image
        image = again
    print(f"the screen was still changing after {STEADY_TRIES} grabs", file=sys.stderr, flush=True)
    return image


def shots(app: QApplication) -> int:
    # One process for every screenshot: Qt starts once, the test asks line by line.
    screen = app.primaryScreen()
    if screen is None:
        return 1
    for line in sys.stdin:
        path, *region = line.split()
        x, y, width, height = (int(v) for v in region[:4]) if region else (0, 0, -1, -1)
        scale = int(region[4]) if len(region) > 4 else 1
        image = steady_image(screen, x, y, width, height)
        if scale > 1:  # a tray icon is 22 pixels: show it bigger, pixel for pixel
            image = image.scaled(image.width() * scale, image.height() * scale)
        print("ok" if image.save(path) else "failed", flush=True)
    return 0


class Wallpaper(QWidget):
    """A plain light backdrop, as a desktop has, so screenshots show no black X root around rounded toasts."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        gradient = QLinearGradient(0, 0, 0, self.height())
        gradient.setColorAt(0, QColor("#e2e8f0"))
        gradient.setColorAt(1, QColor("#cbd5e1"))
        painter.fillRect(self.rect(), gradient)
        painter.end()


def wallpaper(app: QApplication) -> int:
    screen = app.primaryScreen()
    if screen is None:
        return 1
    window = Wallpaper(None, Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowDoesNotAcceptFocus)
    window.setGeometry(screen.geometry())
    window.show()
    QTimer.singleShot(0, lambda: print("ok", flush=True))  # shown: the caller may start what goes on top
    return app.exec()


def main(argv: list[str]) -> int:
    app = QApplication(argv[:1])
    if argv[1] == "wait-tray":
        return wait_tray(app)
    if argv[1] == "shots":
        return shots(app)
    if argv[1] == "wallpaper":
        return wallpaper(app)
    raise SystemExit(f"unknown command {argv[1]}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
