"""Quit cleanly on SIGINT/SIGTERM although Qt's event loop runs in C.

Python only runs a signal handler when it gets control back; the wakeup fd makes the signal a byte
on a socket that a QSocketNotifier watches, so the loop wakes at once.
"""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier

log = logging.getLogger(__name__)


class PosixSignalWatcher(QObject):
    def __init__(self, on_signal: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_signal = on_signal
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._woken)

    def install(self, signals: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)) -> None:
        signal.set_wakeup_fd(self._writer.fileno())
        for signum in signals:
            signal.signal(signum, lambda *_: None)  # the wakeup fd does the work

    def _woken(self) -> None:
        try:
            received = self._reader.recv(64)
        except OSError:
            return
        log.info("quitting on signal %s", ", ".join(str(b) for b in received))
        self._on_signal()
