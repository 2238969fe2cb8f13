"""Where received notifications go: the history first, then the unread count and the toasts.

The history decides what is new, so a replay after a reconnect (or a notification delivered twice)
never toasts or counts twice. Reading, marking and deleting go through here too, so the unread
count always says what the history holds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Sequence
from enum import StrEnum
from typing import Generic, TypeVar

from desktop.core.dnd import Sink
from desktop.core.edits import Retraction
from desktop.core.history import AsyncHistory
from desktop.core.models import Gap, ReceivedNotification, ReceivedResponse
from desktop.core.readstate import HubCount, OwnMarks, ReadMarks, Receipt, ReceiptState
from desktop.core.unread import UnreadCounter
from hub.protocol import NotificationType

GAP_TITLE = "Some notifications were missed"
GAP_HINT = "Click to open the history: it marks the place"
RESPONSE_HINT = "Click to open the history"
#: Seconds an answer's toast stays (as a message's).
RESPONSE_TIMEOUT = 10.0
S = TypeVar("S", bound=Sink)


class Change(StrEnum):
    """What changed in the history, for a window that shows it."""

    ARRIVED = "arrived"  # new notifications, newer than any before
    GAP = "gap"  # a gap marker, somewhere in the list
    READ = "read"  # read or unread marks
    DELETED = "deleted"  # notifications deleted, or the whole history cleared
    ANSWERED = "answered"  # someone answered a notification (a `response`)
    EDITED = "edited"  # a notification replaced by its new version, or retracted by its sender
    MARKED = "marked"  # read marks from the hub (`Inbox.last_marks`), made on any device of ours
    RECEIPT = "receipt"  # what we sent was delivered or seen (`Inbox.last_receipt`)


class Inbox(Generic[S]):
    """`toasts` is the toast policy, or the do-not-disturb gate in front of it."""

    def __init__(self, history: AsyncHistory, unread: UnreadCounter, toasts: S) -> None:
        self.history = history
        self.unread = unread
        self.toasts = toasts
        #: The hub's unread count the badge follows (`desktop.core.readstate`).
        self.hub_count = HubCount()
        #: Marks this device sent, so that their echo from the hub is not applied again.
        self.own_marks = OwnMarks()
        #: The latest `read` event handled, for a window that follows the history.
        self.last_marks: ReadMarks | None = None
        #: The receipts of the notification the latest `receipt` event was about.
        self.last_receipt: ReceiptState | None = None
        self._listeners: list[Callable[[Change], None]] = []

    def subscribe(self, listener: Callable[[Change], None]) -> None:
        """Hear that the history changed, and how (to follow it in an open history window)."""
        self._listeners.append(listener)

    def _changed(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)

    async def _recount(self) -> None:
        self.hub_count.upto = None  # the badge counts the history from now on
        self.unread.reset_to(await self.history.unread_count())

    async def load(self) -> int | None:
        """Read the unread count from disk; returns the last id held (the resume point)."""
        self.unread.reset_to(await self.history.unread_count())
        return await self.history.last_id()

    async def receive(self, notification: ReceivedNotification) -> bool:
        """A notification arrived (live or replayed). Returns False for one already held."""
        if not await self.history.add(notification):
            return False
        if notification.replaces is not None:  # a new version: the history holds it instead of the one it replaces
            await self._recount()
        elif self.hub_count.counts(notification.id):
            self.unread.add()
        self.toasts.push(notification)
        self._changed(Change.ARRIVED if notification.replaces is None else Change.EDITED)
        return True

    async def retracted(self, retraction: Retraction) -> None:
        """The sender withdrew notifications: their toasts close and the history drops them, with any
        older version of the key held here (one this device was away for the end of)."""
        older = await self.history.keyed(retraction.sender, retraction.key, retraction.id, room=retraction.room)
        ids = sorted({*retraction.retracts, *older})
        self.toasts.withdraw(ids)
        if await self.history.delete(ids):
            await self._recount()
            self._changed(Change.EDITED)

    async def response(self, response: ReceivedResponse, *, me: str) -> bool:
        """Someone answered a notification (live, replayed, or our own answer's ack). Returns False for one
        already held. An answer to what `me` sent pops a toast of its own: "bob: Approve — Deploy 2.14?"."""
        if not await self.history.add_response(response):
            return False
        if response.to == me and response.responder != me:
            where = f" in #{response.room}" if response.room else ""
            self.toasts.push_notice(
                response_headline(response),
                f"{response.responder} answered your notification{where}: {response.title}"
                if response.title
                else f"{response.responder} answered your notification{where}.",
                style="message",
                timeout=RESPONSE_TIMEOUT,
                hint=RESPONSE_HINT,
            )
        self._changed(Change.ANSWERED)
        return True

    async def gap(self, gap: Gap) -> None:
        """The hub could not replay some notifications: say so once, and mark the place in the history.

        A device that held nothing yet (first sign-in) missed nothing it knew of: marked, not toasted.
        """
        fresh = await self.history.last_id() is None
        if await self.history.add_gap(gap):
            if not fresh:
                self.toasts.push_notice(GAP_TITLE, gap.message, style="warning", hint=GAP_HINT)
            self._changed(Change.GAP)

    async def mark_all_read(self, *, types: Collection[NotificationType] | None = None, search: str = "") -> int:
        """Mark read what a filter shows (everything, without one); returns how many were unread."""
        count = await self.history.mark_all_read(types=types, search=search)
        await self._recount()
        self._changed(Change.READ)
        return count

    async def set_read(self, notification_ids: Sequence[int], read: bool) -> int:
        """Mark these read, or unread again; returns how many changed."""
        count = await self.history.set_read(notification_ids, read)
        await self._recount()
        self._changed(Change.READ)
        return count

    def welcome(self, unread: int | None, upto: int | None) -> None:
        """The hub's count at connect: the badge shows it (a hub that does not count: the history's)."""
        count = self.hub_count.welcome(unread, upto)
        if count is not None:
            self.unread.reset_to(count)

    async def read_elsewhere(self, marks: ReadMarks) -> None:
        """A `read` event: marks made on a device of ours. Marks the history (not again what this
        device marked itself: it may have been marked unread here since) and recounts the badge."""
        ids, upto = self.own_marks.news(marks)
        if upto is not None:
            await self.history.mark_read_upto(upto)
        if ids:
            await self.history.set_read(ids, True)
        await self._recount()
        self.last_marks = dataclasses.replace(marks, ids=tuple(ids), upto=upto)  # what an open window follows
        self._changed(Change.MARKED)

    async def receipt(self, receipt: Receipt) -> None:
        """A `receipt` event: kept in the history, for the notification's detail."""
        self.last_receipt = await self.history.take_receipt(receipt)
        self._changed(Change.RECEIPT)

    async def delete(self, notification_ids: Sequence[int]) -> int:
        """Delete these from this computer's history; returns how many were there."""
        count = await self.history.delete(notification_ids)
        await self._recount()
        self._changed(Change.DELETED)
        return count

    async def clear(self) -> int:
        """Delete the whole history on this computer; returns how many notifications it held."""
        count = await self.history.clear()
        await self._recount()
        self._changed(Change.DELETED)
        return count


def response_headline(response: ReceivedResponse) -> str:
    """How an answer reads: "bob: Approve — Deploy 2.14 to prod?"."""
    return (
        f"{response.responder}: {response.label} — {response.title}"
        if response.title
        else (f"{response.responder}: {response.label}")
    )
