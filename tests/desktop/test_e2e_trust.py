"""End to end: the real `notify-tray` process (Xvfb, real keyring) against a hub over TLS, and its `--report`.

A device signed in ahead of time, whose saved pin is not the hub's certificate (the hub's
certificate was replaced): the app reports the changed certificate and does not connect. With the
pin forgotten and `--ca-file` given, it connects over WSS without asking and shows a toast.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from desktop.net.http import login
from hub import tls
from tests.support.certificates import make_certificate, sender, tls_hub
from tests.support.e2e import Desktop, Process, Reports, needs_desktop, quit_app

pytestmark = needs_desktop


async def launch(desktop: Desktop, data_dir: Path, *args: str) -> tuple[Process, Reports]:
    command = [sys.executable, "-m", "desktop.app", "--data-dir", str(data_dir), "--report", "-", *args]
    app = await desktop.spawn("notify-tray-tls", *command, stdout=asyncio.subprocess.PIPE)
    assert app.proc.stdout is not None
    reports = Reports(app.proc.stdout)
    await reports.until({"event": "started"})
    return app, reports


async def test_notify_tray_over_tls_refuses_a_changed_certificate_and_trusts_a_ca_file(
    hub_factory: Any, desktop: Desktop, tmp_path: Path
) -> None:
    certificate = make_certificate(tmp_path / "tls", "127.0.0.1")
    old = make_certificate(tmp_path / "old", "127.0.0.1")
    hub = await tls_hub(hub_factory, certificate)
    token = (await login(hub.url, "alice", "wonderland", device="e2e", ssl=tls.client_ssl(certificate.cert))).token
    await desktop.signed_in_device(hub.url, token)
    conf = QSettings(str(desktop.home / ".config" / "lan-notify" / "notify-tray.conf"), QSettings.Format.IniFormat)
    conf.setValue("tls/pins", f'{{"{hub.url}": "{old.fingerprint}"}}')
    conf.sync()

    app, reports = await launch(desktop, tmp_path / "data")
    changed = await reports.until({"event": "certificate_changed"})
    assert changed == {"event": "certificate_changed", "hub": hub.url, "fingerprint": certificate.fingerprint,
                       "pinned": old.fingerprint}  # fmt: skip
    assert reports.matching({"event": "state", "state": "connected"}) == []
    await quit_app(app, reports)  # quitting with the warning open counts as refusing
    await reports.until({"event": "certificate_refused", "kind": "changed"})
    conf.sync()
    assert old.fingerprint in str(conf.value("tls/pins"))  # still the old pin: never re-trusted by itself

    conf.remove("tls/pins")
    conf.sync()
    app, reports = await launch(desktop, tmp_path / "data", "--ca-file", str(certificate.cert))
    await reports.until({"event": "state", "state": "connected"})
    bob = await sender(hub, certificate)
    ack = await bob.call("send_notification", {"to": "alice", "type": "info", "title": "tls", "message": "over wss"})
    await reports.until({"event": "toast", "notification_id": ack["id"]})
    assert [e for e in reports.events if e["event"].startswith("certificate_")] == []
    await quit_app(app, reports)
