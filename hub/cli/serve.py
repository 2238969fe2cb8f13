"""`notify-hub serve`: run the hub in the foreground, with a flag for every setting of the configuration."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from hub.cli.common import add_common
from hub.config import FIELDS, HubConfig, env_name, field_type_name
from hub.redaction import redact_url


def add_parser(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the hub in the foreground (Ctrl+C stops it cleanly)")
    add_common(serve, suppress=True)
    for name, field in FIELDS.items():
        if name == "data_dir":
            continue
        flag = "--" + name.replace("_", "-")
        help_text = f"{field.metadata.get('help', '')} (env {env_name(name)})"
        if field_type_name(name) == "bool":
            # --open / --no-open: a flag can also turn off what the environment or the TOML file turned on.
            serve.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        else:
            serve.add_argument(flag, dest=name, default=None, metavar=name.upper(), help=help_text)
    serve.add_argument("--print-config", action="store_true", help="print the effective configuration and exit")


def run(args: argparse.Namespace, config: HubConfig) -> int:
    if args.print_config:
        for name in FIELDS:
            value = getattr(config, name)
            shown = redact_url(value) if name in ("database", "redis") else value
            print(f"{name} = {shown!r}")
        return 0
    from hub.server import loop_factory, serve

    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        runner.run(serve(config))
    return 0
