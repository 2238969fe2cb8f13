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


class Lookups(NamedTuple):
    #: Whether the batch holds a notification to everyone (then every user's id is needed).
    everyone: bool
    #: The rooms whose members the batch goes to, by name, sorted.
    rooms: list[str]


class BatchPlan(NamedTuple):
    #: `notifications` rows, in `schema.NOTIFICATION_ROW` order.
    rows: list[tuple[Any, ...]]
    #: `inbox` rows: `(user_id, notification_id)`.
    inbox: list[tuple[int, int]]
    #: What the batch is once the rows are committed: ids `(prev, head]`, in order.
    batch: StoredBatch


def plan_lookups(new: Sequence[NewNotification]) -> Lookups:
    """What `plan_batch` needs to know about the store to address `new`."""
    everyone = False
    rooms: set[str] = set()
    for n in new:  # one pass: a batch holds up to thousands of directs, which need nothing
        if n.kind is Kind.DIRECT or n.kind in TO_AUDIENCE:
            continue
        if n.kind in TO_EVERYONE or retract_to_everyone(n):
            everyone = True
        elif n.room is not None:
            rooms.add(n.room)
    return Lookups(everyone=everyone, rooms=sorted(rooms))


def plan_batch(
    new: Sequence[NewNotification], prev: int, everyone: Sequence[int], members: Mapping[str, Sequence[int]]
) -> BatchPlan:
    """The rows that store `new` with ids after `prev`. `everyone` is every user's id and `members`
    each room's members (as `plan_lookups` asked), both by ascending user id: recipients come out in
    that order. A notice (`about_user_id`) is not for the user it is about."""
    rows: list[tuple[Any, ...]] = []
    inbox: list[tuple[int, int]] = []
    items: list[Stored] = []
    to_all = tuple(everyone)
    nid = prev
    for n in new:
        nid += 1
        to_everyone = n.kind in TO_EVERYONE or retract_to_everyone(n)
        recipients: tuple[int, ...]
        if to_everyone:  # one row, whoever the users are: no inbox rows
            recipients = to_all
        elif n.kind is Kind.DIRECT or (n.kind is Kind.RETRACT and n.to_user_id is not None):
            recipients = (n.to_user_id,) if n.to_user_id is not None else ()
        elif n.kind in TO_AUDIENCE:
            recipients = n.audience
        else:
            recipients = tuple(u for u in members.get(n.room or "", ()) if u != n.about_user_id)
        if n.kind is Kind.RETRACT and not to_everyone:  # also whoever still has what it withdraws
            recipients = tuple(sorted({*recipients, *n.audience}))
        rich = n.rich
        rows.append(
            (
                nid,
                n.kind.value,
                n.type.value,
                n.title,
                n.message,
                n.sender,
                n.room,
                n.timestamp,
                to_everyone,
                json.dumps(rich, separators=(",", ":")) if rich else None,
                *key_columns(n),
            )
        )
        if not to_everyone and n.kind not in LIVE_ONLY:
            inbox.extend((u, nid) for u in recipients)
        note = Notification(
            id=nid,
            kind=n.kind,
            type=n.type,
            title=n.title,
            message=n.message,
            sender=n.sender,
            room=n.room,
            timestamp=n.timestamp,
            sender_id=n.sender_id,
            **(rich or {}),
        )
        items.append(Stored(note, recipients))
    return BatchPlan(rows, inbox, StoredBatch(prev=prev, head=nid, items=items))
