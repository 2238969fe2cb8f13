"""The hub's persistent store: one interface (`Store`), two backends. `SqliteStore` is here;
`PostgresStore` comes from `hub.store.postgres` only, as it needs asyncpg (an optional dependency).
`create_store(config)` picks the one a configuration asks for."""

from __future__ import annotations

from hub.store.base import NewNotification, PruneResult, Room, Store, Stored, StoredBatch, TokenInfo, TokenKind, User
from hub.store.factory import create_store
from hub.store.sqlite import SqliteStore

__all__ = [
    "NewNotification",
    "PruneResult",
    "Room",
    "SqliteStore",
    "Store",
    "Stored",
    "StoredBatch",
    "TokenInfo",
    "TokenKind",
    "User",
    "create_store",
]
