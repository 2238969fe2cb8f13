"""Choose the store a configuration asks for: PostgreSQL when `database` is set, else SQLite in `data_dir`."""

from __future__ import annotations

from hub.config import HubConfig
from hub.store.base import Store
from hub.store.sqlite import SqliteStore


def create_store(config: HubConfig) -> Store:
    """A store for `config`, not yet opened."""
    if config.database:
        from hub.store.postgres import PostgresStore  # asyncpg is an optional dependency

        return PostgresStore(config.database)
    return SqliteStore(config.database_path)
