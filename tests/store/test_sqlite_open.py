"""Opening a new SQLite store from several processes at once (the hub and an admin command)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from hub.errors import SchemaTooNew
from hub.store import SqliteStore
from hub.store.sqlite.migrations import SCHEMA_VERSION
from tests.support.waiting import WAIT


def open_together(path: Path, count: int) -> list[BaseException]:
    """`count` stores open the same file at the same moment; returns what they raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def open_one() -> None:
        async def run() -> None:
            store = SqliteStore(path)
            try:
                barrier.wait(timeout=WAIT)
                await store.open()
                await store.list_users()
            finally:
                await store.close()

        try:
            asyncio.run(run())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 3)
    assert not any(thread.is_alive() for thread in threads), "an open hung"
    return errors


def test_a_new_store_opened_by_several_at_once_is_migrated_once(tmp_path: Path) -> None:
    # `notify-hub serve & notify-hub user add alice` on a fresh data directory: both migrate.
    for attempt in range(5):
        path = tmp_path / f"hub-{attempt}.sqlite3"
        assert open_together(path, 4) == []
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_a_store_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "hub.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    store = SqliteStore(path)
    with pytest.raises(SchemaTooNew, match="upgrade lan-notify"):
        await store.open()
    await store.close()
