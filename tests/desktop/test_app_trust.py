"""The whole tray app (offscreen, qasync) against a real hub over TLS: trust on first use, a pinned
certificate, a changed one refused with a warning, a CA file; and what `--report` says about it.
"""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.app.main import parse_args
from desktop.core.preferences import Preferences
from desktop.net.tls import session_factory
from desktop.system.report import Reporter
from hub import tls
from hub.server import RunningHub
from tests.support.apps import RecordingReporter, make_tray_app, run_on_qasync
from tests.support.certificates import Certificate, make_certificate
from tests.support.clients import Client
from tests.support.hubs import make_config
from tests.support.keyrings import DictKeyring
from tests.support.ports import port_of
from tests.support.waiting import WAIT


class TeeReporter(RecordingReporter):
    """Records for the scenario to wait on, and writes the real `--report` JSON lines too."""

    def __init__(self, stream: io.StringIO) -> None:
        super().__init__()
        self._stream = stream

    def event(self, name: str, **fields: Any) -> None:
        Reporter.event(self, name, **fields)
        super().event(name, **fields)


async def start_hub(tmp_path: Path, certificate: Certificate, port: int = 0) -> tuple[RunningHub, str]:
    """A hub over TLS, on a free port (or on `port`, to come back where it was); returns it and its URL."""
    running = RunningHub(
        make_config(tmp_path / "hub", port=port, tls_cert=str(certificate.cert), tls_key=str(certificate.key))
    )
    return running, await running.start()


async def bob_client(running: RunningHub, url: str, certificate: Certificate) -> Client:
    bob = Client(url, "bob", http_session=session_factory(tls.client_ssl(certificate.cert)))
    await bob.connect({"token": (await running.accounts.issue_token("bob", "test")).secret})
    return bob


