"""`notify-tray`: the one place where Qt, qasync and the rest are wired together.

Everything the user sees is a thin widget from `desktop.ui`; everything the app knows lives in
`desktop.core`, `desktop.net`, `desktop.credentials` and `desktop.session`. `TrayApp` only connects
the two: widget intents start coroutines on the qasync loop, core callbacks update widgets.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Coroutine, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from PySide6.QtCore import QObject, QStandardPaths
from PySide6.QtNetwork import QNetworkInformation
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from desktop.core.connection import ConnectionState, ConnectionStatus
from desktop.core.toasts import ToastPolicy
from desktop.core.unread import UnreadCounter
from desktop.credentials import CredentialStore, KeyringCredentialStore, SessionFallbackStore
from desktop.errors import CredentialError, HistoryError, HubError
from desktop.net.http import login, logout
from desktop.report import Reporter
from desktop.session import Session
from desktop.ui.history_window import HistoryWindow
from desktop.ui.settings import Preferences
from desktop.ui.signals import SignalWatcher
from desktop.ui.signin import SignInDialog
from desktop.ui.single_instance import SingleInstance, instance_name
from desktop.ui.toast_stack import ToastStack
from desktop.ui.tray import StatusWindow, Tray

log = logging.getLogger("desktop.app")


class TrayApp(QObject):
    def __init__(
        self,
        qapp: QApplication,
        *,
        data_dir: Path,
        preferences: Preferences,
        credentials: CredentialStore,
        reporter: Reporter,
        use_tray: bool | None = None,
    ) -> None:
        super().__init__()
        self.qapp = qapp
        qapp.setQuitOnLastWindowClosed(False)  # a tray app lives on with no window open; quit() ends it
        self.data_dir = data_dir
        self.prefs = preferences
        self.credentials = credentials
        self.report = reporter
        self.session: Session | None = None
        self.status = ConnectionStatus()
        self.unread = UnreadCounter()
        self.toasts = ToastPolicy(
            max_visible=preferences.max_visible_toasts, burst_threshold=preferences.burst_threshold
        )
        self.stack = ToastStack(self.toasts)
        self.history_window = HistoryWindow()
        self.dialog = SignInDialog()
        self._tasks: set[asyncio.Task[None]] = set()
        self._done = asyncio.Event()
        self._refresh_pending = False

        has_tray = QSystemTrayIcon.isSystemTrayAvailable() if use_tray is None else use_tray
        self.tray: Tray | None = Tray() if has_tray else None
        self.status_window: StatusWindow | None = None if has_tray else StatusWindow()
        self._wire()

    # ------------------------------------------------------------------ wiring

    def _wire(self) -> None:
        for surface in (self.tray, self.status_window):
            if surface is None:
                continue
            surface.open_history.connect(lambda: self.spawn(self.show_history(None)))
            surface.sign_out_requested.connect(lambda: self.spawn(self.sign_out()))
            surface.quit_requested.connect(lambda: self.spawn(self.quit()))
        self.stack.open_history.connect(lambda nid: self.spawn(self.show_history(nid)))
        self.stack.toast_painted.connect(lambda nid: self.report.event("toast_painted", notification_id=nid))
        self.history_window.query_changed.connect(lambda *_: self.spawn(self.refresh_history()))
        self.history_window.mark_all_read_requested.connect(lambda: self.spawn(self.mark_all_read()))
        self.dialog.submitted.connect(lambda hub, user, pw: self.spawn(self.sign_in(hub, user, pw)))
        self.unread.subscribe(lambda _count: self._show_status())
        self.unread.subscribe(lambda count: self.report.event("unread", count=count))
        self.unread.subscribe(self.history_window.set_unread)
        self.toasts.subscribe(self.report.toasts)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a coroutine on the loop for a widget's signal; errors are logged, never lost."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())

    def _show_status(self) -> None:
        hub = self.session.hub_url if self.session else self.prefs.hub_url
        user = self.session.username if self.session else ""
        for surface in (self.tray, self.status_window):
            if surface is not None:
                surface.set_status(self.status, self.unread.count, hub, user)

    def _on_state(self, status: ConnectionStatus) -> None:
        self.status = status
        self.report.event("state", state=status.state.value, reason=status.reason)
        self._show_status()
        if status.state is ConnectionState.AUTH_FAILED:
            self.spawn(self._token_refused(status.reason))

    def network_changed(self, online: bool) -> None:
        """The OS says the network came back: retry now instead of at the end of the backoff."""
        self.report.event("network", online=online)
        if online and self.session is not None and self.session.client is not None:
            self.session.client.retry_now()

    def _history_changed(self) -> None:
        if self.history_window.isVisible() and not self._refresh_pending:
            self._refresh_pending = True
            self.spawn(self.refresh_history())

    # ------------------------------------------------------------------ life

    async def run(self) -> None:
        """Start, then wait until the user quits."""
        self._show_status()  # the icon first: a tray entry shown without one is an empty slot
        if self.tray is not None:
            self.tray.show()
        elif self.status_window is not None:
            self.status_window.show()
        self.report.event("started", tray=self.tray is not None, pid=os.getpid())
        await self.start()
        await self._done.wait()

    async def start(self) -> None:
        hub, user = self.prefs.hub_url, self.prefs.username
        token = None
        if hub and user:
            try:
                token = await self.credentials.get_token(hub, user)
            except CredentialError as exc:
                self.notice("Your saved sign-in could not be read", str(exc))
        if token:
            await self.open_session(hub, user, token)
        else:
            self.ask_sign_in(hub, user)

    def bring_forward(self) -> None:
        """A second `notify-tray` was started: show what this one has."""
        if self.session is None:
            self.ask_sign_in(self.prefs.hub_url, self.prefs.username)
        elif self.status_window is not None:
            self.status_window.show()
            self.status_window.raise_()
            self.status_window.activateWindow()
        else:
            self.spawn(self.show_history(None))

    async def quit(self) -> None:
        if self._done.is_set():
            return
        self.report.event("quit")
        await self.close_session()
        self.stack.close_all()
        self.dialog.hide()
        self.history_window.hide()
        if self.tray is not None:
            self.tray.hide()
        if self.status_window is not None and self.status_window.isVisible():
            self.status_window.blockSignals(True)  # its close would ask to quit again
            self.status_window.close()
        self._done.set()

    # ------------------------------------------------------------------ signing in and out

    def ask_sign_in(self, hub: str, user: str, reason: str = "") -> None:
        self.dialog.set_values(hub, user)
        self.dialog.set_reason(reason)
        self.dialog.set_notice(self.credentials.notice)  # e.g. no keyring: this session only
        self.dialog.set_busy(False)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        self.report.event("sign_in_requested", reason=reason)

    async def sign_in(self, hub: str, user: str, password: str) -> None:
        try:
            result = await login(hub, user, password, device=_device_label())
        except HubError as exc:
            self.dialog.show_error(str(exc))
            self.report.event("sign_in_failed", message=str(exc))
            return
        await self.credentials.set_token(hub, result.username, result.token)
        self.prefs.remember(hub, result.username)
        self.dialog.clear_password()
        self.dialog.hide()
        await self.open_session(hub, result.username, result.token)
        if self.credentials.notice:  # after the session opened: opening clears the toasts
            self.notice("Signed in for this session only", self.credentials.notice)

    async def open_session(self, hub: str, user: str, token: str) -> None:
        await self.close_session()
        try:
            self.session = await Session.open(
                hub_url=hub,
                username=user,
                token=token,
                data_dir=self.data_dir,
                toasts=self.toasts,
                unread=self.unread,
                on_state=self._on_state,
            )
        except HistoryError as exc:
            self.notice("The local history could not be opened", str(exc))
            self.ask_sign_in(hub, user, str(exc))
            return
        self.session.inbox.subscribe(self._history_changed)
        self.report.event("signed_in", hub=hub, user=user, keyring=self.credentials.persistent)
        self._show_status()

    async def close_session(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            await session.close()
        self.toasts.dismiss_all()
        self.unread.reset_to(0)
        self.history_window.hide()

    async def sign_out(self) -> None:
        session = self.session
        if session is None:
            return
        problems: list[tuple[str, str]] = []
        try:
            await logout(session.hub_url, session.token)
        except HubError as exc:
            problems.append(("Signed out on this computer only", f"The hub could not be told ({exc})."))
        try:
            await self.credentials.delete_token(session.hub_url, session.username)
        except CredentialError as exc:
            problems.append(("The saved sign-in could not be removed", str(exc)))
        await self.close_session()
        for title, message in problems:  # after closing: closing clears the toasts
            self.notice(title, message)
        self.report.event("signed_out")
        self.ask_sign_in(session.hub_url, session.username)

    async def _token_refused(self, reason: str) -> None:
        session = self.session
        if session is None:
            return
        await self.close_session()
        try:
            await self.credentials.delete_token(session.hub_url, session.username)
        except CredentialError:
            log.warning("could not delete a refused token from the keyring")
        self.ask_sign_in(session.hub_url, session.username, f"Please sign in again: {reason}")

    def notice(self, title: str, message: str) -> None:
        self.toasts.push_notice(title, message, style="system")
        self.report.event("notice", title=title, message=message)

    # ------------------------------------------------------------------ history

    async def show_history(self, notification_id: int | None) -> None:
        if self.session is None:
            self.ask_sign_in(self.prefs.hub_url, self.prefs.username)
            return
        window = self.history_window
        if notification_id is not None:
            window.reset_query(emit=False)  # the item must not be hidden by a filter
        window.show()
        window.raise_()
        window.activateWindow()
        await self.refresh_history()
        if notification_id is not None and window.select_notification(notification_id):
            await self.session.history.mark_read(notification_id)
            self.unread.reset_to(await self.session.history.unread_count())
            await self.refresh_history()
        self.report.event("history_shown", notification_id=notification_id, rows=len(window.rows()))

    async def refresh_history(self) -> None:
        self._refresh_pending = False
        if self.session is None:
            return
        types, search = self.history_window.query()
        entries = await self.session.history.entries(types=types, search=search)
        self.history_window.set_entries(entries, datetime.now(UTC))
        self.report.event("history", rows=len(entries))

    async def mark_all_read(self) -> None:
        if self.session is not None:
            await self.session.inbox.mark_all_read()


def watch_network(app: TrayApp) -> None:
    """Reconnect at once when the OS reports the network back (after sleep, Wi-Fi...), if Qt can tell."""
    if not QNetworkInformation.loadDefaultBackend():
        log.debug("no network information backend: reconnects follow the backoff only")
        return
    info = QNetworkInformation.instance()
    if info is not None:
        info.reachabilityChanged.connect(
            lambda reachability: app.network_changed(reachability == QNetworkInformation.Reachability.Online)
        )


def _device_label() -> str:
    host = os.uname().nodename if hasattr(os, "uname") else "desktop"
    return f"notify-tray on {host}"[:100]


def _default_data_dir() -> Path:
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(location) if location else Path.home() / ".local" / "share" / "lan-notify"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="notify-tray", description="The lan-notify tray app.")
    parser.add_argument("--data-dir", type=Path, help="where the local history lives (default: the OS app data dir)")
    parser.add_argument("--report", type=Path, help="append JSON lines of what the app shows here ('-': stdout)")
    parser.add_argument("--no-tray", action="store_true", help="show the status window even if a tray exists")
    parser.add_argument("--keyring-timeout", type=float, default=10.0, help="seconds to wait for the OS keyring")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("QT_API", "pyside6")  # qasync would prefer PyQt6 if it were installed
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("socketio").setLevel(logging.WARNING)
    logging.getLogger("engineio").setLevel(logging.WARNING)

    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    qapp.setOrganizationName("lan-notify")
    qapp.setApplicationName("notify-tray")
    qapp.setQuitOnLastWindowClosed(False)
    data_dir: Path = args.data_dir or _default_data_dir()

    instance = SingleInstance(instance_name(str(data_dir.resolve())))
    if instance.notify_running():
        print("notify-tray is already running: brought it forward.", file=sys.stderr)
        return 0
    instance.listen()

    import qasync  # imported late: QT_API must be set first

    report_stream: TextIO | None = None
    if args.report is not None:
        report_stream = sys.stdout if str(args.report) == "-" else args.report.open("a", encoding="utf-8")
    try:
        with qasync.QEventLoop(qapp) as loop:
            credentials = SessionFallbackStore(KeyringCredentialStore(timeout=args.keyring_timeout))
            app = TrayApp(
                qapp,
                data_dir=data_dir,
                preferences=Preferences(),
                credentials=credentials,
                reporter=Reporter(report_stream),
                use_tray=False if args.no_tray else None,
            )
            instance.activation_requested.connect(app.bring_forward)
            watcher = SignalWatcher(lambda: app.spawn(app.quit()), app)
            watcher.install()
            watch_network(app)
            loop.run_until_complete(app.run())
    finally:
        instance.close()
        if report_stream is not None and report_stream is not sys.stdout:
            report_stream.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
