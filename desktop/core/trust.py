"""Trusting a hub's TLS certificate: pinned fingerprints per hub and the trust-on-first-use decision. No Qt.

A hub certificate that the system's CAs (or the CA file the user chose) verify just works. One that
fails verification (a LAN hub's self-signed certificate) is never accepted silently: the app asks
the user, showing the hub's address and the SHA-256 fingerprint it presented, to compare with what
`notify-hub tls self-signed` printed on the hub. Accepting pins that fingerprint for that hub;
later connections accept only that certificate, and a changed one is refused with a warning (the
user may trust the new one only by saying so, in the same kind of prompt).

Pins are keyed by the hub's origin (`https://host:port`), so `https://hub.lan` and
`https://hub.lan:443/` share one. A fingerprint is not a secret: the app keeps them in QSettings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol
from urllib.parse import urlsplit

from desktop.errors import CertificateChangedError, CertificateError
from hub.errors import FingerprintError
from hub.tls import parse_fingerprint


def hub_origin(hub_url: str) -> str:
    """`https://Hub.LAN/` -> `https://hub.lan:443`: the key a pin is stored under."""
    parts = urlsplit(hub_url.strip())
    scheme = (parts.scheme or "http").lower()
    host = (parts.hostname or "").lower()
    if not host:
        raise ValueError(f"not a hub address: {hub_url!r}")
    port = parts.port or (443 if scheme == "https" else 80)
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}"


def host_port(hub_url: str) -> tuple[str, int]:
    parts = urlsplit(hub_url.strip())
    if not parts.hostname:
        raise ValueError(f"not a hub address: {hub_url!r}")
    return parts.hostname, parts.port or (443 if parts.scheme.lower() == "https" else 80)


def two_lines(fingerprint: str) -> str:
    """`AB:CD:...` (32 bytes) on two lines of 16, easier to compare by eye (and it fits a dialog)."""
    parts = fingerprint.split(":")
    if len(parts) != 32:
        return fingerprint
    return ":".join(parts[:16]) + ":\n" + ":".join(parts[16:])


class PinStore(Protocol):
    """Where pinned fingerprints live (QSettings in the app, a dict in tests)."""

    def pinned(self, hub_url: str) -> str | None: ...

    def pin(self, hub_url: str, fingerprint: str) -> None: ...

    def forget(self, hub_url: str) -> None: ...


class MemoryPins:
    """A `PinStore` in a dict; also the parsing/serialising core of the QSettings one."""

    def __init__(self, pins: dict[str, str] | None = None) -> None:
        self.pins: dict[str, str] = dict(pins or {})

    def pinned(self, hub_url: str) -> str | None:
        return self.pins.get(hub_origin(hub_url))

    def pin(self, hub_url: str, fingerprint: str) -> None:
        self.pins[hub_origin(hub_url)] = fingerprint

    def forget(self, hub_url: str) -> None:
        self.pins.pop(hub_origin(hub_url), None)

    @classmethod
    def from_text(cls, text: str) -> MemoryPins:
        """Pins as stored (a JSON object `{origin: fingerprint}`); anything unreadable counts as no pins."""
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        return cls({str(k): str(v) for k, v in data.items() if isinstance(v, str) and v})

    def to_text(self) -> str:
        return json.dumps(self.pins, sort_keys=True)


class PromptKind(StrEnum):
    NEW = "new"  # never seen: trust on first use?
    CHANGED = "changed"  # not the pinned certificate: refused unless the user says otherwise


@dataclass(frozen=True, slots=True)
class TrustPrompt:
    """What the trust dialog shows (plain text) and what accepting it pins."""

    kind: PromptKind
    hub_url: str
    fingerprint: str
    pinned: str = ""
    reason: str = ""
    #: The fingerprint this hub announced on the LAN (mDNS), if the app saw one: a hint, never a proof.
    announced: str = ""

    @property
    def announced_matches(self) -> bool | None:
        """Whether the presented certificate is the one the hub announced; None when nothing was announced."""
        if not self.announced:
            return None
        try:
            return parse_fingerprint(self.announced) == parse_fingerprint(self.fingerprint)
        except FingerprintError:
            return False

    @property
    def announcement_note(self) -> str:
        """What the announcement adds to the prompt (plain text; "" when the hub announced nothing)."""
        matches = self.announced_matches
        if matches is None:
            return ""
        if matches:
            return (
                "This is also the fingerprint the hub announced on your network. Anyone on the network can "
                "announce anything, so still compare it with the one the hub's owner reads out to you."
            )
        return (
            "Warning: the hub announced a different fingerprint on your network. Something may be "
            "impersonating it: trust the certificate only if the hub's owner confirms the fingerprint "
            f"below. The announced one:\n{two_lines(self.announced)}"
        )

    @property
    def title(self) -> str:
        if self.kind is PromptKind.CHANGED:
            return "Warning: the hub's certificate has changed"
        return "Trust this hub's certificate?"

    @property
    def text(self) -> str:
        if self.kind is PromptKind.CHANGED:
            return (
                f"The hub at {self.hub_url} presented a different certificate from the one you trusted before, "
                "so the app refused to connect. This happens when the hub's certificate was replaced, but it "
                "can also mean someone is intercepting the connection.\n\n"
                "Trust the new certificate only if the hub's administrator tells you it was replaced and its "
                "fingerprint is exactly the one below."
            )
        reason = f" ({self.reason})" if self.reason else ""
        note = f"\n\n{self.announcement_note}" if self.announcement_note else ""
        return (
            f"The hub at {self.hub_url} presented a certificate that this computer cannot verify{reason}. "
            "A hub on your LAN with a self-signed certificate looks like this.\n\n"
            "Compare the fingerprint below with the one `notify-hub tls self-signed` printed on the hub "
            "(or ask its administrator). Trust it only if they are the same: the app will then accept "
            f"this certificate, and only this one, from this hub.{note}"
        )

    @property
    def accept_label(self) -> str:
        return "Trust the new certificate" if self.kind is PromptKind.CHANGED else "Trust this certificate"

    @property
    def reject_label(self) -> str:
        return "Keep refusing" if self.kind is PromptKind.CHANGED else "Don't trust it"

    def refusal(self) -> str:
        """What the app says when the user did not trust the certificate (sign-in dialog, notice)."""
        if self.kind is PromptKind.CHANGED:
            return f"Refused: the hub's certificate changed (it is now {self.fingerprint}, you trusted {self.pinned})."
        return "Not signed in: you did not trust the hub's certificate."


def prompt_for(error: CertificateError, announced: str = "") -> TrustPrompt:
    """The question a certificate failure raises (the fingerprint must already be known). `announced`: the
    fingerprint the hub announced on the LAN, shown beside it for a new hub."""
    if isinstance(error, CertificateChangedError):
        return TrustPrompt(PromptKind.CHANGED, error.hub_url, error.fingerprint, pinned=error.pinned)
    return TrustPrompt(PromptKind.NEW, error.hub_url, error.fingerprint, reason=error.reason, announced=announced)


def answer(prompt: TrustPrompt, trusted: bool, pins: PinStore) -> bool:
    """Apply the user's answer: trusting pins the presented fingerprint for the hub; refusing changes nothing.

    Returns whether to try again (with the new pin).
    """
    if not trusted or not prompt.fingerprint:
        return False
    pins.pin(prompt.hub_url, prompt.fingerprint)
    return True
