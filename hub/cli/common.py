"""What several `notify-hub` commands share: the --data-dir / --config options, the effective
configuration, the store opened for admin commands, a password from standard input, a name check."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from hub.auth import Accounts
from hub.config import FIELDS, HubConfig, env_name, load_config
from hub.store import create_store


def add_common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default,
        help=f"the hub's data directory (env {env_name('data_dir')}; default ~/.local/share/lan-notify/hub)",
    )
    parser.add_argument(
        "--config", type=Path, default=default, help="a TOML config file (keys as in docs/configuration.md)"
    )


def read_password(from_stdin: bool) -> str | None:
    if not from_stdin:
        return None
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise SystemExit("notify-hub: no password on standard input")
    return line


def effective_config(args: argparse.Namespace) -> HubConfig:
    overrides: dict[str, Any] = {"data_dir": args.data_dir}
    if args.command != "serve":
        overrides["database"] = args.database
    else:
        overrides.update({name: getattr(args, name) for name in FIELDS if name != "data_dir"})
    return load_config(config_file=args.config, overrides=overrides)


async def with_accounts(config: HubConfig, action: Callable[[Accounts], Awaitable[int]]) -> int:
    store = create_store(config)
    await store.open()
    try:
        return await action(Accounts(store))
    finally:
        await store.close()


def check_name(name: str, pattern: str, what: str) -> None:
    if not re.fullmatch(pattern, name):  # `$` alone lets a trailing line break through
        raise SystemExit(
            f"notify-hub: {name!r} is not a valid {what} name "
            "(letters, digits and . _ - after the first character; at most 64)"
        )
