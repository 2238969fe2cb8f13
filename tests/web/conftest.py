"""Fixtures of the browser tests: one headless Chromium for the run, a fresh connection to it per test (and
fresh browser contexts for every page: no cookie, storage or permission outlives a test)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.web.browser import Browser, ChromiumProcess, chromium_binary, connect


@pytest.fixture(scope="session")
def chromium() -> Iterator[str]:
    """The DevTools endpoint of a Chromium started for the run (once, when the first browser test needs it)."""
    process = ChromiumProcess(chromium_binary())
    try:
        yield process.start()
    finally:
        process.stop()


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Browser]:
    """Pages in fresh contexts; an uncaught script error on any of them fails the test."""
    async with connect(chromium) as session:
        yield session
    assert not session.page_errors, session.page_errors
