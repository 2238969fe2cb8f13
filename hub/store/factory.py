"""Choose the store a configuration asks for: PostgreSQL when `database` is set, else SQLite in `data_dir`."""

from __future__ import annotations

from hub.config import HubConfig
from hub.store.base import Store
from hub.store.sqlite import SqliteStore
from hub.store.sqlite.checkpoint import CheckpointPolicy


def create_store(config: HubConfig) -> Store:
    """A store for `config`, not yet opened."""
    if config.database:
        from hub.store.postgres import PostgresStore  # asyncpg is an optional dependency

        return PostgresStore(config.database)
    return SqliteStore(config.database_path, checkpoint_policy(config))


def checkpoint_policy(config: HubConfig) -> CheckpointPolicy:
    """The SQLite store's checkpointer as `config` sets it (`wal_checkpoint_ms`, `wal_restart_pages`)."""
    return CheckpointPolicy(interval_s=config.wal_checkpoint_ms / 1000, restart_pages=config.wal_restart_pages)
