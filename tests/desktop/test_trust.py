"""Trusting a hub's TLS certificate: the core decision (no Qt, no network), and the net layer against a TLS hub."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop.core.connection import ConnectionState, ConnectionStatus
from desktop.core.models import ReceivedNotification
from desktop.core.trust import MemoryPins, PromptKind, TrustPrompt, answer, hub_origin, prompt_for
from desktop.errors import CertificateChangedError, CertificateError, CertificateUntrustedError
from desktop.net.client import HubClient
from desktop.net.http import login, logout
from desktop.net.tls import HubTrust
from tests.support.certificates import Certificate, make_certificate, sender, tls_hub
from tests.support.waiting import Changes


@pytest.fixture
def certificate(tmp_path: Path) -> Certificate:
    return make_certificate(tmp_path / "tls", "127.0.0.1", "localhost")


class Watcher(Changes):
    """A HubClient's callbacks, recorded; `until` waits on them (never on the clock)."""

    def __init__(self) -> None:
        super().__init__()
        self.states: list[ConnectionStatus] = []
        self.received: list[ReceivedNotification] = []
        self.untrusted: list[CertificateError] = []

    def on_state(self, status: ConnectionStatus) -> None:
        self.states.append(status)
        self.poke()

    async def on_notification(self, notification: ReceivedNotification) -> None:
        self.received.append(notification)
        self.poke()

    def on_untrusted(self, error: CertificateError) -> None:
        self.untrusted.append(error)
        self.poke()

    def client(self, url: str, token: str, trust: HubTrust) -> HubClient:
        client = HubClient(
            url,
            token,
            on_notification=self.on_notification,
            on_state=self.on_state,
            on_untrusted=self.on_untrusted,
            ssl=trust.ssl_for(url),
        )
        client.start()
        return client


# ---------------------------------------------------------------------- core: no network


def test_pins_are_kept_per_hub_origin_and_survive_their_text_form() -> None:
    pins = MemoryPins()
    pins.pin("https://Hub.LAN/", "AA:BB")
    assert pins.pinned("https://hub.lan:443") == "AA:BB"
    assert pins.pinned("https://hub.lan:8765") is None
    assert hub_origin("https://[::1]:8765/x") == "https://[::1]:8765"
    again = MemoryPins.from_text(pins.to_text())
    assert again.pins == {"https://hub.lan:443": "AA:BB"}
    again.forget("https://hub.lan")
    assert again.pins == {}
    assert MemoryPins.from_text("not json").pins == {}
    assert MemoryPins.from_text("[1, 2]").pins == {}


def test_a_new_certificate_is_pinned_only_when_the_user_trusts_it() -> None:
    error = CertificateUntrustedError("x", hub_url="https://hub.lan:8765", fingerprint="AB:CD", reason="self-signed")
    prompt = prompt_for(error)
    assert prompt == TrustPrompt(PromptKind.NEW, "https://hub.lan:8765", "AB:CD", reason="self-signed")
    assert "https://hub.lan:8765" in prompt.text and "notify-hub tls self-signed" in prompt.text
    pins = MemoryPins()
    assert answer(prompt, False, pins) is False
    assert pins.pins == {}
    assert answer(prompt, True, pins) is True
    assert pins.pinned("https://hub.lan:8765") == "AB:CD"


def test_a_changed_certificate_is_a_warning_and_stays_refused_unless_trusted_again() -> None:
    pins = MemoryPins({"https://hub.lan:8765": "OLD"})
    error = CertificateChangedError("x", hub_url="https://hub.lan:8765", fingerprint="NEW", pinned="OLD")
    prompt = prompt_for(error)
    assert prompt.kind is PromptKind.CHANGED
    assert prompt.title.startswith("Warning")
    assert prompt.reject_label == "Keep refusing"
    assert "NEW" in prompt.refusal() and "OLD" in prompt.refusal()
    assert answer(prompt, False, pins) is False
    assert pins.pinned("https://hub.lan:8765") == "OLD"
    assert answer(prompt, True, pins) is True
    assert pins.pinned("https://hub.lan:8765") == "NEW"


def test_the_ssl_argument_follows_the_rules() -> None:
    pins = MemoryPins({"https://hub.lan:8765": "AB" * 32})
    trust = HubTrust(pins=pins)
    assert trust.ssl_for("http://hub.lan:8765") is True
    assert trust.ssl_for("https://other.lan") is True  # the system's CAs
    assert trust.ssl_for("https://hub.lan:8765").fingerprint == bytes.fromhex("AB" * 32)


