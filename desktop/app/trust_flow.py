"""Wiring of TLS trust: which certificate each hub connection trusts, and the trust-on-first-use prompt.

The rules and words live in `desktop.core.trust` and `desktop.net.tls`; this holds the user's
choices (the CA file from `--ca-file` or the `tls/ca_file` setting, the pins in `tls/pins`), asks
through the `TrustDialog` when a certificate is refused, and reports what happened.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from desktop.core.preferences import Preferences
from desktop.core.trust import PromptKind, answer, prompt_for
from desktop.errors import CertificateError, HubClientError
from desktop.net.tls import HubTrust, SSLArg
from desktop.system.report import Reporter
from desktop.ui.trust_dialog import TrustDialog
from hub.errors import ConfigError


class TrustFlow:
    def __init__(
        self,
        *,
        prefs: Preferences,
        report: Reporter,
        ca_file: Path | None = None,
        announced: Callable[[str], str] = lambda hub_url: "",
    ) -> None:
        self.prefs = prefs
        self.announced = announced  # the fingerprint a hub announced on the LAN (discovery), or ""
        self.report = report
        self._ca_file = ca_file  # --ca-file: wins over the setting for this run
        self.dialog = TrustDialog()
        self.dialog.answered.connect(self._answered)
        self._pending: asyncio.Future[bool] | None = None

    @property
    def ca_file(self) -> Path | None:
        if self._ca_file is not None:
            return self._ca_file
        return Path(self.prefs.ca_file).expanduser() if self.prefs.ca_file else None

    def ssl_for(self, hub_url: str) -> SSLArg:
        """The `ssl=` for connections to this hub; a CA file that cannot be used is a `HubClientError` to show."""
        try:
            return HubTrust(ca_file=self.ca_file, pins=self.prefs.pins).ssl_for(hub_url)
        except ConfigError as exc:
            raise HubClientError(f"{exc} (change it in Settings, or start with another --ca-file)") from None

    async def resolve(self, error: CertificateError) -> bool:
        """Ask the user about a refused certificate; True when they trusted it (it is pinned: try again)."""
        prompt = prompt_for(error, announced=self.announced(error.hub_url))
        if prompt.kind is PromptKind.CHANGED:
            self.report.event("certificate_changed", hub=prompt.hub_url, fingerprint=prompt.fingerprint,
                              pinned=prompt.pinned)  # fmt: skip
        else:
            self.report.event("certificate_untrusted", hub=prompt.hub_url, fingerprint=prompt.fingerprint,
                              reason=prompt.reason)  # fmt: skip
        if not prompt.fingerprint:
            return False
        self.cancel()  # one question at a time: a newer one replaces an unanswered one
        self._pending = asyncio.get_running_loop().create_future()
        self.dialog.ask(prompt)
        trusted = answer(prompt, await self._pending, self.prefs.pins)
        self.report.event("certificate_trusted" if trusted else "certificate_refused", hub=prompt.hub_url,
                          fingerprint=prompt.fingerprint, kind=prompt.kind.value)  # fmt: skip
        return trusted

    def refusal(self, error: CertificateError) -> str:
        return prompt_for(error).refusal()

    def cancel(self) -> None:
        """Close an open prompt as "not trusted" (quit, sign-out)."""
        pending, self._pending = self._pending, None
        if pending is not None and not pending.done():
            pending.set_result(False)
        if self.dialog.isVisible():
            self.dialog.blockSignals(True)
            self.dialog.reject()
            self.dialog.blockSignals(False)

    def _answered(self, trusted: bool) -> None:
        pending, self._pending = self._pending, None
        if pending is not None and not pending.done():
            pending.set_result(trusted)
