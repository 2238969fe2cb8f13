"""Wiring of the "Scheduled sends" window: it lists the signed-in user's pending scheduled sends from the hub
(`GET /api/scheduled`) and cancels one by its key (`DELETE /api/scheduled/{key}`). Part of the app's wiring
(the window is a thin widget; the logic is `desktop.core.scheduled` and `desktop.net.scheduled`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from desktop.app.tasks import Spawn
from desktop.core.scheduled import rows, summary
from desktop.errors import HubClientError, HubRefusedError
from desktop.net.scheduled import ScheduledSends
from desktop.net.session import HubSession
from desktop.system.report import Reporter
from desktop.ui.scheduled_window import ScheduledWindow

log = logging.getLogger(__name__)


class ScheduledFlow:
    def __init__(
        self,
        *,
        session: Callable[[], HubSession | None],
        report: Reporter,
        spawn: Spawn,
        sign_in_needed: Callable[[], None],
    ) -> None:
        self._session = session
        self.report = report
        self._spawn = spawn
        self._sign_in_needed = sign_in_needed
        self.window = ScheduledWindow()
        self.window.refresh_requested.connect(lambda: spawn(self.refresh()))
        self.window.cancel_requested.connect(lambda key: spawn(self.cancel(key)))

    def _api(self) -> ScheduledSends | None:
        session = self._session()
        if session is None:
            return None
        return ScheduledSends(session.hub_url, session.token, ssl=session.ssl)

    def open(self) -> None:
        """Show the window and ask the hub for what is pending; signed out, ask to sign in first."""
        if self._session() is None:
            self._sign_in_needed()
            return
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        self._spawn(self.refresh())

    def follow(self) -> None:
        """Something was scheduled from here: an open window lists it too."""
        if self.window.isVisible():
            self._spawn(self.refresh())

    async def refresh(self, problem: str = "") -> None:
        """List what is pending; `problem` is a sentence to show under the list once listed."""
        api = self._api()
        if api is None:
            return
        self.window.set_busy(True)
        try:
            pending = await api.pending()
        except HubClientError as exc:
            self.window.show_problem(f"Could not list the scheduled sends: {exc}")
            self.report.event("scheduled_failed", text=str(exc))
            return
        finally:
            self.window.set_busy(False)
        shown = rows(pending, datetime.now().astimezone())
        self.window.show_problem(problem)
        self.window.set_rows(summary(len(shown)), shown)
        self.report.event("scheduled_shown", rows=[[r.when, r.to, r.text, r.key] for r in shown])

    async def cancel(self, key: str) -> None:
        api = self._api()
        if api is None:
            return
        self.window.set_busy(True)
        problem = ""
        try:
            count = await api.cancel(key)
        except HubRefusedError as exc:
            # not_found: delivered (or cancelled from elsewhere) meanwhile; the list that follows shows it gone
            problem = "Already delivered or cancelled." if exc.code == "not_found" else f"Not cancelled: {exc}"
            self.report.event("scheduled_cancel_failed", key=key, code=exc.code, text=problem)
        except HubClientError as exc:
            self.window.show_problem(f"Not cancelled: {exc}")
            self.window.set_busy(False)
            self.report.event("scheduled_cancel_failed", key=key, code="unreachable", text=str(exc))
            return
        else:
            log.info("cancelled %d scheduled send(s)", count)
            self.report.event("scheduled_cancelled", key=key, count=count)
        await self.refresh(problem)
