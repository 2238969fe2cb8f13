"""`notify-hub backup FILE` and `notify-hub restore FILE` (the work is in `hub.backup`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hub import backup
from hub.config import HubConfig
from hub.errors import BackupError


def add_parsers(commands: Any) -> list[argparse.ArgumentParser]:
    """The two commands; the caller adds the options every store command takes (--data-dir, ...)."""
    make = commands.add_parser(
        "backup",
        help="copy the SQLite store to FILE while the hub runs (a consistent snapshot; no need to stop it)",
        description="Copy the hub's SQLite store to FILE with SQLite's online backup: one consistent snapshot, "
        "taken while the hub goes on working. FILE is readable by you only (it holds password and token "
        "hashes). A PostgreSQL store is backed up with pg_dump (docs/deployment.md).",
    )
    make.add_argument("file", type=Path, metavar="FILE", help="where to write the copy")
    make.add_argument("--force", action="store_true", help="replace FILE if it exists")
    make.set_defaults(run=run_backup)
    back = commands.add_parser(
        "restore",
        help="replace the SQLite store with a backup (stop the hub first; the current store is kept aside)",
        description="Replace the hub's SQLite store with FILE, made by `notify-hub backup`. Refused while a hub "
        "(or another notify-hub command) has the store open, and when FILE is damaged, not a lan-notify store, "
        "or from a newer lan-notify. The current store is kept beside it as hub.sqlite3.before-restore-TIME. "
        "A PostgreSQL store is restored with pg_restore (docs/deployment.md).",
    )
    back.add_argument("file", type=Path, metavar="FILE", help="the backup to restore")
    back.set_defaults(run=run_restore)
    return [make, back]


def _sqlite_only(config: HubConfig, what: str) -> None:
    if config.database:
        tool = "pg_dump" if what == "backup" else "pg_restore"
        raise BackupError(
            f"this hub's store is PostgreSQL ({what} is for the SQLite store): use {tool}, see docs/deployment.md"
        )


def run_backup(args: argparse.Namespace, config: HubConfig) -> int:
    _sqlite_only(config, "backup")
    summary = backup.backup(config.database_path, args.file, force=args.force)
    print(f"backed up {config.database_path} to {args.file}: {summary}", file=sys.stderr)
    return 0


def run_restore(args: argparse.Namespace, config: HubConfig) -> int:
    _sqlite_only(config, "restore")
    restored = backup.restore(args.file, config.database_path)
    print(f"restored {args.file} into {config.database_path}: {restored.summary}", file=sys.stderr)
    if restored.kept is not None:
        print(f"the store it replaced is kept as {restored.kept}", file=sys.stderr)
    print("start the hub again; it upgrades a backup from an older release as it starts", file=sys.stderr)
    return 0
