"""`notify-hub token create | list | revoke`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pydantic import TypeAdapter, ValidationError

from hub.auth import Accounts
from hub.errors import NotFound
from hub.protocol import LabelText
from hub.store import TokenKind
from hub.validation import describe_validation_error


def add_parser(commands: Any) -> Any:
    """The `token` command's actions (the caller adds the options every store command takes)."""
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
    return token


def _check_label(label: str) -> None:
    try:
        TypeAdapter(LabelText).validate_python(label)
    except ValidationError as exc:
        raise SystemExit(f"notify-hub: --label: {describe_validation_error(exc)[1]}") from None


async def run(args: argparse.Namespace, accounts: Accounts) -> int:
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
