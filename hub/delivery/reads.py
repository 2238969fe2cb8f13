"""Read state on every device of a user, and receipts to senders who asked for them.

A read mark is stored (`hub.store.reads`), then told to all the user's devices as a `read` control
row: a notification of kind `read` addressed to that user alone, so it takes its place in the one id
sequence and is replayed, acked and resumed as a notification is (a device that was offline learns
the marks in its catch-up). It carries the user's unread count right after the marks and the newest
id that count covers (`unread_upto`), as `welcome` does, so that every device's badge agrees.

A receipt is a `receipt` control row to the sender's devices: `delivered` when a device of an
addressee acks the notification (a client that never acks tells nothing), `seen` when an addressee's
client sends `seen` or the addressee marks it read. Names are given for a direct notification, and
for one to a room or everyone when it was addressed to at most `MAX_NAMED_RECIPIENTS` users, and,
for a room, only while its sender is a member: nobody learns who is in a room they are not in.
"""

from __future__ import annotations

import bisect
import logging
from typing import Any, Final

from hub.delivery.limits import ReadLimits
from hub.delivery.sending import Sender
from hub.delivery.sessions import Actor, Session
from hub.delivery.users import UserCache
from hub.errors import HubError, NotFound
from hub.protocol import Kind, Notification, NotificationType
from hub.readstate import MAX_NAMED_RECIPIENTS, MarkRead, Seen, Status, read_control, receipt_control
from hub.store import NewNotification, Store, User
from hub.store.reads import Tally
from hub.timeutil import utc_now_iso

log = logging.getLogger(__name__)

#: Ids of notifications with a receipt kept in memory, so that an ack asks the store only when it
#: covers one (or what came before this hub started); past this many, the older half is dropped.
KNOWN_RECEIPTS: Final = 10_000


