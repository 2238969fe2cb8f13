"""Process-level tuning for `notify-hub serve`: the event loop and the garbage collector.

- uvloop, where installed (Linux, macOS), runs the hub's event loop: less overhead per socket
  operation. The tray app hosts its hub on qasync's loop instead.
- The cyclic garbage collector: at thousands of connections its full collections dominated CPU
  time (issue 8). After start-up the long-lived heap (modules, the app, the store) is frozen out
  of collection, and generation 0 is collected less often. Per-connection and per-message objects
  are acyclic, so reference counting frees them without the collector; the load tests check that
  memory stays flat.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

GC_THRESHOLDS = (10_000, 20, 50)


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def tune_gc() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    log.debug("gc: froze %d start-up objects; thresholds %s", gc.get_freeze_count(), GC_THRESHOLDS)
