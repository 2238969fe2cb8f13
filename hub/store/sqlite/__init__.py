"""The embedded store: one SQLite file, for one hub (the default)."""

from __future__ import annotations

from hub.store.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
