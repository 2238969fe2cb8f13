"""Background jobs with one owner: started by name, cancelled together at stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)


class BackgroundJobs:
    """Tasks that run until `stop`; a periodic job that fails is logged and tried again at its next turn."""

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []

    def __bool__(self) -> bool:
        return bool(self._tasks)

    def spawn(self, coro: Awaitable[None], name: str) -> None:
        self._tasks.append(asyncio.ensure_future(coro))
        self._tasks[-1].set_name(f"hub-{name}")

    def every(self, seconds: float, job: Callable[[], Awaitable[Any]], name: str, *, first_now: bool = False) -> None:
        self.spawn(_every(seconds, job, first_now=first_now), name)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            # python-socketio swallows CancelledError inside event handlers, so a task cancelled
            # while it runs one (a revocation disconnecting a session) goes on: cancel it again.
            while not task.done():
                await asyncio.wait([task], timeout=0.5)
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()


async def _every(seconds: float, job: Callable[[], Awaitable[Any]], *, first_now: bool) -> None:
    if not first_now:
        await asyncio.sleep(seconds)
    while True:
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background job %s failed; will retry", getattr(job, "__name__", job))
        await asyncio.sleep(seconds)
