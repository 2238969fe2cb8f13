"""Wiring of the settings dialog: load from QSettings (with what is true now: who is signed in, whether the
keyring keeps the sign-in, how notifications are shown, where a hosted hub listens), validate, save what
changed, apply at once, and "Try the keyring again" (part of the app's wiring)."""

from __future__ import annotations

from collections.abc import Callable

from desktop.app.tasks import Spawn
from desktop.core.dnd import QuietHours
from desktop.core.preferences import Preferences
from desktop.core.presentation import Presentation
from desktop.core.wording import sentence
from desktop.net.session import HubSession
from desktop.system import autostart
from desktop.system.credentials import CredentialStore, SessionFallbackStore
from desktop.system.hosting import Hosted
from desktop.system.report import Reporter
from desktop.ui.settings_dialog import SettingsDialog, Situation


class SettingsFlow:
    def __init__(
        self,
        *,
        prefs: Preferences,
        report: Reporter,
        spawn: Spawn,
        apply: Callable[[], None],
        hub_changed: Callable[[str], None],
        session: Callable[[], HubSession | None],
        credentials: CredentialStore,
        presentation: Callable[[], Presentation],
        hosted: Callable[[], Hosted | None],
    ) -> None:
        self.prefs = prefs
        self.report = report
        self._apply = apply
        self._hub_changed = hub_changed
        self._session = session
        self._credentials = credentials
        self._presentation = presentation
        self._hosted = hosted
        self._loaded: dict[str, object] = {}
        self.dialog = SettingsDialog()
        self.dialog.saved.connect(self.save)
        self.dialog.keyring_retry_requested.connect(lambda: spawn(self.retry_keyring()))

    def situation(self) -> Situation:
        session = self._session()
        presentation = self._presentation()
        return Situation(
            account=f"{session.username} @ {session.hub_url}" if session else "",
            keyring=self._credentials.reason if isinstance(self._credentials, SessionFallbackStore) else "",
            notifications=presentation.note,
            hosting=self._hosting_now(),
        )

    def _hosting_now(self) -> str:
        hosted = self._hosted()
        if hosted is None:
            return ""
        port = int(hosted.local_url.rsplit(":", 1)[1])
        if (hosted.interface, port) == (self.prefs.host_interface, self.prefs.host_port):
            return ""
        return (
            f"The hub hosted here listens on {hosted.interface}, port {port}, until you quit (chosen when it started). "
            "What you choose here applies the next time it starts."
        )

    def open(self, tab: str = "") -> None:
        """Show the dialog with the saved values (at `tab`, one of the dialog's `TABS`, when given)."""
        if tab:
            self.dialog.show_tab(tab)
        self.dialog.load(self.prefs, self.situation(), autostart=autostart.enabled(),
                         show_as=self._presentation().setting)  # fmt: skip
        self._loaded = self.dialog.values()
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def save(self, values: dict[str, object]) -> None:
        try:
            QuietHours.parse(str(values.get("dnd/quiet_hours", "")))
        except ValueError as exc:
            self.dialog.show_error(sentence(str(exc)))
            return
        changed = {key: value for key, value in values.items() if self._loaded.get(key) != value}
        new_hub = str(changed.pop("hub/url", "") or "")
        if "startup/autostart" in changed:
            try:
                autostart.enable() if changed["startup/autostart"] else autostart.disable()
            except OSError as exc:
                self.dialog.show_error(f"Starting at login could not be changed: {exc.strerror or exc}.")
                return
        self.prefs.save(changed)  # only what changed: a value shown but not touched is not written
        self._apply()
        self.dialog.hide()
        self.report.event("settings_saved", keys=sorted(changed))
        if new_hub:
            self._hub_changed(new_hub)

    async def retry_keyring(self) -> None:
        """ "Try the keyring again": keep this session's token in the keyring, if it works now."""
        session, credentials = self._session(), self._credentials
        if session is None or not isinstance(credentials, SessionFallbackStore):
            return
        self.dialog.keyring_retry.setEnabled(False)
        kept = await credentials.retry(session.hub_url, session.username, session.token)
        self.dialog.set_keyring(credentials.reason, signed_in=True)
        self.report.event("keyring", kept=kept, reason=credentials.reason)
