"""The hub's persistent store: one interface, backends behind it."""

from __future__ import annotations

from hub.store.base import NewNotification, PruneResult, Room, Store, Stored, StoredBatch, TokenInfo, TokenKind, User
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
]
