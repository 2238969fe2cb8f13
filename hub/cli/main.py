"""`notify-hub`: run the hub and administer its users, device tokens and rooms.

Admin commands work on the store directly, so they work whether or not the hub is running; a
running hub notices revoked tokens within a second and disconnects their sessions.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import sqlite3
import sys
from collections.abc import Sequence

from hub import __version__, logs
from hub.cli import backup, retract, rooms, scheduled, send, serve, tls, tokens, users
from hub.cli.common import add_common, effective_config, with_accounts
from hub.config import env_name
from hub.errors import CannotListen, ConfigError, RequestError, StoreError
from hub.portcheck import port_in_use_text

log = logging.getLogger("hub")

EXAMPLES = """\
examples:
  notify-hub serve                         start the hub on 127.0.0.1:8765
  notify-hub serve --host 0.0.0.0          ... reachable from the LAN
  notify-hub user add alice --admin        create an admin (prints a generated password)
  notify-hub token create alice --label ci print a new device token for alice
  notify-hub room create ops --members alice,bob
  notify-hub user add ci --no-password     an account for scripts: device tokens only
  notify-hub token create ci --send-only --label ci      a token that can only send (for scripts)
  notify-hub send --to alice --title CI "Build failed"   send over HTTP (token: LAN_NOTIFY_TOKEN)
  notify-hub send --to alice --key build-119 "Build 119 passed"   replaces what that key said before
  notify-hub retract --key build-119 --to alice         withdraw it from alice's devices and history
  notify-hub send --room dev --in 30m --key standup "Stand-up"   deliver it in 30 minutes
  notify-hub tls self-signed --host hub.lan             a certificate for --tls-cert/--tls-key
  notify-hub backup /backup/hub.sqlite3    copy the store while the hub runs
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="notify-hub",
        description="lan-notify hub: real-time notifications for a LAN (server and admin commands).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"lan-notify {__version__}")
    add_common(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve.add_parser(commands)
    groups = [users.add_parser(commands), tokens.add_parser(commands), rooms.add_parser(commands)]
    store_commands = [sub for group in groups for sub in group.choices.values()]
    for sub in [*store_commands, *backup.add_parsers(commands)]:
        add_common(sub, suppress=True)
        sub.add_argument(
            "--database",
            default=None,
            help=f"PostgreSQL URL of a shared store (env {env_name('database')}; default: SQLite in the data dir)",
        )
    send.add_parser(commands)
    retract.add_parser(commands)
    scheduled.add_parser(commands)
    tls.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in ("send", "retract", "tls", "scheduled"):
        status: int = args.run(args)
        return status
    try:
        config = effective_config(args)
    except ConfigError as exc:
        parser.error(str(exc))
    stop_logging = logs.configure(config.log_level, config.log_format)
    try:
        if args.command == "serve":
            return serve.run(args, config)
        if args.command in ("backup", "restore"):
            done: int = args.run(args, config)
            return done
        handler = {"user": users.run, "token": tokens.run, "room": rooms.run}[args.command]
        return asyncio.run(with_accounts(config, lambda accounts: handler(args, accounts)))
    # The error tree (hub/errors.py) mapped to exit codes: a refused request is 1, a setting, a port
    # or a store that cannot be used is 2.
    except RequestError as exc:
        print(f"notify-hub: {exc.message}", file=sys.stderr)
        return 1
    except CannotListen as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"notify-hub: {port_in_use_text(config.port)}", file=sys.stderr)
        else:
            print(f"notify-hub: cannot listen on {config.host}:{config.port}: {exc.strerror}", file=sys.stderr)
        return 2
    except (ConfigError, StoreError) as exc:  # e.g. TLS files found unusable as the hub starts; a store in use
        print(f"notify-hub: {exc}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as exc:  # outside the store: the data directory a backup or restore uses
        print(f"notify-hub: cannot use the data directory {config.data_dir}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        stop_logging()
