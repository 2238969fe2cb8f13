"""Notifications by key in the store, for both backends: updates, retractions and answers in the
transaction that stores them.

A keyed notification's row holds its sender's account id, its key and its addressee (`addressee`:
`user:ID`, `room:NAME` or `everyone`). When a batch is stored, in its one transaction, each backend:

1. looks up the live rows of every (sender id, key, addressee) the batch names (`EditSql.live`),
   and for a retraction who has them in their inbox (`EditSql.holders`);
2. claims each answer a `response` in the batch tells (`EditSql.claim`): a second answer from the
   same user finds the first and the batch fails (the pipeline stores the others without it), so an
   answer is claimed exactly when its `response` is stored;
3. plans (`plan_edits`, pure): a keyed send that finds an earlier version `replaces` it (`edited`),
   a `retract` names what it `retracts`, and both leave the earlier rows to delete;
4. stores the batch, then deletes those rows (`EditSql.drop_inbox`, `EditSql.drop`): a superseded or
   retracted notification is never replayed and leaves history.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from hub.errors import NotFound
from hub.protocol import Kind
from hub.store.base import TO_EVERYONE, NewNotification
from hub.store.schema import Dialect

#: Where a key lives: (sender id, key, addressee).
KeyRef = tuple[int, str, str]
#: The kinds a sender's key may be given to (what a person sends).
KEYED = frozenset({Kind.DIRECT, Kind.ROOM, Kind.EVERYONE, Kind.ANNOUNCEMENT})
EVERYONE = "everyone"


def addressee(kind: Kind, to_user_id: int | None, room: str | None) -> str:
    """The addressee a key is scoped to: a user, a room, or everyone (a broadcast or an announcement)."""
    if kind in TO_EVERYONE:
        return EVERYONE
    if to_user_id is not None:
        return f"user:{to_user_id}"
    if room is not None:
        return f"room:{room}"
    return EVERYONE


def key_ref(n: NewNotification) -> KeyRef | None:
    """The key a draft updates or retracts; None for one without a key (or without a sending account)."""
    if n.key is None or n.sender_id is None or (n.kind not in KEYED and n.kind is not Kind.RETRACT):
        return None
    return (n.sender_id, n.key, addressee(n.kind, n.to_user_id, n.room))


def key_columns(n: NewNotification) -> tuple[int | None, str | None, str | None]:
    """A draft's `(sender_id, key, addressee)` columns. A retraction's row has no key: it is found by none."""
    if n.kind is Kind.RETRACT or n.key is None:
        return (n.sender_id, None, None)
    return (n.sender_id, n.key, addressee(n.kind, n.to_user_id, n.room))


def retract_to_everyone(n: NewNotification) -> bool:
    """A retraction of what went to everyone is stored once, as a notification to everyone is."""
    return n.kind is Kind.RETRACT and n.to_user_id is None and n.room is None


class Claim(NamedTuple):
    """The answer a `response` draft tells: (notification, user, label, at)."""

    notification_id: int
    user_id: int
    label: str
    at: str


def claims(new: Sequence[NewNotification]) -> list[tuple[int, Claim]]:
    """The answers the batch's `response` drafts tell, by their place in the batch."""
    out: list[tuple[int, Claim]] = []
    for i, n in enumerate(new):
        if n.kind is Kind.RESPONSE and n.rich and n.sender_id is not None:
            answer = n.rich["answer"]
            out.append((i, Claim(answer["notification_id"], n.sender_id, answer["label"], n.timestamp)))
    return out


class EditPlan(NamedTuple):
    #: The drafts, with `replaces`/`edited` or `retracts` (and a retraction's audience) filled in.
    drafts: list[NewNotification]
    #: The rows superseded or retracted: deleted once the batch is stored.
    gone: list[int]


def plan_edits(
    new: Sequence[NewNotification],
    prev: int,
    live: Mapping[KeyRef, Sequence[int]],
    holders: Mapping[KeyRef, Sequence[int]],
) -> EditPlan:
    """What the batch `new` (ids after `prev`) does to keyed notifications. `live` holds each key's
    stored rows and `holders` who has a retracted key's rows in their inbox. A retraction that finds
    nothing (another one took it first) raises NotFound: the pipeline then stores the rest alone."""
    state: dict[KeyRef, list[int]] = {ref: list(ids) for ref, ids in live.items()}
    drafts: list[NewNotification] = []
    gone: list[int] = []
    for nid, n in enumerate(new, start=prev + 1):
        ref = key_ref(n)
        if ref is None:
            drafts.append(n)
            continue
        earlier = state.get(ref, [])
        gone.extend(earlier)
        if n.kind is Kind.RETRACT:
            if not earlier:
                raise NotFound(no_key(n.key or "", ref[2]))
            rich: dict[str, Any] = {"key": n.key, "retracts": sorted(earlier)}
            audience = tuple(sorted({*n.audience, *holders.get(ref, ())}))
            drafts.append(n._replace(rich=rich, audience=audience))
            state[ref] = []
            continue
        rich = {**(n.rich or {}), "key": n.key}
        if earlier:
            rich.update(replaces=max(earlier), edited=True)
        drafts.append(n._replace(rich=rich))
        state[ref] = [nid]
    return EditPlan(drafts, gone)


def no_key(key: str, where: str) -> str:
    """The one answer to a key the caller cannot retract, whether or not someone else has it."""
    to = "everyone" if where == EVERYONE else where.replace("user:", "that user ").replace("room:", "room ")
    return f"you have sent nothing with key {key!r} to {to}"


class EditsPart(Protocol):
    async def live(self, ref: KeyRef) -> list[int]:
        """The ids of the stored notifications of that key (its latest version; none once retracted)."""


@dataclass(frozen=True, slots=True)
class EditSql:
    """The statements both backends run for keys, in one dialect."""

    #: The live rows of (sender id, key, addressee), oldest first.
    live: str
    #: Who has the rows of (sender id, key, addressee) in their inbox.
    holders: str
    #: Claim an answer (notification, user, label, response id, at) unless the user gave one.
    claim: str
    #: The answer the user (parameter 2) gave to notification (parameter 1).
    label: str


@functools.cache
def edit_sql(d: Dialect) -> EditSql:
    p1, p2, p3, p4, p5 = (d.param(n) for n in range(1, 6))
    where = f"sender_id = {p1} AND key = {p2} AND addressee = {p3}"
    return EditSql(
        live=f"SELECT id FROM notifications WHERE {where} ORDER BY id",
        holders=(
            "SELECT DISTINCT i.user_id FROM inbox i"
            f" WHERE i.notification_id IN (SELECT id FROM notifications WHERE {where}) ORDER BY i.user_id"
        ),
        claim=(
            "INSERT INTO responses(notification_id, user_id, label, response_id, created_at)"
            f" VALUES ({p1}, {p2}, {p3}, {p4}, {p5}) ON CONFLICT DO NOTHING"
        ),
        label=f"SELECT label FROM responses WHERE notification_id = {p1} AND user_id = {p2}",
    )
