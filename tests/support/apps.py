"""For scenarios that run the whole tray app on a qasync loop (tests/desktop/test_app*.py): a real hub with
some users, and the app running until the scenario ends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from desktop.app.tray_app import TrayApp
from hub.accounts import Accounts
from hub.app import STORE
from hub.server import RunningHub
from tests.conftest import WAIT, make_config
from tests.desktop.test_app import free_port


@asynccontextmanager
async def hub_with(folder: Path, **passwords: str) -> AsyncIterator[tuple[str, Accounts]]:
    """A hub on a free loopback port with these users (name=password); yields its URL and its accounts."""
    running = RunningHub(make_config(folder, port=free_port()))
    url = await running.start()
    accounts = Accounts(running.app[STORE])
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
