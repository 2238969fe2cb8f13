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
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from hub import __version__, backup_cli, logs, send_cli, tls_cli
from hub.accounts import Accounts
from hub.backup import BackupError
from hub.config import FIELDS, CannotListen, ConfigError, HubConfig, env_name, field_type_name, load_config
from hub.errors import HubError, NotFound
from hub.portcheck import port_in_use_text
from hub.protocol import NAME_PATTERN, ROOM_PATTERN, LabelText, describe_validation_error
from hub.store import TokenInfo, TokenKind
from hub.store.base import SchemaTooNew
from hub.store.factory import create_store
from hub.store.sqlite.inuse import StoreInUse
from hub.store.urls import redact_url

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
  notify-hub tls self-signed --host hub.lan             a certificate for --tls-cert/--tls-key
  notify-hub backup /backup/hub.sqlite3    copy the store while the hub runs
"""


def _add_common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="notify-hub",
        description="lan-notify hub: real-time notifications for a LAN (server and admin commands).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"lan-notify {__version__}")
    _add_common(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = commands.add_parser("serve", help="run the hub in the foreground (Ctrl+C stops it cleanly)")
    _add_common(serve, suppress=True)
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

    user = commands.add_parser("user", help="manage users").add_subparsers(dest="action", required=True)
    add = user.add_parser(
        "add", help="create a user (prints a generated password unless --password-stdin or --no-password)"
    )
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help="may send to everyone, announce and send type system")
    how = add.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    how.add_argument(
        "--no-password",
        action="store_true",
        help="no password: the user signs in with device tokens only (e.g. a script's account; passwd gives one)",
    )
    user.add_parser("list", help="list users")
    remove = user.add_parser("remove", help="delete a user, their tokens and stored notifications")
    remove.add_argument("name")
    passwd = user.add_parser(
        "passwd",
        help="set a new password (prints a generated one unless --password-stdin) and revoke the user's device "
        "tokens, signing out every device, unless --keep-tokens",
        description="Set a new password. The user's device tokens (what signing in with a password gives a "
        "device) are revoked as well: a running hub disconnects those devices, which sign in again with the new "
        "password. Send-only tokens (made by an admin for scripts) are kept and listed.",
    )
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    passwd.add_argument(
        "--keep-tokens", action="store_true", help="leave the user's device tokens valid (their devices stay signed in)"
    )

    token = commands.add_parser("token", help="manage device tokens").add_subparsers(dest="action", required=True)
    create = token.add_parser("create", help="create a device token and print it (shown only once)")
    create.add_argument("name", help="the user the token belongs to")
    create.add_argument("--label", default="", help="what the token is for, e.g. 'laptop' or 'ci'")
    create.add_argument(
        "--send-only", action="store_true", help="the token can send (HTTP API) but not connect to receive"
    )
    tlist = token.add_parser("list", help="list a user's tokens (never the secrets)")
    tlist.add_argument("name")
    revoke = token.add_parser("revoke", help="revoke a token; its live sessions are disconnected")
    revoke.add_argument("id", type=int)

    room = commands.add_parser("room", help="manage rooms").add_subparsers(dest="action", required=True)
    rcreate = room.add_parser(
        "create",
        help="create a room; with --members it is restricted to them. A room a user made by joining is taken "
        "over: it becomes an admin's room (with --members, only they stay in it)",
    )
    rcreate.add_argument("name")
    rcreate.add_argument("--members", default="", help="comma-separated user names; makes the room restricted")
    room.add_parser("list", help="list rooms")
    rremove = room.add_parser("remove", help="delete a room")
    rremove.add_argument("name")

    store_commands = [sub for group in (user, token, room) for sub in group.choices.values()]
    for sub in [*store_commands, *backup_cli.add_parsers(commands)]:
        _add_common(sub, suppress=True)
        sub.add_argument(
            "--database",
            default=None,
            help=f"PostgreSQL URL of a shared store (env {env_name('database')}; default: SQLite in the data dir)",
        )
    send_cli.add_parser(commands)
    tls_cli.add_parser(commands)
    return parser


def _read_password(from_stdin: bool) -> str | None:
    if not from_stdin:
        return None
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise SystemExit("notify-hub: no password on standard input")
    return line


def _config(args: argparse.Namespace) -> HubConfig:
    overrides: dict[str, Any] = {"data_dir": args.data_dir}
    if args.command != "serve":
        overrides["database"] = args.database
    else:
        overrides.update({name: getattr(args, name) for name in FIELDS if name != "data_dir"})
    return load_config(config_file=args.config, overrides=overrides)


async def _with_accounts(config: HubConfig, action: Callable[[Accounts], Awaitable[int]]) -> int:
    store = create_store(config)
    await store.open()
    try:
        return await action(Accounts(store))
    finally:
        await store.close()


def _check_name(name: str, pattern: str, what: str) -> None:
    import re

    if not re.fullmatch(pattern, name):  # `$` alone lets a trailing line break through
        raise SystemExit(
            f"notify-hub: {name!r} is not a valid {what} name "
            "(letters, digits and . _ - after the first character; at most 64)"
        )


async def _user(args: argparse.Namespace, accounts: Accounts) -> int:
    if args.action == "add":
        _check_name(args.name, NAME_PATTERN, "user")
        user, generated = await accounts.add_user(
            args.name, _read_password(args.password_stdin), admin=args.admin, token_only=args.no_password
        )
        tokens_only = " (no password: it signs in with device tokens only)" if args.no_password else ""
        print(f"created {'admin' if user.admin else 'user'} {user.name}{tokens_only}", file=sys.stderr)
        if generated:
            print("generated password (shown once):", file=sys.stderr)
            print(generated)
    elif args.action == "list":
        for user in await accounts.store.list_users():
            flags = ["admin"] if user.admin else []
            if not user.has_password:
                flags.append("no password")
            print(f"{user.name}\t{', '.join(flags)}".rstrip())
    elif args.action == "remove":
        if not await accounts.store.remove_user(args.name):
            raise NotFound(f"there is no user named {args.name!r}")
        print(f"removed {args.name}; their devices are disconnected", file=sys.stderr)
    elif args.action == "passwd":
        generated = await accounts.set_password(args.name, _read_password(args.password_stdin))
        print(f"password changed for {args.name}", file=sys.stderr)
        _tell_tokens(args.name, None if args.keep_tokens else await accounts.revoke_device_tokens(args.name))
        if generated:
            print(generated)
    return 0


def _tell_tokens(name: str, outcome: tuple[list[TokenInfo], list[TokenInfo]] | None) -> None:
    """What `user passwd` did to the user's tokens (None: --keep-tokens)."""
    if outcome is None:
        print(f"device tokens of {name} kept (--keep-tokens): their devices stay signed in", file=sys.stderr)
        return
    revoked, kept = outcome
    line = f"revoked {len(revoked)} device token{'' if len(revoked) == 1 else 's'} of {name}"
    if revoked:
        ids = ", ".join(str(t.id) for t in revoked)
        line += f" ({ids}): a running hub disconnects those devices; they sign in again with the new password"
    print(line, file=sys.stderr)
    if kept:
        listed = ", ".join(f"{t.id} ({t.label or 'no label'})" for t in kept)
        print(f"kept send-only tokens {listed}; revoke one with: notify-hub token revoke ID", file=sys.stderr)


