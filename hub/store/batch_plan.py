"""What storing a batch of new notifications writes, worked out once for both backends.

A backend stores a batch in three steps: it takes its writer's lock and reads `prev`, the newest
id given; it looks up what `plan_lookups` asks for (every user's id, each room's members, once
per batch); then `plan_batch` gives the rows to write and what the batch becomes once committed.
Pure: no I/O, so it is tested without a database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from hub.protocol import Kind, Notification
from hub.store.base import LIVE_ONLY, TO_AUDIENCE, TO_EVERYONE, NewNotification, Stored, StoredBatch
from hub.store.edits import key_columns, retract_to_everyone
from hub.store.rows import plain_notification


class Lookups(NamedTuple):
    #: Whether the batch holds a notification to everyone (then every user's id is needed).
    everyone: bool
    #: The rooms whose members the batch goes to, by name, sorted.
    rooms: list[str]
    #: Whether a draft has a key or answers a button: then the store runs `edits.prepare`.
    edits: bool = False
    #: The scheduled sends the batch fires (their rows go in the batch's transaction).
    fired: tuple[int, ...] = ()


class BatchPlan(NamedTuple):
    #: `notifications` rows, in `schema.NOTIFICATION_ROW` order.
    rows: list[tuple[Any, ...]]
    #: `inbox` rows: `(user_id, notification_id)`.
    inbox: list[tuple[int, int]]
    #: What the batch is once the rows are committed: ids `(prev, head]`, in order.
    batch: StoredBatch


def plan_lookups(new: Sequence[NewNotification]) -> Lookups:
    """What the store must look up, or do first, to store `new`: one pass over the batch, which
    holds up to thousands of plain directs that need nothing."""
    everyone = keyed = False
    rooms: set[str] = set()
    fired: list[int] = []
    for n in new:
        kind = n.kind
        if n.key is not None or kind is Kind.RESPONSE:
            keyed = True
        if n.schedule_id is not None:
            fired.append(n.schedule_id)
        if kind is Kind.DIRECT or kind in TO_AUDIENCE:
            continue
        if kind in TO_EVERYONE or retract_to_everyone(n):
            everyone = True
        elif n.room is not None:
            rooms.add(n.room)
    return Lookups(everyone=everyone, rooms=sorted(rooms), edits=keyed, fired=tuple(fired))


def plan_batch(
    new: Sequence[NewNotification], prev: int, everyone: Sequence[int], members: Mapping[str, Sequence[int]]
) -> BatchPlan:
    """The rows that store `new` with ids after `prev`. `everyone` is every user's id and `members`
    each room's members (as `plan_lookups` asked), both by ascending user id: recipients come out in
    that order. A notice (`about_user_id`) is not for the user it is about.

    It runs on the store's thread, holding the GIL the event loop wants, once per notification
    stored: the plain direct notification (no key, nothing rich) takes the shortest way through."""
    rows: list[tuple[Any, ...]] = []
    inbox: list[tuple[int, int]] = []
    items: list[Stored] = []
    add_row, add_inbox, add_item = rows.append, inbox.append, items.append
    to_all = tuple(everyone)
    nid = prev
    for n in new:
        nid += 1
        kind = n.kind
        rich = n.rich
        to_user = n.to_user_id
        if kind is _DIRECT and n.key is None and to_user is not None:
            recipients: tuple[int, ...] = (to_user,)
            add_row(
                (nid, "direct", n.type.value, n.title, n.message, n.sender, n.room, n.timestamp, False,
                 _rich_json(rich), n.sender_id, None, None)
            )  # fmt: skip
            add_inbox((to_user, nid))
        else:
            to_everyone = kind in TO_EVERYONE or retract_to_everyone(n)
            if to_everyone:  # one row, whoever the users are: no inbox rows
                recipients = to_all
            elif kind is _DIRECT or (kind is Kind.RETRACT and to_user is not None):
                recipients = (to_user,) if to_user is not None else ()
            elif kind in TO_AUDIENCE:
                recipients = n.audience
            else:
                recipients = tuple(u for u in members.get(n.room or "", ()) if u != n.about_user_id)
            if kind is Kind.RETRACT and not to_everyone:  # also whoever still has what it withdraws
                recipients = tuple(sorted({*recipients, *n.audience}))
            add_row(
                (nid, kind.value, n.type.value, n.title, n.message, n.sender, n.room, n.timestamp, to_everyone,
                 _rich_json(rich), *key_columns(n))
            )  # fmt: skip
            if not to_everyone and kind not in LIVE_ONLY:
                inbox.extend((u, nid) for u in recipients)
        if rich is None:
            note = plain_notification(nid, kind, n.type, n.title, n.message, n.sender, n.room, n.timestamp, n.sender_id)
        else:
            note = Notification(
                id=nid,
                kind=kind,
                type=n.type,
                title=n.title,
                message=n.message,
                sender=n.sender,
                room=n.room,
                timestamp=n.timestamp,
                sender_id=n.sender_id,
                **rich,
            )
        add_item(Stored(note, recipients))
    return BatchPlan(rows, inbox, StoredBatch(prev=prev, head=nid, items=items))


_DIRECT = Kind.DIRECT


def _rich_json(rich: dict[str, Any] | None) -> str | None:
    return json.dumps(rich, separators=(",", ":")) if rich else None
