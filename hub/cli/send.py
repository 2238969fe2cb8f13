"""`notify-hub send`: send one notification over the HTTP API (for scripts, CI jobs and cron).

    notify-hub send --hub URL --to alice --type error --title CI "Build failed"
    echo "Disk full" | notify-hub send --room ops -
    notify-hub send --to alice --priority high --view "Pipeline=https://ci.lan/118" \
        --respond Approve --respond Reject --wait 10m "Deploy 2.14 to prod?"
    notify-hub send --room dev --in 30m --key standup "Stand-up in 5 minutes"

The token comes from `--token`, else `LAN_NOTIFY_TOKEN`, else the keyring entry the tray app made
(service `lan-notify`, user name `USER@HUB_URL`). Exit status: 0 sent; 1 the hub refused (its
message is printed); 2 usage (no token, bad options); 3 the hub could not be reached or its
certificate could not be trusted; 4 (`--wait`, `--wait-seen`) nobody answered or saw it in time. With
`--in` or `--at` the hub stores it and delivers it then (`notify-hub scheduled` lists what is pending).

With `--wait`, the first answer is printed as `NAME: LABEL` once someone presses one of the
`--respond` buttons, and the exit status is 0. With `--receipt --wait-seen 5m` ("did on-call see
the page?"), `seen by NAME` is printed once an addressee's client showed it or they marked it read
(`seen by 1 of 12` when the receipts give counts only), and the exit status is 0.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
import threading
from pathlib import Path
from typing import Any

import aiohttp

from hub import tls
from hub.auth import KEYRING_SERVICE, keyring_user
from hub.cli.later import add_schedule_options, schedule_fields, scheduled_line
from hub.cli.wait import duration, first_answer, first_seen, shown
from hub.errors import ConfigError, FingerprintError, SendFailed
from hub.protocol import NotificationType

DEFAULT_HUB = "http://127.0.0.1:8765"
EXIT_REFUSED, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_NO_ANSWER = 1, 2, 3, 4


def add_parser(commands: Any) -> None:
    send = commands.add_parser(
        "send",
        help="send a notification over the hub's HTTP API (token: --token, LAN_NOTIFY_TOKEN or the keyring)",
        description=(__doc__ or "").replace("`", ""),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    send.add_argument("message", help="the message text; - reads it from standard input")
    target = send.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", metavar="USER", help="send to this user (all their devices)")
    target.add_argument("--room", metavar="ROOM", help="send to the members of this room")
    target.add_argument("--everyone", action="store_true", help="send to everyone (admins only)")
    send.add_argument("--type", choices=[t.value for t in NotificationType], help="default: message (info for all)")
    send.add_argument("--title", default="", help="a one-line title")
    send.add_argument(
        "--priority", help="min, low, default, high or urgent (or ntfy's max and 1-5); how insistently it shows"
    )
    send.add_argument("--click", metavar="URL", help="an http, https or mailto URL opened when it is clicked")
    send.add_argument(
        "--view",
        action="append",
        default=[],
        metavar="LABEL=URL",
        help="a button that opens URL (repeatable; at most 3 buttons in all)",
    )
    send.add_argument(
        "--respond",
        action="append",
        default=[],
        metavar="LABEL",
        help="a button whose answer goes back to you, e.g. Approve (repeatable; see --wait)",
    )
    send.add_argument("--reply", action="store_true", help="a Reply button that opens a reply to you")
    send.add_argument("--markdown", action="store_true", help="the message is Markdown (a safe subset)")
    send.add_argument(
        "--wait",
        type=duration,
        metavar="DURATION",
        help="after sending, wait this long (30s, 10m, 2h) for the first answer to a --respond button: "
        "print it and exit 0, or exit 4 when nobody answered",
    )
    send.add_argument(
        "--key",
        metavar="KEY",
        help="a key (e.g. build-119): a later send with the same key to the same addressee replaces this one "
        "on every device (or a scheduled one still waiting), notify-hub retract withdraws it, and "
        "notify-hub scheduled cancel KEY cancels it while it waits",
    )
    send.add_argument(
        "--receipt",
        action="store_true",
        help="ask for receipts: your devices are told when it is delivered and seen (see --wait-seen)",
    )
    send.add_argument(
        "--wait-seen",
        type=duration,
        metavar="DURATION",
        help="with --receipt: wait this long (30s, 5m) until an addressee has seen it: print who and exit 0, "
        "or exit 4 when nobody saw it in time",
    )
    add_schedule_options(send)
    add_connection_options(send)
    send.set_defaults(run=run)


def add_connection_options(parser: Any) -> None:
    """The options that say which hub to talk to and how: --hub, --token, --user, --ca-file or
    --fingerprint, --timeout (shared by `send` and `retract`)."""
    parser.add_argument(
        "--hub",
        metavar="URL",
        default=os.environ.get("LAN_NOTIFY_HUB", DEFAULT_HUB),
        help=f"the hub's URL (env LAN_NOTIFY_HUB; default {DEFAULT_HUB})",
    )
    parser.add_argument("--token", help="a device or send-only token (else env LAN_NOTIFY_TOKEN, else the keyring)")
    parser.add_argument(
        "--user",
        default=os.environ.get("LAN_NOTIFY_USER"),
        help="whose keyring entry to use (env LAN_NOTIFY_USER; default: your login name)",
    )
    trust = parser.add_mutually_exclusive_group()
    trust.add_argument(
        "--ca-file", type=Path, metavar="FILE", help="trust the hub's certificate through this CA/certificate file"
    )
    trust.add_argument(
        "--fingerprint",
        metavar="SHA256",
        help="pin the hub's certificate: its SHA-256 fingerprint (notify-hub tls self-signed)",
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, metavar="SECONDS", help="seconds to wait for the hub (default 10)"
    )


def keyring_token(user: str, hub_url: str, timeout: float = 5.0) -> str | None:
    """The tray app's token for USER@HUB_URL, if keyring is installed and answers within `timeout`."""
    try:
        import keyring
    except ImportError:
        return None
    found: list[str | None] = []

    def look() -> None:
        try:
            found.append(keyring.get_password(KEYRING_SERVICE, keyring_user(hub_url, user)))
        except Exception:  # no backend, locked, no D-Bus: same as "no entry"
            found.append(None)

    # A locked keyring can wait forever on a password prompt: never let it hang a script.
    worker = threading.Thread(target=look, daemon=True)
    worker.start()
    worker.join(timeout)
    return found[0] if found else None


