"""What a commit on the store's thread waited on, read from outside the hub (`bench.probe`, `bench.commit_times`).

- `WalIndex`: the WAL index's header, read from the `-shm` file that SQLite maps shared (so a plain
  read sees it; format: sqlite.org/walformat.html): `mxFrame`, the frames in the WAL, and
  `nBackfill`, the frames already copied into the database file. A commit after which `nBackfill`
  moved ran a checkpoint inside it.
- `run_delay`: how long the calling thread has waited for a CPU on a run queue (/proc's schedstat).

What is left of a commit's wall time after its thread's CPU time and its run-queue wait, it spent
blocked: in `fsync`/`fdatasync` (strace shows which) or waiting for the GIL.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

#: Offsets in the WAL index: mxFrame in the header's first copy, nBackfill after the two copies.
_MX_FRAME, _N_BACKFILL = 16, 96


class WalIndex:
    """The WAL index of the SQLite file `database` (which must be open in WAL mode)."""

    def __init__(self, database: Path | str) -> None:
        self.fd = os.open(f"{database}-shm", os.O_RDONLY)

    def read(self) -> tuple[int, int]:
        """(mxFrame, nBackfill): frames in the WAL, frames already checkpointed."""
        head = os.pread(self.fd, _N_BACKFILL + 4, 0)
        if len(head) < _N_BACKFILL + 4:
            return 0, 0
        return struct.unpack_from("=I", head, _MX_FRAME)[0], struct.unpack_from("=I", head, _N_BACKFILL)[0]

    def close(self) -> None:
        os.close(self.fd)


def checkpointed(before: tuple[int, int], after: tuple[int, int]) -> bool:
    """Whether a checkpoint ran between two reads of the WAL index (frames were copied)."""
    return after[1] != before[1] and after[1] > 0


def run_delay() -> int:
    """Nanoseconds the calling thread has waited for a CPU on a run queue, so far."""
    with open("/proc/thread-self/schedstat") as stat:
        return int(stat.read().split()[1])


def wal_size(database: Path | str) -> int:
    """The -wal file's size in bytes (0 if there is none)."""
    try:
        return Path(f"{database}-wal").stat().st_size
    except FileNotFoundError:
        return 0
