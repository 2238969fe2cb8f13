"""For scenarios that run the whole tray app on a qasync loop (tests/desktop/test_app*.py).

pytest-qt does not drive a qasync loop, so each scenario is a coroutine that `run_on_qasync` runs to its
end on a `qasync.QEventLoop` built on the test's QApplication; the hub runs on the same loop.

    def test_...(qapp, tmp_path, prefs):           # `prefs`: tests/desktop/conftest.py
        async def scenario() -> None:
            async with hub_with(tmp_path / "hub", alice="pw") as (url, accounts):
                reporter = RecordingReporter()
                async with app_running(make_tray_app(qapp, tmp_path, prefs, reporter)) as app:
                    await reporter.until(lambda: bool(reporter.named("sign_in_requested")))
                    ...

        run_on_qasync(qapp, scenario)
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from desktop.app.tray_app import TrayApp
from desktop.core.preferences import Preferences
from desktop.system.credentials import KeyringCredentialStore, SessionFallbackStore
from desktop.system.report import Reporter
from hub.auth import Accounts
from hub.server import RunningHub
from tests.support.clients import Client
from tests.support.hubs import make_config
from tests.support.keyrings import DictKeyring
from tests.support.waiting import WAIT, Changes

os.environ.setdefault("QT_API", "pyside6")  # qasync picks its binding on import
import qasync


class RecordingReporter(Reporter):
    """Keeps what the app reports (`--report`'s events) and lets the scenario wait for it."""

    def __init__(self) -> None:
        super().__init__(None)
        self.events: list[dict[str, Any]] = []
        self._changes = Changes()

    def event(self, name: str, **fields: Any) -> None:
        self.events.append({"event": name, **fields})
        self._changes.poke()

    def toasts(self, view: Any) -> None:
        for info in view.visible:
            if info.key not in self._reported_toasts:
                self._reported_toasts[info.key] = (info.title, info.message, info.count)
                self.event("toast", style=info.style, title=info.title, kind=info.kind.value)

    async def until(self, predicate: Callable[[], bool]) -> None:
        await self._changes.until(predicate)

    def named(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == name]

    def last_state(self) -> str | None:
        states = self.named("state")
        return states[-1]["state"] if states else None


def run_on_qasync(qapp: QApplication, scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(asyncio.wait_for(scenario(), 60))
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
        asyncio.set_event_loop(None)


def ini_preferences(path: Path) -> Preferences:
    """The app's preferences in an INI file of the test's own (never the user's QSettings)."""
    return Preferences(QSettings(str(path), QSettings.Format.IniFormat))


def make_tray_app(
    qapp: QApplication,
    tmp_path: Path,
    prefs: Preferences,
    reporter: Reporter,
    *,
    keyring: KeyringBackend | None = None,
    **options: Any,
) -> TrayApp:
    """The whole app, offscreen with its status window: its history under `tmp_path`/data, its tokens in
    `keyring` (a fresh `DictKeyring` unless given) through the app's own fallback store. `options` are
    TrayApp's (`clock`, `host`, `notification_service`...)."""
    backend = keyring if keyring is not None else DictKeyring()
    return TrayApp(
        qapp,
        data_dir=tmp_path / "data",
        preferences=prefs,
        credentials=SessionFallbackStore(KeyringCredentialStore(backend)),
        reporter=reporter,
        use_tray=False,
        **options,
    )


@asynccontextmanager
async def hub_with(folder: Path, **passwords: str) -> AsyncIterator[tuple[str, Accounts]]:
    """A hub on a free loopback port with these users (name=password); yields its URL and its accounts."""
    running = RunningHub(make_config(folder))
    url = await running.start()
    accounts = running.accounts
    try:
        for name, password in passwords.items():
            await accounts.add_user(name, password, admin=False)
        yield url, accounts
    finally:
        await running.stop()


@asynccontextmanager
async def app_running(app: TrayApp) -> AsyncIterator[TrayApp]:
    """`app.run()` for the scenario's length; quits it (and waits for it) at the end."""
    run = asyncio.ensure_future(app.run())
    try:
        yield app
    finally:
        await app.quit()
        await asyncio.wait_for(run, WAIT)


async def connected_client(url: str, accounts: Accounts, name: str) -> Client:
    """A Socket.IO client signed in as `name` (a token of its own), past the hub's welcome."""
    client = Client(url, name)
    await client.connect({"token": (await accounts.issue_token(name, "test")).secret})
    await client.next("welcome")
    return client


def assert_no_secret_on_disk(root: Path, *secrets: str) -> None:
    """Neither the token nor the password is in any file the app wrote (QSettings, history)."""
    files = [p for p in root.rglob("*") if p.is_file() and "hub" not in p.relative_to(root).parts]
    assert any(p.name == "settings.ini" for p in files)
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"{secret!r} found in {path}"
