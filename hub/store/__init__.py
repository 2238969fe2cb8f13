"""The hub's persistent store: one interface, backends behind it."""

from __future__ import annotations

from hub.store.base import Draft, PruneResult, Room, Store, Stored, TokenInfo, TokenKind, User
from hub.store.sqlite import SqliteStore

__all__ = ["Draft", "PruneResult", "Room", "SqliteStore", "Store", "Stored", "TokenInfo", "TokenKind", "User"]
