"""The app's background tasks: a widget's signal starts a coroutine on the qasync loop, and the app owns it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger("desktop.app")

#: How a flow starts a background task that the app owns.
Spawn = Callable[[Coroutine[Any, Any, None]], None]


class Tasks:
    """Runs coroutines for the app; keeps each until it ends, and logs any that fails (never lost)."""

    def __init__(self) -> None:
        self._running: set[asyncio.Task[None]] = set()

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._running.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())
