"""Who is using a SQLite store file: an advisory lock beside it (`hub.sqlite3.lock`).

Every process that opens the store (a hub, the tray app's hosted hub, an admin command) holds a
shared lock for as long as it has the store open; `notify-hub restore` needs the exclusive lock, so
it cannot replace the file under a running hub, and no hub can open the store while a restore runs.
The kernel drops a process's lock when it exits, however it exits: a hub killed with SIGKILL leaves
no stale lock behind (unlike a PID file). `flock` locks are advisory and local: a store on a network
file system shared by several machines is not supported anyway (SQLite's WAL mode needs one host).

On a platform without `fcntl` (Windows) the lock is not taken: restore there relies on the user
having stopped the hub.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType

from hub.errors import StoreInUse

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class StoreLock:
    """A shared (`exclusive=False`) or exclusive lock on a store file, taken without waiting."""

    def __init__(self, database: Path, *, exclusive: bool) -> None:
        self.path = lock_path(database)
        self.exclusive = exclusive
        self._fd: int | None = None

    def acquire(self) -> None:
        if fcntl is None or self._fd is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            with contextlib.suppress(PermissionError):  # another user's lock file is theirs to keep
                os.fchmod(fd, 0o600)  # the umask may have taken the owner's write bit, which the next opener needs
            fcntl.flock(fd, (fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            folder = self.path.parent
            if self.exclusive:
                raise StoreInUse(
                    f"a hub (or another notify-hub command) is using the store in {folder}: stop it first "
                    "(e.g. systemctl stop notify-hub, or quit the tray app hosting it)"
                ) from None
            raise StoreInUse(
                f"the store in {folder} is being restored (notify-hub restore): try again after it"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor drops the lock

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release()