def _check_label(label: str) -> None:
    try:
        TypeAdapter(LabelText).validate_python(label)
    except ValidationError as exc:
        raise SystemExit(f"notify-hub: --label: {describe_validation_error(exc)[1]}") from None


async def _token(args: argparse.Namespace, accounts: Accounts) -> int:
    if args.action == "create":
        _check_label(args.label)
        kind = TokenKind.SEND if args.send_only else TokenKind.DEVICE
        issued = await accounts.issue_token(args.name, args.label, kind)
        print(
            f"{'send-only ' if args.send_only else ''}token {issued.info.id} for {issued.user.name} "
            f"({args.label or 'no label'}); "
            "store it now, it is not shown again:",
            file=sys.stderr,
        )
        print(issued.secret)
    elif args.action == "list":
        user = await accounts.user(args.name)
        print("id\tkind\tlabel\tcreated\tlast used\tstate")
        for t in await accounts.store.list_tokens(user.id):
            state = "revoked" if t.revoked else "active"
            print(f"{t.id}\t{t.kind.value}\t{t.label or '-'}\t{t.created_at}\t{t.last_used_at or '-'}\t{state}")
    elif args.action == "revoke":
        info = await accounts.store.revoke_token(args.id)
        if info is None:
            raise NotFound(f"there is no token with id {args.id}")
        print(f"revoked token {info.id}; a running hub disconnects its sessions within a second", file=sys.stderr)
    return 0


