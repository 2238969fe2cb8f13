"""The store suite's fixture: every test that takes `store` runs against both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hub.store import SqliteStore, Store


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        backend: Store = SqliteStore(tmp_path / "hub.sqlite3")
    else:
        from hub.store.postgres import PostgresStore
        from tests.support.servers import create_database

        backend = PostgresStore(await create_database(request.getfixturevalue("postgres_server")))
    await backend.open()
    yield backend
    await backend.close()
