"""Wiring of the history window: it shows the session's local history a page at a time, follows new arrivals
while open, opens at a notification (a toast's click) and shows it whole, filters, searches, marks read or
unread (one, or all the filter shows), deletes and clears. Part of the app's wiring (the window is a dumb
widget; the history logic is `desktop.core.history`, kept in step with the badge by `desktop.core.inbox`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from desktop.app.tasks import Spawn
from desktop.core.history import PAGE, HistoryEntry, StoredNotification
from desktop.core.inbox import Change
from desktop.core.unread import UnreadCounter
from desktop.net.session import HubSession
from desktop.system.report import Reporter
from desktop.ui.history_window import HistoryWindow


def _full(entries: list[HistoryEntry]) -> bool:
    """A page with as many notifications as asked for: more may follow it."""
    return sum(isinstance(e, StoredNotification) for e in entries) >= PAGE


class HistoryFlow:
    def __init__(
        self,
        *,
        session: Callable[[], HubSession | None],
        unread: UnreadCounter,
        report: Reporter,
        spawn: Spawn,
        sign_in_needed: Callable[[], None],
    ) -> None:
        self._session = session
        self.unread = unread
        self.report = report
        self._spawn = spawn
        self._sign_in_needed = sign_in_needed
        self._follow_pending = False
        self._opening: set[int] = set()
        #: Counts the list's resets: a page or an arrival asked for before the last reset is dropped.
        self._generation = 0
        self.window = window = HistoryWindow()
        window.query_changed.connect(lambda *_: spawn(self.refresh()))
        window.mark_all_read_requested.connect(lambda: spawn(self.mark_all_read()))
        window.opened.connect(lambda nid: spawn(self.opened(nid)))
        window.read_requested.connect(lambda ids, read: spawn(self.set_read(ids, read)))
        window.delete_requested.connect(lambda ids: spawn(self.delete(ids)))
        window.clear_requested.connect(lambda: spawn(self.clear()))
        window.model.more_wanted.connect(lambda: spawn(self._scrolled()))

    def changed(self, change: Change) -> None:
        """The session's history changed: an open window follows it (its own marks and deletes it has made)."""
        if not self.window.isVisible():
            return
        if change is Change.ARRIVED and not self._follow_pending:
            self._follow_pending = True
            self._spawn(self.follow())
        elif change is Change.GAP or change is Change.EDITED:
            self._spawn(self.refresh())
        elif change is Change.MARKED:
            self._spawn(self.follow_marks())
        elif change is Change.RECEIPT and self.window.detail.entry is not None:
            self._spawn(self.show_receipt())
        elif change is Change.ANSWERED and isinstance(self.window.detail.entry, StoredNotification):
            self._spawn(self.show_answers(self.window.detail.entry.notification.id))

    async def follow_marks(self) -> None:
        """Read marks from the hub (made here or on another device): the rows shown follow in place."""
        session = self._session()
        marks = session.inbox.last_marks if session is not None else None
        if session is None or marks is None:
            return
        upto = marks.upto
        shown = self.window.model.ids()
        self.window.set_read([*marks.ids, *(i for i in shown if upto is not None and i <= upto)], True)
        await self._counts(session)

    async def show_answers(self, notification_id: int) -> None:
        """The answers to the notification in the detail pane, and its receipts, from the history."""
        session = self._session()
        if session is not None:
            self.window.detail.set_answers(notification_id, await session.history.responses(notification_id))
            self.window.detail.set_sent(notification_id, await session.history.sent_to(notification_id) or "")
            receipt = await session.history.receipt(notification_id)
            self.window.detail.set_receipt(notification_id, receipt.text() if receipt is not None else "")

    async def show_receipt(self) -> None:
        """A receipt came for what we sent: the detail pane follows when it shows that notification."""
        session = self._session()
        receipt = session.inbox.last_receipt if session is not None else None
        if receipt is not None:
            self.window.detail.set_receipt(receipt.notification_id, receipt.text())

    async def show(self, notification_id: int | None) -> None:
        """Open the window (at `notification_id`, shown whole and marked read, if given); without a session,
        ask to sign in."""
        session = self._session()
        if session is None:
            self._sign_in_needed()
            return
        window = self.window
        if notification_id is not None:
            window.reset_query(emit=False)  # the item must not be hidden by a filter
        window.show()
        window.raise_()
        window.activateWindow()
        await self.refresh()
        if notification_id is not None:
            await self._load_until(notification_id)
            if window.select_notification(notification_id):
                await self.opened(notification_id)  # marked read before the window says it is shown
        self.report.event("history_shown", notification_id=notification_id, rows=window.model.rowCount())

    async def _load_until(self, notification_id: int) -> None:
        """Load pages until `notification_id` is among the rows (or the history ends)."""
        model = self.window.model
        while model.row_of(notification_id) is None and model.has_more:
            bottom = model.bottom_id()
            if bottom is None or bottom < notification_id or not await self.more():
                return

    async def refresh(self) -> None:
        """The first page of what the filter shows, and its counts."""
        self._generation += 1
        generation = self._generation
        session = self._session()
        if session is None:
            return
        self.window.detail.me = session.username
        types, search = self.window.query()
        entries = await session.history.entries(types=types, search=search)
        if generation != self._generation:
            return  # another query came after this one
        self.window.set_entries(entries, datetime.now(UTC), has_more=_full(entries))
        await self._counts(session)
        self.report.event("history", rows=len(entries))

    async def _scrolled(self) -> None:
        await self.more()

    async def more(self) -> bool:
        """The next page, as the list scrolls to its end; False when nothing was added."""
        generation = self._generation
        session = self._session()
        bottom = self.window.model.bottom_id()
        if session is None or bottom is None:
            return False
        types, search = self.window.query()
        entries = await session.history.entries(types=types, search=search, before=bottom)
        if generation != self._generation:
            return False
        self.window.add_page(entries, has_more=_full(entries))
        return bool(entries)

    async def follow(self) -> None:
        """What arrived since the list was filled, on top of it."""
        self._follow_pending = False
        generation = self._generation
        session = self._session()
        if session is None:
            return
        types, search = self.window.query()
        top = self.window.model.top_id()
        entries = (
            await session.history.entries(types=types, search=search, after=top)
            if top is not None
            else await session.history.entries(types=types, search=search)
        )
        if generation != self._generation:
            return
        if top is None:
            self.window.set_entries(entries, datetime.now(UTC), has_more=_full(entries))
        else:
            self.window.add_newer(entries, datetime.now(UTC))
        await self._counts(session)
        self.report.event("history", rows=self.window.model.rowCount())

    async def _counts(self, session: HubSession) -> None:
        types, search = self.window.query()
        total, unread = await session.history.counts(types=types, search=search)
        self.window.set_counts(total, unread)

    # ------------------------------------------------------------------ what the user does with rows

    async def opened(self, notification_id: int) -> None:
        """A notification was opened in the list: it shows whole in the detail pane; it is read now."""
        if notification_id in self._opening:
            return  # opened twice at once (a toast's click selects it, and says so): marked once
        self.report.event("history_opened", notification_id=notification_id)
        await self.show_answers(notification_id)
        row = self.window.model.row_of(notification_id)
        entry = self.window.model.entry(row) if row is not None else None
        if isinstance(entry, StoredNotification) and not entry.read:
            self._opening.add(notification_id)
            try:
                await self.set_read([notification_id], True)
            finally:
                self._opening.discard(notification_id)

    async def set_read(self, ids: list[int], read: bool) -> None:
        session = self._session()
        if session is not None:
            if read:  # every device of ours: the hub's read state only moves forward
                count = await session.mark_read(ids)
            else:
                count = await session.inbox.set_read(ids, read)
            self.window.set_read(ids, read)
            await self._counts(session)
            self.report.event("history_marked", count=count, read=read, filtered=False)

    async def mark_all_read(self) -> None:
        """Mark read what the filter shows (everything, without one)."""
        session = self._session()
        if session is not None:
            types, search = self.window.query()
            count = await session.mark_all_read(types=types, search=search)
            self.window.set_all_read()
            await self._counts(session)
            self.report.event("history_marked", count=count, read=True, filtered=self.window.filtered())

    async def delete(self, ids: list[int]) -> None:
        session = self._session()
        if session is not None:
            await session.inbox.delete(ids)
            self.window.remove(ids)
            await self._counts(session)
            self.report.event("history_deleted", count=len(ids))

    async def clear(self) -> None:
        session = self._session()
        if session is not None:
            count = await session.inbox.clear()
            await self.refresh()
            self.report.event("history_cleared", count=count)