def test_trust_on_first_use_then_a_changed_certificate_is_refused(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    keyring = DictKeyring()
    first_cert = make_certificate(tmp_path / "tls1", "127.0.0.1")
    second_cert = make_certificate(tmp_path / "tls2", "127.0.0.1")
    report = io.StringIO()

    async def scenario() -> None:
        running, url = await start_hub(tmp_path, first_cert)
        accounts = running.accounts
        await accounts.add_user("alice", "wonderland", admin=False)
        await accounts.add_user("bob", "builder", admin=True)
        bob = await bob_client(running, url, first_cert)
        try:
            reporter = TeeReporter(report)
            app = make_tray_app(qapp, tmp_path, prefs, reporter, keyring=keyring)
            run = asyncio.ensure_future(app.run())
            await reporter.until(lambda: bool(reporter.named("sign_in_requested")))

            def submit() -> None:
                app.dialog.set_values(url, "alice")
                app.dialog.password.setText("wonderland")
                QTest.mouseClick(app.dialog.sign_in_button, Qt.MouseButton.LeftButton)

            # The self-signed certificate is not trusted: the prompt shows the hub and its fingerprint.
            submit()
            await reporter.until(lambda: app.trust.dialog.isVisible())
            (untrusted,) = reporter.named("certificate_untrusted")
            assert (untrusted["hub"], untrusted["fingerprint"]) == (url, first_cert.fingerprint)
            assert app.trust.dialog.hub.text() == f"Hub: {url}"
            assert app.trust.dialog.fingerprint.text().replace(":\n", ":").endswith(first_cert.fingerprint)

            # "Don't trust": still signed out, the sign-in dialog says why, nothing pinned, no token kept.
            QTest.mouseClick(app.trust.dialog.refuse_button, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: bool(reporter.named("sign_in_failed")))
            assert reporter.named("certificate_refused")[0]["fingerprint"] == first_cert.fingerprint
            assert app.signin.session is None and app.dialog.isVisible()
            assert app.dialog.error.text() == "Not signed in: you did not trust the hub's certificate."
            assert prefs.pins.pinned(url) is None and keyring.entries == {}

            # Again, and trust it: pinned for this hub, signed in over wss, notifications arrive.
            submit()
            await reporter.until(
                lambda: len(reporter.named("certificate_untrusted")) == 2 and app.trust.dialog.isVisible()
            )
            QTest.mouseClick(app.trust.dialog.trust_button, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: reporter.last_state() == "connected")
            assert prefs.pins.pinned(url) == first_cert.fingerprint
            pinned = prefs.pins.pinned(url) or ""
            assert tls.fingerprint_matches(tls.pem_to_der(first_cert.cert.read_bytes()), pinned)
            await bob.call("send_notification", {"to": "alice", "type": "info", "title": "tls", "message": "over wss"})
            await reporter.until(lambda: bool(reporter.named("toast")))
            await app.quit()
            await asyncio.wait_for(run, WAIT)
        finally:
            await bob.close()
            await running.stop()

        # The hub comes back with another certificate (same address): the app refuses it and warns.
        running, _ = await start_hub(tmp_path, second_cert, port_of(url))
        try:
            reporter = TeeReporter(report)
            app = make_tray_app(qapp, tmp_path, prefs, reporter, keyring=keyring)
            run = asyncio.ensure_future(app.run())
            await reporter.until(lambda: app.trust.dialog.isVisible())
            (changed,) = reporter.named("certificate_changed")
            assert changed == {"event": "certificate_changed", "hub": url, "fingerprint": second_cert.fingerprint,
                               "pinned": first_cert.fingerprint}  # fmt: skip
            assert app.trust.dialog.heading.text() == "Warning: the hub's certificate has changed"
            assert "connected" not in [e["state"] for e in reporter.named("state")]
            QTest.mouseClick(app.trust.dialog.refuse_button, Qt.MouseButton.LeftButton)
            await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
            reason = reporter.named("sign_in_requested")[-1]["reason"]
            assert reason.startswith("Refused: the hub's certificate changed") and second_cert.fingerprint in reason
            assert prefs.pins.pinned(url) == first_cert.fingerprint  # never re-trusted by itself
            assert app.signin.session is None
            await app.quit()
            await asyncio.wait_for(run, WAIT)
        finally:
            await running.stop()

    run_on_qasync(qapp, scenario)

    # The --report lines tell the story, without a token or a password.
    lines = [json.loads(line) for line in report.getvalue().splitlines()]
    names = [line["event"] for line in lines if line["event"].startswith(("certificate_", "signed_in"))]
    assert names == ["certificate_untrusted", "certificate_refused", "certificate_untrusted", "certificate_trusted",
                     "signed_in",
                     "signed_in", "certificate_changed", "certificate_refused"]  # fmt: skip
    # (the second start opens a session with the saved token; its connection then meets the new certificate)
    assert "wonderland" not in report.getvalue()
    assert all(token not in report.getvalue() for token in keyring.entries.values())


def test_a_ca_file_from_the_command_line_needs_no_prompt(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    keyring = DictKeyring()
    certificate = make_certificate(tmp_path / "tls", "127.0.0.1")
    args = parse_args(["--ca-file", str(certificate.cert)])

    async def scenario() -> None:
        running, url = await start_hub(tmp_path, certificate)
        await running.accounts.add_user("alice", "wonderland", admin=False)
        try:
            reporter = RecordingReporter()
            app = make_tray_app(qapp, tmp_path, prefs, reporter, keyring=keyring, ca_file=args.ca_file)
            run = asyncio.ensure_future(app.run())
            await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
            await app.signin.sign_in(url, "alice", "wonderland")
            await reporter.until(lambda: reporter.last_state() == "connected")
            assert not [e for e in reporter.events if e["event"].startswith("certificate_")]
            assert prefs.pins.pinned(url) is None
            await app.signin.sign_out()
            assert reporter.named("notice") == []  # the hub was told over https (logout verified too)
            await app.quit()
            await asyncio.wait_for(run, WAIT)
        finally:
            await running.stop()

    run_on_qasync(qapp, scenario)


def test_the_ca_file_setting_is_used_and_a_bad_one_is_explained(
    qapp: QApplication, tmp_path: Path, prefs: Preferences
) -> None:
    keyring = DictKeyring()
    certificate = make_certificate(tmp_path / "tls", "127.0.0.1")

    async def scenario() -> None:
        running, url = await start_hub(tmp_path, certificate)
        await running.accounts.add_user("alice", "wonderland", admin=False)
        try:
            reporter = RecordingReporter()
            app = make_tray_app(qapp, tmp_path, prefs, reporter, keyring=keyring)
            run = asyncio.ensure_future(app.run())
            await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
            prefs.save({"tls/ca_file": str(tmp_path / "missing.pem")})
            await app.signin.sign_in(url, "alice", "wonderland")
            assert "cannot use CA file" in app.dialog.error.text()
            assert app.signin.session is None
            prefs.save({"tls/ca_file": str(certificate.cert)})
            await app.signin.sign_in(url, "alice", "wonderland")
            await reporter.until(lambda: reporter.last_state() == "connected")
            assert not [e for e in reporter.events if e["event"].startswith("certificate_")]
            await app.quit()
            await asyncio.wait_for(run, WAIT)
        finally:
            await running.stop()

    run_on_qasync(qapp, scenario)
