"""`notify-hub scheduled`: the caller's pending scheduled sends, and cancelling them by key.

    notify-hub scheduled                      list them, soonest first
    notify-hub scheduled cancel standup       cancel those with key `standup`

Over the hub's HTTP API with the same token as `notify-hub send` (`--token`, LAN_NOTIFY_TOKEN or the
keyring). Exit status: 0 done; 1 the hub refused (no pending send with that key: its message is
printed); 2 usage; 3 the hub could not be reached or its certificate could not be trusted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any
from urllib.parse import quote

import aiohttp

from hub import tls
from hub.cli.later import local
from hub.cli.send import EXIT_USAGE, add_connection_options, call, failed, hub_and_token
from hub.errors import ConfigError, FingerprintError, SendFailed


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "scheduled",
        help="list your pending scheduled notifications, or cancel them by key (over HTTP, like send)",
        description=(__doc__ or "").replace("`", ""),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("action", nargs="?", choices=["list", "cancel"], default="list", help="default: list")
    parser.add_argument("key", nargs="?", help="cancel: the key the sends were scheduled with")
    add_connection_options(parser)
    parser.set_defaults(run=run)


def listed(item: dict[str, Any]) -> str:
    """One pending send, on one line: when, key, addressee, title and message."""
    if item.get("to"):
        whom = f"to {item['to']}"
    elif item.get("room"):
        whom = f"to room {item['room']}"
    else:
        whom = "to everyone"
    text = f"{item['title']}: {item['message']}" if item.get("title") else str(item.get("message"))
    return f"{local(str(item.get('deliver_at')))}  {item.get('key') or '-'}  {whom}  {text}"


def run(args: argparse.Namespace) -> int:
    if args.action == "cancel" and not args.key:
        return _fail("scheduled cancel needs the KEY the sends were scheduled with", EXIT_USAGE)
    if args.action == "list" and args.key:
        return _fail(f"unexpected {args.key!r}: did you mean 'scheduled cancel {args.key}'?", EXIT_USAGE)
    try:
        hub_url, token = hub_and_token(args)
    except ValueError as exc:
        return _fail(str(exc), EXIT_USAGE)
    try:
        ssl = tls.client_ssl(args.ca_file, args.fingerprint)
        if args.action == "cancel":
            url = f"{hub_url}/api/scheduled/{quote(args.key, safe='')}"
            answer = asyncio.run(call("DELETE", url, token, ssl, args.timeout))
            n = answer.get("cancelled", 0)
            print(f"cancelled {n} scheduled notification{'' if n == 1 else 's'} with key {args.key}")
            return 0
        answer = asyncio.run(call("GET", f"{hub_url}/api/scheduled", token, ssl, args.timeout))
        pending = answer.get("scheduled", [])
        for item in pending:
            print(listed(item))
        if not pending:
            print("no scheduled notifications pending")
    except (FingerprintError, ConfigError, SendFailed, aiohttp.ClientError, TimeoutError) as exc:
        return failed(exc, hub_url, args)
    return 0


def _fail(message: str, status: int) -> int:
    print(f"notify-hub: {message}", file=sys.stderr)
    return status