# ---------------------------------------------------------------------- net: a real hub over TLS


async def test_pinned_fingerprint_login_and_a_notification_over_wss(hub_factory: Any, certificate: Certificate) -> None:
    hub = await tls_hub(hub_factory, certificate)
    trust = HubTrust(pins=MemoryPins())

    # Nothing trusts the self-signed certificate yet: the refusal carries the fingerprint to show.
    with pytest.raises(CertificateUntrustedError) as refused:
        await login(hub.url, "alice", "wonderland", ssl=trust.ssl_for(hub.url))
    assert refused.value.fingerprint == certificate.fingerprint
    assert refused.value.hub_url == hub.url
    assert "self-signed" in refused.value.reason or "self signed" in refused.value.reason

    # Trusting it (the prompt's answer) pins it; then sign-in and the live connection work.
    assert answer(prompt_for(refused.value), True, trust.pins or MemoryPins())
    result = await login(hub.url, "alice", "wonderland", ssl=trust.ssl_for(hub.url))
    watcher = Watcher()
    client = watcher.client(hub.url, result.token, trust)
    try:
        await watcher.until(lambda: bool(watcher.states) and watcher.states[-1].state is ConnectionState.CONNECTED)
        bob = await sender(hub, certificate)
        await bob.call("send_notification", {"to": "alice", "message": "over wss"})
        await watcher.until(lambda: bool(watcher.received))
        assert watcher.received[0].message == "over wss"
        assert watcher.untrusted == []
    finally:
        await client.stop()
    await logout(hub.url, result.token, ssl=trust.ssl_for(hub.url))


async def test_a_ca_file_is_enough(hub_factory: Any, certificate: Certificate) -> None:
    hub = await tls_hub(hub_factory, certificate)
    trust = HubTrust(ca_file=certificate.cert, pins=MemoryPins())
    result = await login(hub.url, "alice", "wonderland", ssl=trust.ssl_for(hub.url))
    watcher = Watcher()
    client = watcher.client(hub.url, result.token, trust)
    try:
        bob = await sender(hub, certificate)
        await watcher.until(lambda: bool(watcher.states) and watcher.states[-1].state is ConnectionState.CONNECTED)
        await bob.call("send_notification", {"to": "alice", "message": "trusted by CA file"})
        await watcher.until(lambda: bool(watcher.received))
        assert watcher.received[0].message == "trusted by CA file"
    finally:
        await client.stop()


async def test_a_changed_certificate_is_refused(hub_factory: Any, certificate: Certificate, tmp_path: Path) -> None:
    hub = await tls_hub(hub_factory, certificate)
    old = make_certificate(tmp_path / "old", "127.0.0.1")  # what the user trusted before the hub's was replaced
    pins = MemoryPins()
    pins.pin(hub.url, old.fingerprint)
    trust = HubTrust(ca_file=certificate.cert, pins=pins)  # a pin wins over a CA file that would verify it

    with pytest.raises(CertificateChangedError) as changed:
        await login(hub.url, "alice", "wonderland", ssl=trust.ssl_for(hub.url))
    assert (changed.value.fingerprint, changed.value.pinned) == (certificate.fingerprint, old.fingerprint)
    assert "not the pinned" in str(changed.value)

    # The live connection stops trying and reports it (a token alone never gets past a changed certificate).
    watcher = Watcher()
    client = watcher.client(hub.url, await hub.token("alice"), trust)
    try:
        await watcher.until(lambda: bool(watcher.untrusted))
        await client.wait_stopped()
    finally:
        await client.stop()
    (error,) = watcher.untrusted
    assert isinstance(error, CertificateChangedError)
    assert error.fingerprint == certificate.fingerprint
    assert all(s.state is not ConnectionState.CONNECTED for s in watcher.states)
    assert pins.pinned(hub.url) == old.fingerprint  # never re-trusted by itself


async def test_the_live_connection_reports_an_untrusted_certificate(hub_factory: Any, certificate: Certificate) -> None:
    hub = await tls_hub(hub_factory, certificate)
    watcher = Watcher()
    client = watcher.client(hub.url, await hub.token("alice"), HubTrust())
    try:
        await watcher.until(lambda: bool(watcher.untrusted))
    finally:
        await client.stop()
    (error,) = watcher.untrusted
    assert isinstance(error, CertificateUntrustedError)
    assert error.fingerprint == certificate.fingerprint
