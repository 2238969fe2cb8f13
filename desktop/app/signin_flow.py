"""Wiring of signing in and out, and of the one session that signing in opens.

A start signs in silently with the keyring's token, or asks through the sign-in dialog; a password is
exchanged for a device token (kept by the credential store, never the password) and a `HubSession`
opens. A refused token, or a certificate the connection no longer trusts, closes the session and asks
again; the hub hosted here signs in without asking. What the screen does when a session opens or
closes (toasts, badge, windows) is the app's: it is told through `opened` and `closed`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from desktop.app.tasks import Spawn
from desktop.app.trust_flow import TrustFlow
from desktop.core.connection import ConnectionState, ConnectionStatus
from desktop.core.directory import Directory
from desktop.core.dnd import Sink
from desktop.core.preferences import Preferences
from desktop.core.unread import UnreadCounter
from desktop.core.wording import SIGNED_OUT_HERE_ONLY, TOKEN_REFUSED, sign_in_refusal
from desktop.errors import CertificateError, CredentialError, HistoryError, HubClientError, LoginRefusedError
from desktop.net.http import login, logout
from desktop.net.session import HubSession
from desktop.system.credentials import CredentialStore
from desktop.system.hosting import Hosted, LocalHub
from desktop.system.report import Reporter
from desktop.ui.signin import SignInDialog

log = logging.getLogger("desktop.app")


def device_label() -> str:
    """How this device is named among the user's tokens on the hub."""
    host = os.uname().nodename if hasattr(os, "uname") else "desktop"
    return f"notify-tray on {host}"[:100]