class Reads:
    def __init__(self, store: Store, users: UserCache, limits: ReadLimits, sender: Sender) -> None:
        self._store = store
        self._users = users
        self._limits = limits
        self._sender = sender
        #: Every notification with a receipt above `_exact_after` is in `_asked` (ascending); None:
        #: nothing handed out yet, so the store is asked.
        self._asked: list[int] = []
        self._exact_after: int | None = None

    def noted(self, note: Notification) -> None:
        """A stored notification this hub hands out (`Fanout.noted`), in id order."""
        if self._exact_after is None:
            self._exact_after = note.id - 1
        if note.receipt:
            self._asked.append(note.id)
            if len(self._asked) > KNOWN_RECEIPTS:
                half = len(self._asked) // 2
                self._exact_after = self._asked[half - 1]
                del self._asked[:half]

    def may_cover_receipts(self, before: int, upto: int) -> bool:
        """Whether an ack of `(before, upto]` may cover a notification with a receipt (then `acked`)."""
        if upto <= before:
            return False
        exact = self._exact_after
        if exact is None or before < exact:
            return True
        at = bisect.bisect_right(self._asked, before)
        return at < len(self._asked) and self._asked[at] <= upto

    async def unread(self, user: User) -> dict[str, int]:
        """`welcome`'s fields: the user's unread count and the newest id it covers; none when the
        store cannot be read (the catch-up after the welcome finds that too, and disconnects)."""
        try:
            count, upto = await self._store.reads.unread(user.id)
        except HubError as exc:
            log.warning("could not count %s's unread notifications: %s", user.name, exc.message)
            return {}
        return {"unread": count, "unread_upto": upto}

    async def mark_read(self, actor: Actor, payload: MarkRead) -> dict[str, Any]:
        """Store the marks and tell the user's devices; the ack's body. Ids that are not the user's
        change nothing, and a mark of none of theirs tells nobody. A mark of ids already read is told
        again: a client that lost the answer (the hub stopped between storing and telling) sends the
        same mark again and every device learns it."""
        me = actor.user
        await self._limits.check(actor)
        if payload.all:
            assert payload.upto is not None  # MarkRead's rule
            move = await self._store.reads.mark_all(me.id, payload.upto)
            changed = move is not None
            marked: list[int] = []
            seen = await self._store.reads.receipts_between(me.id, move.before, move.after) if move else []
            ids, upto = None, (move.after if move is not None else None)
        else:
            marked = await self._store.reads.mark(me.id, payload.unique_ids())
            changed = bool(marked)
            seen = await self._store.reads.receipts_among(me.id, marked) if marked else []
            ids, upto = marked, None
        count, counted = await self._store.reads.unread(me.id)
        row_id = None
        if changed:
            control = read_control(ids, upto, count, counted)
            stored = await self._sender.submit(self._control(Kind.READ, me.name, control, (me.id,)))
            row_id = stored.notification.id
        await self._saw(me, seen)
        answer: dict[str, Any] = {"ok": True, "marked": marked, "unread": count, "unread_upto": counted, "id": row_id}
        if payload.all:
            answer["upto"] = upto
        return answer

    async def seen(self, actor: Actor, payload: Seen) -> dict[str, Any]:
        """The client showed these: tell the senders who asked for a receipt (once per user)."""
        me = actor.user
        await self._limits.check(actor)
        notes = await self._store.reads.receipts_among(me.id, payload.unique_ids())
        return {"ok": True, "seen": await self._saw(me, notes)}

    async def acked(self, session: Session, before: int, upto: int) -> None:
        """A device acked `(before, upto]`: a `delivered` receipt for each that asked for one. Never
        raises: the ack itself is done, and a receipt that could not be told is logged."""
        if not self.may_cover_receipts(before, upto):
            return
        try:
            me = session.user
            notes = [n for n in await self._store.reads.receipts_between(me.id, before, upto) if n.sender_id != me.id]
            noted = await self._store.reads.delivered([n.id for n in notes], me.id, session.device, utc_now_iso())
            for note in notes:
                if note.id in noted:
                    await self._tell(note, "delivered", me, noted[note.id])
        except HubError as exc:
            log.warning("could not tell the receipts of %s's ack up to %d: %s", session.user.name, upto, exc.message)

    async def receipts(self, actor: Actor, notification_id: int) -> dict[str, Any]:
        """`GET /api/notifications/{id}/receipts`: the receipts of a notification `actor` sent."""
        target = await self._store.answers.target(notification_id, actor.user.id)
        note = target.notification if target is not None else None
        if note is None or note.sender_id != actor.user.id or not note.receipt:
            raise NotFound(f"you sent no notification {notification_id} with a receipt")
        tally = await self._store.reads.tally(note)
        body: dict[str, Any] = {"notification_id": note.id, **tally.wire(), "users": None}
        if await self._may_name(note, actor.user, tally):
            body["users"] = [a.wire() for a in await self._store.reads.addressees(note, MAX_NAMED_RECIPIENTS)]
        return body

    # ------------------------------------------------------------------ telling the sender

    async def _saw(self, me: User, notes: list[Notification]) -> list[int]:
        """Note that `me` saw `notes` (one store transaction) and tell their senders; the ids told."""
        notes = [note for note in notes if note.sender_id != me.id]
        told = set(await self._store.reads.seen([note.id for note in notes], me.id, utc_now_iso()))
        for note in notes:
            if note.id in told:
                await self._tell(note, "seen", me, 0)
        return [note.id for note in notes if note.id in told]

    async def _tell(self, note: Notification, status: Status, who: User, devices: int) -> None:
        if note.sender_id is None:  # the account is gone: nobody to tell
            return
        tally = await self._store.reads.tally(note)
        sender = await self._users.named(note.sender)
        named = sender is not None and sender.id == note.sender_id and await self._may_name(note, sender, tally)
        if not named and status == "delivered" and devices > 1:
            return  # counts only: another device of the same user changes none of them
        control = receipt_control(note.id, status, who.name if named else None, devices, tally.wire())
        await self._sender.submit(self._control(Kind.RECEIPT, note.sender, control, (note.sender_id,)))

    async def _may_name(self, note: Notification, sender: User, tally: Tally) -> bool:
        """Whether receipts may name the addressees to `sender` (the account that sent `note`)."""
        if note.kind is Kind.DIRECT:
            return True
        if tally.addressees > MAX_NAMED_RECIPIENTS:
            return False
        if note.kind is Kind.ROOM:
            room = await self._store.get_room(note.room or "")
            return room is not None and sender.name in room.members
        return True  # everyone (an admin's): every user, which names no room's members

    @staticmethod
    def _control(kind: Kind, sender: str, control: dict[str, Any], audience: tuple[int, ...]) -> NewNotification:
        return NewNotification(
            kind=kind,
            type=NotificationType.SYSTEM,
            title="",
            message="",
            sender=sender,
            timestamp=utc_now_iso(),
            rich={"control": control},
            audience=audience,
        )
