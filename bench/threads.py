"""The CPU clock of the SQLite store's thread, for the harnesses that run a store in their own process."""

from __future__ import annotations

import threading
import time


def store_thread_clock() -> int:
    """The CPU-time clock of the one `sqlite-store` thread running in this process (for
    `time.clock_gettime`): the store's work alone, apart from the event loop's."""
    (thread,) = [t for t in threading.enumerate() if t.name.startswith("sqlite-store") and t.ident is not None]
    return time.pthread_getcpuclockid(thread.ident)  # type: ignore[arg-type]
