"""Both stores' tables have exactly the columns `hub.store.schema.TABLES` describes, which the
shared SQL relies on: a migration added to one backend and not the other fails here."""

from __future__ import annotations

import sqlite3

from hub.store import SqliteStore, Store
from hub.store.schema import OWN_TABLES, TABLES


async def columns_of(store: Store) -> tuple[str, dict[str, tuple[str, ...]]]:
    """The backend's name and every table of its database with its columns, in order."""
    if isinstance(store, SqliteStore):
        with sqlite3.connect(store.path) as db:
            names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return "sqlite", {n: tuple(r[1] for r in db.execute(f"PRAGMA table_info({n})")) for n in names}
    import asyncpg

    conn = await asyncpg.connect(store.dsn)  # type: ignore[attr-defined]
    try:
        rows = await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        )
    finally:
        await conn.close()
    tables: dict[str, tuple[str, ...]] = {}
    for row in rows:
        tables[row[0]] = (*tables.get(row[0], ()), row[1])
    return "postgres", tables


async def test_every_table_has_the_columns_the_schema_describes(store: Store) -> None:
    backend, tables = await columns_of(store)

    assert set(tables) == set(TABLES) | OWN_TABLES[backend]
    assert {name: tables[name] for name in TABLES} == TABLES
