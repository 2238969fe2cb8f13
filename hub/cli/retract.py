"""`notify-hub retract`: withdraw what you sent with a key, from every device (for scripts and CI jobs).

    notify-hub retract --key build-119 --to alice
    notify-hub retract --key deploy --room ops

The notification goes from every recipient's devices and history (a device that is offline is told
when it comes back). Only the account that sent a key may retract it. Token and hub options are
those of `notify-hub send`. Exit status: 0 retracted; 1 the hub refused (e.g. you sent nothing
with that key to that addressee); 2 usage; 3 the hub could not be reached or trusted.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp

from hub import tls
from hub.cli.send import EXIT_USAGE, _fail, add_connection_options, call, failed, hub_and_token
from hub.errors import ConfigError, FingerprintError, SendFailed


def add_parser(commands: Any) -> None:
    retract = commands.add_parser(
        "retract",
        help="withdraw a notification you sent with --key, from every device",
        description=(__doc__ or "").replace("`", ""),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    retract.add_argument("--key", required=True, help="the key it was sent with (notify-hub send --key)")
    target = retract.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", metavar="USER", help="it was sent to this user")
    target.add_argument("--room", metavar="ROOM", help="it was sent to this room")
    target.add_argument("--everyone", action="store_true", help="it was sent to everyone")
    add_connection_options(retract)
    retract.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        hub_url, token = hub_and_token(args)
    except ValueError as exc:
        return _fail(str(exc), EXIT_USAGE)
    where = {"to": args.to} if args.to else {"room": args.room} if args.room else {"everyone": "true"}
    url = f"{hub_url}/api/notifications/keys/{quote(args.key, safe='')}?{urlencode(where)}"
    try:
        ssl = tls.client_ssl(args.ca_file, args.fingerprint)
        answer = asyncio.run(call("DELETE", url, token, ssl, args.timeout))
    except (FingerprintError, ConfigError, SendFailed, aiohttp.ClientError, TimeoutError) as exc:
        return failed(exc, hub_url, args)
    gone = ", ".join(str(i) for i in answer.get("retracts", [])) or "nothing stored"
    print(f"retracted {args.key} ({gone}) on {answer.get('recipients', 0)} recipients' devices", flush=True)
    return 0
