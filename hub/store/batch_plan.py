"""What storing a batch of new notifications writes, worked out once for both backends.

A backend stores a batch in three steps: it takes its writer's lock and reads `prev`, the newest
id given; it looks up what `plan_lookups` asks for (every user's id, each room's members, once
per batch); then `plan_batch` gives the rows to write and what the batch becomes once committed.
Pure: no I/O, so it is tested without a database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any, NamedTuple

from hub.protocol import Kind, Notification
from hub.store.base import LIVE_ONLY, TO_AUDIENCE, TO_EVERYONE, NewNotification, Stored, StoredBatch
from hub.store.edits import key_columns, retract_to_everyone
from hub.store.rows import plain_notification
from hub.store.schema import DIRECT_FIXED, DIRECT_ROW, NOTIFICATION_ROW


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
    #: `notifications` rows, in `schema.NOTIFICATION_ROW` order, but for plain direct notifications.
    rows: list[tuple[Any, ...]]
    #: Plain direct notifications' rows, in `schema.DIRECT_ROW` order (`every_row` gives all in full).
    direct: list[tuple[Any, ...]]
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
    stored: the plain direct notification (no key, to one user) takes the shortest way through, its
    row in `direct` with only the columns that vary, its model built without validating again when
    it has nothing rich."""
    rows: list[tuple[Any, ...]] = []
    direct: list[tuple[Any, ...]] = []
    inbox: list[tuple[int, int]] = []
    items: list[Stored] = []
    add_row, add_direct, add_inbox, add_item = rows.append, direct.append, inbox.append, items.append
    to_all = tuple(everyone)
    nid = prev
    for n in new:
        nid += 1
        kind = n.kind
        rich = n.rich
        to_user = n.to_user_id
        if kind is _DIRECT and n.key is None and to_user is not None and n.room is None:
            recipients: tuple[int, ...] = (to_user,)
            add_direct((nid, n.type.value, n.title, n.message, n.sender, n.timestamp, _rich_json(rich), n.sender_id))
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
    return BatchPlan(rows, direct, inbox, StoredBatch(prev=prev, head=nid, items=items))


def every_row(plan: BatchPlan) -> list[tuple[Any, ...]]:
    """Every `notifications` row of `plan` in full (`schema.NOTIFICATION_ROW` order), by id: for a
    backend that writes whole rows (PostgreSQL's COPY) and for tests."""
    full = [tuple(padded[i] for i in _FROM_DIRECT) for padded in ((*d, *_FIXED) for d in plan.direct)]
    return sorted([*plan.rows, *full], key=itemgetter(0))


_FIXED = tuple(DIRECT_FIXED.values())
#: Where each of `NOTIFICATION_ROW`'s columns is in a `DIRECT_ROW` followed by `DIRECT_FIXED`'s values.
_FROM_DIRECT = tuple((*DIRECT_ROW, *DIRECT_FIXED).index(column) for column in NOTIFICATION_ROW)
_DIRECT = Kind.DIRECT


def _rich_json(rich: dict[str, Any] | None) -> str | None:
    return json.dumps(rich, separators=(",", ":")) if rich else None
