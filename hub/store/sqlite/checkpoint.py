"""The SQLite store's WAL checkpoints, on a thread and a connection of their own.

With SQLite's automatic checkpoint, the COMMIT that takes the WAL past 1,000 pages copies them into
the database file and syncs it before it returns: a sender whose notification was in that batch
waited for the checkpoint as well. The store's connection turns the automatic checkpoint off
(`PRAGMA wal_autocheckpoint=0`), and this thread checkpoints instead, `interval_s` after the store's
thread has run a call (`written`, set after each), so an idle hub does not wake it:

- `PRAGMA wal_checkpoint(PASSIVE)`: copies what it can without taking any lock a commit needs, so
  no commit waits on it. Once it has copied every frame, the store's next commit starts the WAL
  again from its beginning.
- Under a steady load the store begins its next commit before a checkpoint ends, so the WAL is
  never wholly copied when a commit starts, and grows on. When it holds more than `restart_pages`
  after a PASSIVE checkpoint, the checkpointer asks the store's own thread, between two commits, for
  `PRAGMA wal_checkpoint(RESTART)` (`restart`): it copies only what the commits since that PASSIVE
  checkpoint added, and makes the next commit start the WAL again. (Run from this thread, it would
  wait for the store's write lock, which a store committing back to back never leaves free long
  enough.) It waits for readers at most `restart_wait_s` (by default not at all): while one reads
  (a backup in progress), the WAL grows, and a later tick asks again.
- `journal_size_limit` on the store's connection truncates the file, when the WAL starts again, to
  `restart_pages` worth of bytes: the disk space a burst took is given back.

Durability is unchanged: every commit still syncs the WAL (synchronous=FULL) before it returns, and a
checkpoint syncs the WAL and then the database file, as SQLite's own does. A process killed during
a checkpoint leaves the WAL whole; the next open replays it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

#: How long the store's connection waits for a lock another connection holds.
BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True, slots=True)
class CheckpointPolicy:
    """When the checkpointer runs. The hub's settings `wal_checkpoint_ms` and `wal_restart_pages` set the
    first two (`hub.store.factory.checkpoint_policy`); the defaults are theirs, for a store opened without
    a configuration."""

    #: Seconds from the store's first call after a checkpoint to the next checkpoint: one every
    #: `interval_s` under load, none while the store is idle.
    interval_s: float = 0.2
    #: The WAL's length in pages, as a PASSIVE checkpoint reports it, past which a RESTART one runs
    #: (16 MiB of 4 KiB pages).
    restart_pages: int = 4096
    #: Seconds a RESTART checkpoint waits for other connections' readers (holding commits off meanwhile).
    restart_wait_s: float = 0.0


#: Asks the store's thread for a RESTART checkpoint between two commits; sets the event when it is done.
Restart = Callable[[threading.Event], None]


class Checkpointer:
    """The thread that checkpoints the WAL of the SQLite file at `path` (see the module's docstring).

    `start` opens its connection and starts the thread; `stop` ends it and joins it. The thread holds
    no reference to this object: dropped without `stop`, it ends by itself."""

    def __init__(self, path: Path, policy: CheckpointPolicy, restart: Restart) -> None:
        self.path = path
        self.policy = policy
        self._restart = restart
        self._stop = threading.Event()
        self._restarted = threading.Event()
        #: Set by the store's thread after each call: there may be something to checkpoint.
        self.written = threading.Event()
        self._thread: threading.Thread | None = None
        weakref.finalize(self, _end, self._stop, self._restarted, self.written)

    def start(self) -> None:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            # The checkpoint syncs the WAL, then the database file, before the WAL is used again.
            db.execute("PRAGMA synchronous=FULL").fetchall()
            db.execute("PRAGMA wal_autocheckpoint=0").fetchall()
        except BaseException:
            db.close()
            raise
        self._thread = threading.Thread(
            target=_serve,
            args=(db, self.policy, self._restart, self._stop, self._restarted, self.written),
            name="sqlite-checkpoint",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """End the thread (after the checkpoint it may be running) and close its connection."""
        _end(self._stop, self._restarted, self.written)
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def _end(*events: threading.Event) -> None:
    """Stop the thread: every event it may wait on is set (its wait for the store's thread too,
    which may be closing), the stop first."""
    for event in events:
        event.set()


def _serve(
    db: sqlite3.Connection,
    policy: CheckpointPolicy,
    ask: Restart,
    stop: threading.Event,
    restarted: threading.Event,
    written: threading.Event,
) -> None:
    try:
        while True:
            written.wait()  # until the store's thread has run a call since the last checkpoint
            if stop.wait(policy.interval_s):
                return
            written.clear()
            if stop.is_set():  # `_end` set every event before that clear: it may have cleared the stop's
                return
            try:
                pages = passive(db)
            except Exception as exc:  # the store's commits go on; the next tick tries again
                log.warning("WAL checkpoint failed: %s", exc)
                continue
            if pages > policy.restart_pages:
                restarted.clear()
                if stop.is_set():  # as above: the store's thread may be closing, and would never answer
                    return
                ask(restarted)
                restarted.wait()  # no PASSIVE checkpoint meanwhile: the RESTART would wait for it
    finally:
        db.close()


def passive(db: sqlite3.Connection) -> int:
    """A PASSIVE checkpoint; returns the pages in the WAL. The statement is stepped to its end
    (fetchall): one left open would hold a read lock, and no commit could start the WAL again."""
    ((_, pages, _),) = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    return int(pages)


def restart(db: sqlite3.Connection, policy: CheckpointPolicy) -> None:
    """On the store's thread, between two commits: a RESTART checkpoint, waiting for readers at
    most `restart_wait_s`."""
    try:
        db.execute(f"PRAGMA busy_timeout={int(policy.restart_wait_s * 1000)}").fetchall()
        busy, pages, _ = db.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()[0]
        if busy:
            log.debug("the WAL holds %d pages: a reader kept it from starting again; asking at the next tick", pages)
    except sqlite3.Error as exc:
        log.warning("WAL checkpoint failed: %s", exc)
    finally:
        try:
            db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}").fetchall()
        except sqlite3.Error as exc:  # the store's next call meets the same error, and answers it
            log.warning("could not set the store's busy timeout back: %s", exc)