async def _room(args: argparse.Namespace, accounts: Accounts) -> int:
    store = accounts.store
    if args.action == "create":
        _check_name(args.name, ROOM_PATTERN, "room")
        names = [n.strip() for n in args.members.split(",") if n.strip()]
        members = [(await accounts.user(name)).id for name in names]
        before = await store.get_room(args.name)
        room = await store.create_room(args.name, restricted=bool(names), members=members)
        kind = f"restricted to {', '.join(room.members)}" if room.restricted else "open"
        if before is not None and before.made_by is not None:
            print(
                f"took over room {room.name}, made by {before.made_by} by joining: it is now an admin's room ({kind})",
                file=sys.stderr,
            )
        else:
            print(f"created room {room.name} ({kind})", file=sys.stderr)
    elif args.action == "list":
        for room in await store.list_rooms():
            kind = "restricted" if room.restricted else "open"
            if room.made_by is not None:
                kind += f" (made by {room.made_by} by joining)"
            print(f"{room.name}\t{kind}\t{', '.join(room.members) or '-'}")
    elif args.action == "remove":
        if not await store.remove_room(args.name):
            raise NotFound(f"there is no room named {args.name!r}")
        print(f"removed room {args.name}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in ("send", "tls"):
        status: int = args.run(args)
        return status
    try:
        config = _config(args)
    except ConfigError as exc:
        parser.error(str(exc))
    stop_logging = logs.configure(config.log_level, config.log_format)
    try:
        if args.command == "serve":
            if args.print_config:
                for name in FIELDS:
                    value = getattr(config, name)
                    shown = redact_url(value) if name in ("database", "redis") else value
                    print(f"{name} = {shown!r}")
                return 0
            from hub.runtime import loop_factory
            from hub.server import serve

            with asyncio.Runner(loop_factory=loop_factory()) as runner:
                runner.run(serve(config))
            return 0
        if args.command in ("backup", "restore"):
            done: int = args.run(args, config)
            return done
        handler = {"user": _user, "token": _token, "room": _room}[args.command]
        return asyncio.run(_with_accounts(config, lambda accounts: handler(args, accounts)))
    except HubError as exc:
        print(f"notify-hub: {exc.message}", file=sys.stderr)
        return 1
    except (
        ConfigError,
        SchemaTooNew,
        StoreInUse,
        BackupError,
    ) as exc:  # e.g. TLS files that cannot be used, found when the hub starts
        print(f"notify-hub: {exc}", file=sys.stderr)
        return 2
    except CannotListen as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"notify-hub: {port_in_use_text(config.port)}", file=sys.stderr)
        else:
            print(f"notify-hub: cannot listen on {config.host}:{config.port}: {exc.strerror}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as exc:  # the data directory or the database file cannot be used
        print(f"notify-hub: cannot use the data directory {config.data_dir}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        stop_logging()
