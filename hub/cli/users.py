"""`notify-hub user add | list | remove | passwd`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from hub.auth import Accounts
from hub.cli.common import check_name, read_password
from hub.errors import NotFound
from hub.protocol import NAME_PATTERN
from hub.store import TokenInfo


def add_parser(commands: Any) -> Any:
    """The `user` command's actions (the caller adds the options every store command takes)."""
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
    return user


async def run(args: argparse.Namespace, accounts: Accounts) -> int:
    if args.action == "add":
        check_name(args.name, NAME_PATTERN, "user")
        user, generated = await accounts.add_user(
            args.name, read_password(args.password_stdin), admin=args.admin, token_only=args.no_password
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
        generated = await accounts.set_password(args.name, read_password(args.password_stdin))
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
