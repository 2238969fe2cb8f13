"""Wiring of the history window: it shows the session's local history, follows new arrivals while open,
opens at a notification (a toast's click), filters, searches and marks everything read. Part of the
app's wiring (the window is a dumb widget; the history logic is `desktop.core.history`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from desktop.core.unread import UnreadCounter
from desktop.report import Reporter
from desktop.session import Session, Spawn
from desktop.ui.history_window import HistoryWindow


class HistoryFlow:
    def __init__(
        self,
        *,
        session: Callable[[], Session | None],
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
        self._refresh_pending = False
        self.window = HistoryWindow()
        self.window.query_changed.connect(lambda *_: spawn(self.refresh()))
        self.window.mark_all_read_requested.connect(lambda: spawn(self.mark_all_read()))
        unread.subscribe(self.window.set_unread)

    def changed(self) -> None:
        """The session's history changed (a notification arrived): an open window follows it."""
        if self.window.isVisible() and not self._refresh_pending:
            self._refresh_pending = True
            self._spawn(self.refresh())

    async def show(self, notification_id: int | None) -> None:
        """Open the window (at `notification_id`, marked read, if given); without a session, ask to sign in."""
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
        if notification_id is not None and window.select_notification(notification_id):
            await session.history.mark_read(notification_id)
            self.unread.reset_to(await session.history.unread_count())
            await self.refresh()
        self.report.event("history_shown", notification_id=notification_id, rows=len(window.rows()))

    async def refresh(self) -> None:
        self._refresh_pending = False
        session = self._session()
        if session is None:
            return
        types, search = self.window.query()
        entries = await session.history.entries(types=types, search=search)
        self.window.set_entries(entries, datetime.now(UTC))
        self.report.event("history", rows=len(entries))

    async def mark_all_read(self) -> None:
        session = self._session()
        if session is not None:
            await session.inbox.mark_all_read()
