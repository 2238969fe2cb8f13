"""Fixtures of the browser tests: one headless Chromium and one Playwright connection to it for the run,
and fresh browser contexts for every page (no cookie, storage or permission outlives a test).

Playwright's connection belongs to the event loop it was made on, so the tests here all run on the
session's event loop, and so do the in-process hubs they start (`hub`, `hub_factory`, as in
tests/conftest.py: a fresh hub per test, stopped after it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.support import hubs
from tests.support.hubs import Hub
from tests.web.browser import Browser, ChromiumProcess, chromium_binary, connect

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every async test of tests/web runs on the session's event loop (this hook sees the whole run's items)."""
    on_session_loop = pytest.mark.asyncio(loop_scope="session")
    for item in items:
        if HERE in item.path.resolve().parents and pytest_asyncio.is_async_test(item):
            item.add_marker(on_session_loop, append=False)


@pytest.fixture(scope="session")
def chromium() -> Iterator[str]:
    """The DevTools endpoint of a Chromium started for the run (once, when the first browser test needs it)."""
    process = ChromiumProcess(chromium_binary())
    try:
        yield process.start()
    finally:
        process.stop()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def playwright_chromium(chromium: str) -> AsyncIterator[Any]:
    """Playwright's driver connected to that Chromium."""
    async with connect(chromium) as connected:
        yield connected


@pytest_asyncio.fixture(loop_scope="session")
async def browser(playwright_chromium: Any) -> AsyncIterator[Browser]:
    """Pages in fresh contexts, closed after the test; an uncaught script error on any of them fails the test."""
    session = Browser(playwright_chromium)
    try:
        yield session
    finally:
        await session.close()
    assert not session.page_errors, session.page_errors


@pytest_asyncio.fixture(loop_scope="session")
async def hub_factory(tmp_path: Path) -> AsyncIterator[Any]:
    async with hubs.hub_starter(tmp_path / "hub") as start:
        yield start


@pytest_asyncio.fixture(loop_scope="session")
async def hub(hub_factory: Any) -> Hub:
    started: Hub = await hub_factory()
    return started
