"""notify-tray's log lines are written off the event loop: a reader that is behind (`notify-tray |
less`, unscrolled) never freezes the UI."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TextIO, cast

import pytest

from desktop.app.main import configure_logging
from tests.support.logs import StalledStream


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Put the process's logging back as it was: the root's handlers and every logger's level."""
    root = logging.getLogger()
    handlers = root.handlers[:]
    levels = {x: x.level for x in _loggers()}
    yield
    root.handlers[:] = handlers
    for x in _loggers():
        x.setLevel(levels.get(x, logging.NOTSET))  # loggers made meanwhile go back to inheriting


def _loggers() -> list[logging.Logger]:
    return [logging.root, *(x for x in logging.root.manager.loggerDict.values() if isinstance(x, logging.Logger))]


@pytest.mark.timeout(60)
@pytest.mark.usefixtures("root_logging")
def test_logging_returns_while_stderr_is_not_read() -> None:
    stream = StalledStream()
    stop = configure_logging(verbose=False, stream=cast(TextIO, stream))
    try:
        for i in range(50):  # each would wait for the reader if the loop wrote them itself
            logging.getLogger("desktop.test").info("line %d", i)
        assert stream.lines == []  # nothing could be written yet, and the calls all returned
        stream.released.set()
    finally:
        stop()
    text = "".join(stream.lines)
    assert [line.rsplit(" ", 1)[1] for line in text.splitlines()] == [str(i) for i in range(50)]
    assert "INFO desktop.test: line 0" in text
    assert logging.getLogger("socketio").level == logging.WARNING  # per-packet lines only with -v
