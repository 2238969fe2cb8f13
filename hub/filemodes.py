"""Files only their owner may read: the hub's store (password hashes, every notification), a TLS
key, the tray app's history.

Modes are set outright, whatever the umask: a umask only takes bits away when a file is made, so a
file made under `umask 022` is readable by every local user, and one made under `umask 277` is not
writable by its owner. What is found too open is repaired, with a log line, when it belongs to this
user; a directory that is not ours or is shared (sticky, like /tmp) is left as it is, with a
warning, rather than taken over.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
#: What SQLite keeps beside a database file (a WAL file and its index, a rollback journal).
SQLITE_SIDECARS = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> None:
    """Make `path` (and its missing parents) a directory only its owner can enter."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    found = path.stat()
    mode = stat.S_IMODE(found.st_mode)
    if mode == PRIVATE_DIR:
        return
    if found.st_uid != os.geteuid() or mode & stat.S_ISVTX:
        log.warning(
            "the directory %s is open to other users (mode %04o) and is not this user's own: "
            "left as it is; give the hub a directory of its own",
            path,
            mode,
        )
        return
    path.chmod(PRIVATE_DIR)
    if mode & 0o077:
        log.warning("the directory %s was open to other users (mode %04o); made it %04o", path, mode, PRIVATE_DIR)


def private_file(path: Path, *, create: bool = True) -> None:
    """Make `path` a file only its owner can read and write; made empty when missing and `create`."""
    if create:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        except FileExistsError:
            pass
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode == PRIVATE_FILE:
        return
    path.chmod(PRIVATE_FILE)
    if mode & 0o077:
        log.warning("%s was readable by other users (mode %04o); made it %04o", path, mode, PRIVATE_FILE)


def private_sqlite(path: Path) -> None:
    """A database file, its directory and what SQLite keeps beside it, private (SQLite gives the
    files it adds the database file's mode, so they are made private too)."""
    private_dir(path.parent)
    private_file(path)
    for suffix in SQLITE_SIDECARS:
        private_file(path.with_name(path.name + suffix), create=False)


def warn_if_readable(path: Path, what: str) -> None:
    """Say so when a secret the hub reads but does not own (a TLS key) is readable by other users."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return
    if mode & 0o077:
        log.warning("%s %s is readable by other users (mode %04o): chmod 600 it", what, path, mode)


def open_private(path: Path) -> int:
    """Open `path` for writing from the start, made or truncated, readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)  # an existing file keeps its mode through O_CREAT
    return fd
