"""Fixtures of the cluster tests: several real hub processes sharing a real PostgreSQL and redis-server
(tests/support/cluster.py); each hub's log is shown when a test fails."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cluster import Cluster, close_cluster, make_cluster
from tests.support.servers import PostgresServer, RedisServer


@pytest.fixture
async def cluster(
    tmp_path: Path, redis_server: RedisServer, postgres_server: PostgresServer, request: pytest.FixtureRequest
) -> AsyncIterator[Cluster]:
    c = await make_cluster(tmp_path, redis_server, postgres_server)
    yield c
    await close_cluster(c)
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(c.logs())


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report
