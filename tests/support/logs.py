"""For the logging tests: a stream whose reader has stopped reading."""

from __future__ import annotations

import io
import threading

from tests.support.waiting import WAIT


class StalledStream(io.TextIOBase):
    """A stream whose writes block until `release` (a reader that stopped reading)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.released = threading.Event()

    def write(self, text: str) -> int:
        self.released.wait(WAIT)
        self.lines.append(text)
        return len(text)