async def post(url: str, token: str, body: dict[str, Any], ssl: Any, timeout: float) -> dict[str, Any]:
    return await call("POST", url + "/api/notifications", token, ssl, timeout, body=body, ok=201)


async def call(
    method: str, url: str, token: str, ssl: Any, timeout: float, *, body: Any = None, ok: int = 200
) -> dict[str, Any]:
    """One request to the hub's HTTP API; its JSON answer, or SendFailed with the hub's words."""
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as http,
        http.request(method, url, json=body, headers=headers, ssl=ssl) as response,
    ):
        try:
            answer = await response.json(content_type=None)
        except ValueError:
            answer = None
        if response.status in (ok, 202) and isinstance(answer, dict):  # 202: a send scheduled for later
            return answer
        error = answer.get("error") if isinstance(answer, dict) else None
        if isinstance(error, dict) and "message" in error:
            raise SendFailed(f"{error['message']} ({error.get('code')}, HTTP {response.status})", response.status)
        raise SendFailed(f"the hub answered HTTP {response.status} {response.reason}", response.status)


def run(args: argparse.Namespace) -> int:
    try:
        hub_url, token = hub_and_token(args)
    except ValueError as exc:
        return _fail(str(exc), EXIT_USAGE)
    message = sys.stdin.read().rstrip("\r\n") if args.message == "-" else args.message
    body: dict[str, Any] = {"message": message, "title": args.title}
    if args.type:
        body["type"] = args.type
    try:
        body.update(rich_fields(args))
        body.update(schedule_fields(args))
    except ValueError as exc:
        return _fail(str(exc), EXIT_USAGE)
    if args.wait is not None and not args.respond:
        return _fail("--wait needs at least one --respond button to wait for", EXIT_USAGE)
    if args.wait_seen is not None and not args.receipt:
        return _fail("--wait-seen needs --receipt", EXIT_USAGE)
    if args.receipt:
        body["receipt"] = True
    if args.key:
        body["key"] = args.key
    if args.to:
        body["to"] = args.to
    elif args.room:
        body["room"] = args.room
    else:
        body["everyone"] = True
    try:
        ssl = tls.client_ssl(args.ca_file, args.fingerprint)
        answer = asyncio.run(post(hub_url, token, body, ssl, args.timeout))
        if answer.get("scheduled"):
            print(scheduled_line(answer), flush=True)
            return 0
        n = answer.get("recipients", 0)
        print(f"sent notification {answer.get('id')} to {n} recipient{'' if n == 1 else 's'}", flush=True)
        if args.wait is not None:
            first = asyncio.run(first_answer(hub_url, token, int(answer["id"]), ssl, args.wait, args.timeout))
            if first is None:
                return _fail(f"nobody answered within {shown(args.wait)}", EXIT_NO_ANSWER)
            print(f"{first['from']}: {first['label']}")
        if args.wait_seen is not None:
            seen = asyncio.run(first_seen(hub_url, token, int(answer["id"]), ssl, args.wait_seen, args.timeout))
            if seen is None:
                return _fail(f"nobody saw it within {shown(args.wait_seen)}", EXIT_NO_ANSWER)
            print(f"seen by {seen}")
    except (FingerprintError, ConfigError, SendFailed, aiohttp.ClientError, TimeoutError) as exc:
        return failed(exc, hub_url, args)
    return 0


