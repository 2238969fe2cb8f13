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
from hub.cli.send import EXIT_REFUSED, EXIT_UNREACHABLE, EXIT_USAGE, add_connection_options, hub_token
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


async def _ask(method: str, url: str, token: str, ssl: Any, timeout: float) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as http,
        http.request(method, url, headers=headers, ssl=ssl) as response,
    ):
        try:
            answer = await response.json(content_type=None)
        except ValueError:
            answer = None
        if response.status == 200 and isinstance(answer, dict):
            return answer
        error = answer.get("error") if isinstance(answer, dict) else None
        if isinstance(error, dict) and "message" in error:
            raise SendFailed(f"{error['message']} ({error.get('code')}, HTTP {response.status})", response.status)
        raise SendFailed(f"the hub answered HTTP {response.status} {response.reason}", response.status)


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
    hub_url = args.hub.rstrip("/")
    if not hub_url.startswith(("http://", "https://")):
        return _fail(f"--hub must be an http:// or https:// URL, not {args.hub!r}", EXIT_USAGE)
    if args.action == "cancel" and not args.key:
        return _fail("scheduled cancel needs the KEY the sends were scheduled with", EXIT_USAGE)
    if args.action == "list" and args.key:
        return _fail(f"unexpected {args.key!r}: did you mean 'scheduled cancel {args.key}'?", EXIT_USAGE)
    token = hub_token(args, hub_url)
    if not token:
        return _fail("no token: pass --token, set LAN_NOTIFY_TOKEN, or sign in with the tray app", EXIT_USAGE)
    try:
        ssl = tls.client_ssl(args.ca_file, args.fingerprint)
        if args.action == "cancel":
            url = f"{hub_url}/api/scheduled/{quote(args.key, safe='')}"
            answer = asyncio.run(_ask("DELETE", url, token, ssl, args.timeout))
            n = answer.get("cancelled", 0)
            print(f"cancelled {n} scheduled notification{'' if n == 1 else 's'} with key {args.key}")
            return 0
        answer = asyncio.run(_ask("GET", f"{hub_url}/api/scheduled", token, ssl, args.timeout))
        pending = answer.get("scheduled", [])
        for item in pending:
            print(listed(item))
        if not pending:
            print("no scheduled notifications pending")
    except (FingerprintError, ConfigError) as exc:
        return _fail(str(exc), EXIT_USAGE)
    except SendFailed as exc:
        return _fail(exc.message, EXIT_REFUSED)
    except aiohttp.ClientError as exc:
        return _fail(f"cannot reach the hub at {hub_url}: {exc}", EXIT_UNREACHABLE)
    except TimeoutError:
        return _fail(f"the hub at {hub_url} did not answer within {args.timeout:g} s", EXIT_UNREACHABLE)
    return 0


def _fail(message: str, status: int) -> int:
    print(f"notify-hub: {message}", file=sys.stderr)
    return status