class SignInFlow:
    def __init__(
        self,
        *,
        dialog: SignInDialog,
        prefs: Preferences,
        credentials: CredentialStore,
        trust: TrustFlow,
        report: Reporter,
        spawn: Spawn,
        data_dir: Path,
        toasts: Sink,
        unread: UnreadCounter,
        directory: Directory,
        on_state: Callable[[ConnectionStatus], None],
        opened: Callable[[HubSession], None],
        closed: Callable[[], None],
        notice: Callable[[str, str], None],
        local_hub: Callable[[], LocalHub | None],
    ) -> None:
        """`toasts`, `unread` and `directory` are what a session feeds; `on_state` hears its connection's states."""
        self.dialog = dialog
        self.prefs = prefs
        self.credentials = credentials
        self.trust = trust
        self.report = report
        self._spawn = spawn
        self._data_dir = data_dir
        self._toasts = toasts
        self._unread = unread
        self._directory = directory
        self._on_state = on_state
        self._opened = opened
        self._closed = closed
        self._notice = notice
        self._local_hub = local_hub
        self.session: HubSession | None = None
        dialog.submitted.connect(lambda hub, user, password: spawn(self.sign_in(hub, user, password)))

    def current(self) -> HubSession | None:
        """The session open now (None: signed out), for the flows that act on it."""
        return self.session

    async def start(self) -> None:
        """At start: sign in with the saved token, or ask."""
        hub, user = self.prefs.hub_url, self.prefs.username
        token = None
        if hub and user:
            try:
                token = await self.credentials.get_token(hub, user)
            except CredentialError as exc:
                self._notice("Your saved sign-in could not be read", str(exc))
        if token:
            await self.open_session(hub, user, token)
        else:
            self.ask(hub, user)

    def ask_again(self) -> None:
        """The "Sign in…" of the menu and the status window: the dialog, with the last hub and user filled in."""
        self.ask(self.prefs.hub_url, self.prefs.username)

    def ask(self, hub: str, user: str, reason: str = "") -> None:
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
            result = await login(hub, user, password, device=device_label(), ssl=self.trust.ssl_for(hub))
        except CertificateError as exc:
            if await self.trust.resolve(exc):  # trusted (pinned) now: try again
                await self.sign_in(hub, user, password)
                return
            self.dialog.show_error(self.trust.refusal(exc))
            self.report.event("sign_in_failed", message=self.trust.refusal(exc))
            return
        except LoginRefusedError as exc:
            text = sign_in_refusal(exc.code, exc.message, exc.retry_after)
            self.dialog.show_error(text)
            self.report.event("sign_in_failed", message=text, code=exc.code)
            return
        except HubClientError as exc:
            self.dialog.show_error(str(exc))
            self.report.event("sign_in_failed", message=str(exc), code="unreachable")
            return
        await self.credentials.set_token(hub, result.username, result.token)
        self.prefs.remember(hub, result.username)
        self.dialog.clear_password()
        self.dialog.hide()
        await self.open_session(hub, result.username, result.token)
        if self.credentials.notice:  # after the session opened: opening clears the toasts
            self._notice("Signed in for this session only", self.credentials.notice)

    async def sign_in_locally(self, hosted: Hosted, *, fresh: bool = False) -> None:
        """Sign in to the hub hosted here as its local admin: a device token from the hub itself, no password."""
        hub = self._local_hub()
        assert hub is not None
        token = None
        if not fresh:
            try:
                token = await self.credentials.get_token(hosted.local_url, hosted.username)
            except CredentialError:
                token = None
        if not token:
            token = await hub.device_token(device_label())
            try:
                await self.credentials.set_token(hosted.local_url, hosted.username, token)
            except CredentialError as exc:
                log.warning("could not keep the local token: %s", exc)
        self.prefs.remember(hosted.local_url, hosted.username)
        self.dialog.hide()
        await self.open_session(hosted.local_url, hosted.username, token)

    async def open_session(self, hub: str, user: str, token: str) -> None:
        await self.close_session()
        try:
            ssl = self.trust.ssl_for(hub)
        except HubClientError as exc:
            self.ask(hub, user, str(exc))
            return
        try:
            self.session = await HubSession.open(
                hub_url=hub,
                username=user,
                token=token,
                data_dir=self._data_dir,
                toasts=self._toasts,
                unread=self._unread,
                on_state=self._state,
                directory=self._directory,
                ssl=ssl,
                on_untrusted=lambda error: self._spawn(self._certificate_refused(error, user, token)),
            )
        except HistoryError as exc:
            self._notice("The local history could not be opened", str(exc))
            self.ask(hub, user, str(exc))
            return
        self._opened(self.session)
        self.report.event("signed_in", hub=hub, user=user, keyring=self.credentials.persistent)

    async def close_session(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            await session.close()
        self._closed()

    async def sign_out(self) -> None:
        session = self.session
        if session is None:
            return
        problems: list[tuple[str, str]] = []
        try:
            await logout(session.hub_url, session.token, ssl=self.trust.ssl_for(session.hub_url))
        except HubClientError as exc:
            log.info("could not revoke the token on the hub: %s", exc)
            problems.append(("Signed out on this computer only", SIGNED_OUT_HERE_ONLY))
        try:
            await self.credentials.delete_token(session.hub_url, session.username)
        except CredentialError as exc:
            problems.append(("The saved sign-in could not be removed", str(exc)))
        if self._hosted_session(session) is not None:
            self.prefs.save({"host/enabled": False})  # signed out on purpose: no silent sign-in next start
        await self.close_session()
        for title, message in problems:  # after closing: closing clears the toasts
            self._notice(title, message)
        self.report.event("signed_out")
        self.ask(session.hub_url, session.username)

    def _hosted_session(self, session: HubSession) -> Hosted | None:
        """The hub hosted here, if `session` is its local admin's."""
        hub = self._local_hub()
        hosted = hub.hosted if hub is not None else None
        if hosted is not None and (session.hub_url, session.username) == (hosted.local_url, hosted.username):
            return hosted
        return None

    def _state(self, status: ConnectionStatus) -> None:
        self._on_state(status)
        if status.state is ConnectionState.AUTH_FAILED:
            self._spawn(self._token_refused(status.reason))

    async def _token_refused(self, reason: str) -> None:
        session = self.session
        if session is None:
            return
        hosted = self._hosted_session(session)
        if hosted is not None:
            await self.sign_in_locally(hosted, fresh=True)  # our own hub: a new token, no password needed
            return
        await self.close_session()
        try:
            await self.credentials.delete_token(session.hub_url, session.username)
        except CredentialError:
            log.warning("could not delete a refused token from the keyring")
        log.info("the hub refused the token: %s", reason)
        self.ask(session.hub_url, session.username, TOKEN_REFUSED)

    async def _certificate_refused(self, error: CertificateError, user: str, token: str) -> None:
        """The live connection met a certificate it does not trust (new, or changed): ask, never re-trust silently."""
        if self.session is None or self.session.hub_url != error.hub_url:
            return
        await self.close_session()
        if await self.trust.resolve(error):
            await self.open_session(error.hub_url, user, token)
        else:
            self.ask(error.hub_url, user, self.trust.refusal(error))
