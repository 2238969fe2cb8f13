"""Wiring of the app's status where the user sees it: the tray icon (its tooltip, the unread badge, the
do-not-disturb moon), or the status window on a desktop without a tray; and the network coming back.

The connection's states come from the session's `HubClient` (`desktop.core.connection` holds the state
machine); this keeps the last one, shows it with the unread count, the hub and do not disturb, and
reports it.
"""

from __future__ import annotations

from collections.abc import Callable

from desktop.core.connection import ConnectionStatus
from desktop.core.dnd import DoNotDisturb
from desktop.core.preferences import Preferences
from desktop.core.unread import UnreadCounter
from desktop.net.session import HubSession
from desktop.system.report import Reporter
from desktop.ui.tray import StatusWindow, Tray


class StatusFlow:
    def __init__(
        self,
        *,
        tray: Tray | None,
        window: StatusWindow | None,
        prefs: Preferences,
        report: Reporter,
        unread: UnreadCounter,
        dnd: DoNotDisturb,
        session: Callable[[], HubSession | None],
    ) -> None:
        """One of `tray` and `window` is shown: the tray icon where there is a tray, else the status window."""
        self.tray = tray
        self.window = window
        self.prefs = prefs
        self.report = report
        self.unread = unread
        self.dnd = dnd
        self._session = session
        #: The session's connection, as last reported (offline before any session).
        self.connection = ConnectionStatus()
        unread.subscribe(lambda _count: self.show())

    def show(self) -> None:
        """Show the state as it is now (state, unread, hub, user, do not disturb)."""
        session = self._session()
        hub = session.hub_url if session else self.prefs.hub_url
        user = session.username if session else ""
        dnd = self.dnd.describe() if self.dnd.active() else ""
        for surface in (self.tray, self.window):
            if surface is not None:
                surface.set_status(self.connection, self.unread.count, hub, user, dnd)

    def changed(self, status: ConnectionStatus) -> None:
        """The connection's state changed."""
        self.connection = status
        self.report.event("state", state=status.state.value, reason=status.reason)
        self.show()

    def network_changed(self, online: bool) -> None:
        """The OS says the network came back: retry now instead of at the end of the backoff."""
        self.report.event("network", online=online)
        session = self._session()
        if online and session is not None and session.client is not None:
            session.client.retry_now()

    def present(self) -> None:
        """At start: the tray icon, or the status window (the state first: a tray entry without an icon is empty)."""
        self.show()
        if self.tray is not None:
            self.tray.show()
        elif self.window is not None:
            self.window.show()

    def bring_forward(self) -> bool:
        """Raise the status window, if the app has one (False: it has the tray icon instead)."""
        if self.window is None:
            return False
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        return True

    def hide(self) -> None:
        """On quit."""
        if self.tray is not None:
            self.tray.hide()
        if self.window is not None and self.window.isVisible():
            self.window.blockSignals(True)  # its close would ask to quit again
            self.window.close()
