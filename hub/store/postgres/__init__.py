"""The shared store: PostgreSQL, for several hubs at once. Imports asyncpg (an optional dependency)."""

from __future__ import annotations

from hub.store.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
