"""`notify-hub room create | list | remove`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from hub.auth import Accounts
from hub.cli.common import check_name
from hub.errors import NotFound
from hub.protocol import ROOM_PATTERN


def add_parser(commands: Any) -> Any:
    """The `room` command's actions (the caller adds the options every store command takes)."""
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
    return room


async def run(args: argparse.Namespace, accounts: Accounts) -> int:
    store = accounts.store
    if args.action == "create":
        check_name(args.name, ROOM_PATTERN, "room")
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