def hub_and_token(args: argparse.Namespace) -> tuple[str, str]:
    """The hub's URL and the token to use, from the connection options; ValueError: a usage error."""
    hub_url = str(args.hub).rstrip("/")
    if not hub_url.startswith(("http://", "https://")):
        raise ValueError(f"--hub must be an http:// or https:// URL, not {args.hub!r}")
    if (args.fingerprint or args.ca_file) and not hub_url.startswith("https://"):
        raise ValueError("--fingerprint and --ca-file need an https:// hub URL")
    token = args.token or os.environ.get("LAN_NOTIFY_TOKEN") or keyring_token(args.user or _login_name(), hub_url)
    if not token:
        raise ValueError(
            "no token: pass --token, set LAN_NOTIFY_TOKEN, or sign in with the tray app "
            "(make one with: notify-hub token create NAME --send-only)"
        )
    return hub_url, token


def failed(exc: Exception, hub_url: str, args: argparse.Namespace) -> int:
    """Say why talking to the hub failed; the exit status."""
    if isinstance(exc, FingerprintError | ConfigError):
        return _fail(str(exc), EXIT_USAGE)
    if isinstance(exc, SendFailed):
        return _fail(exc.message, EXIT_REFUSED)
    if isinstance(exc, aiohttp.ServerFingerprintMismatch):
        got = ":".join(f"{b:02X}" for b in exc.got)
        return _fail(
            f"refusing to send: the hub's certificate has fingerprint {got}, not the pinned {args.fingerprint}",
            EXIT_UNREACHABLE,
        )
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return _fail(
            f"refusing to send: cannot verify the hub's certificate ({exc.certificate_error}); "
            "pass --ca-file or --fingerprint",
            EXIT_UNREACHABLE,
        )
    if isinstance(exc, aiohttp.ClientError):
        return _fail(f"cannot reach the hub at {hub_url}: {exc}", EXIT_UNREACHABLE)
    return _fail(f"the hub at {hub_url} did not answer within {args.timeout:g} s", EXIT_UNREACHABLE)


def rich_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The rich fields of a send from the options (the hub validates them; ValueError: a --view
    without `=`)."""
    out: dict[str, Any] = {}
    if args.priority:
        out["priority"] = args.priority
    if args.click:
        out["click"] = args.click
    actions: list[dict[str, str]] = []
    for view in args.view:
        label, sep, url = view.partition("=")
        if not sep:
            raise ValueError(f"--view takes LABEL=URL, not {view!r}")
        actions.append({"action": "view", "label": label, "url": url})
    actions += [{"action": "respond", "label": label} for label in args.respond]
    if args.reply:
        actions.append({"action": "reply"})
    if actions:
        out["actions"] = actions
    if args.markdown:
        out["format"] = "markdown"
    return out


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment and no passwd entry (containers)
        return ""


def _fail(message: str, status: int) -> int:
    print(f"notify-hub: {message}", file=sys.stderr)
    return status
