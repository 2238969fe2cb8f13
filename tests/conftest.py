"""Shared fixtures: a real hub on a free loopback port, and real python-socketio clients (the helpers
behind them live in tests/support/)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from hub.auth import passwords
from hub.config import ENV_PREFIX
from tests.support import hubs
from tests.support.hubs import Hub, HubProcess

# Real redis-server and PostgreSQL fixtures (`redis_server`, `postgres_server`, `postgres_url`).
pytest_plugins = ["tests.support.servers"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """With CI=true a skipped test fails the run: CI must never pass by skipping something that is
    missing (a server, Xvfb, a keyring, Node.js). On a developer machine the skip stands, with its
    reason."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and not hasattr(report, "wasxfail") and os.environ.get("CI", "").lower() in {"1", "true"}:
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"CI=true: this test would have been skipped ({reason}); run scripts/bootstrap.sh"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No LAN_NOTIFY_* setting from the developer's shell leaks into a test, and no hub announces itself."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)
    # No hub a test starts, in this process or a child, announces itself on the machine's real network
    # (the tray app's hosted hub listens on every interface); the discovery tests use a namespace of their own.
    monkeypatch.setenv(ENV_PREFIX + "ANNOUNCE", "false")
    monkeypatch.setenv(ENV_PREFIX + "DISCOVERY", "false")  # nor does a tray app's sign-in dialog browse for hubs
    yield


#: argon2id at its lowest cost (one pass over 8 KiB): still the hub's code and hash format, a thousand times
#: cheaper than the production profile (~0.25 s a hash or check on the test machine, hundreds per run).
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hubs in this process hash passwords cheaply, except in tests marked `production_hashing` (which check
    the hashing itself). A hub in a child process (`notify-hub`, HubProcess) keeps the production profile."""
    if request.node.get_closest_marker("production_hashing") is None:
        monkeypatch.setattr(passwords, "_hasher", CHEAP_HASHER)
        monkeypatch.setattr(passwords, "_DUMMY_HASH", CHEAP_HASHER.hash("not a password anyone has"))


@pytest.fixture
async def hub_factory(tmp_path: Path) -> AsyncIterator[Any]:
    async with hubs.hub_starter(tmp_path / "hub") as start:
        yield start


@pytest.fixture
async def hub(hub_factory: Any) -> Hub:
    return await hub_factory()


@pytest.fixture
async def hub_process(tmp_path: Path) -> AsyncIterator[HubProcess]:
    process = HubProcess(tmp_path / "hub-process")
    yield process
    await process.close()
