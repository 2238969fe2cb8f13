"""The local history: every notification received, per hub + user, in SQLite.

`HistoryStore` (store.py) is synchronous and owns its connection; `AsyncHistory` (worker.py) runs one
on a single worker thread so the event loop never waits on the disk. The schema (schema.py) is
versioned with `PRAGMA user_version` and upgraded by the ordered `MIGRATIONS`.
"""

from desktop.core.history.schema import MIGRATIONS, SCHEMA_VERSION
from desktop.core.history.store import PAGE, GapMarker, HistoryEntry, HistoryStore, StoredNotification, history_path
from desktop.core.history.worker import AsyncHistory

__all__ = [
    "MIGRATIONS",
    "PAGE",
    "SCHEMA_VERSION",
    "AsyncHistory",
    "GapMarker",
    "HistoryEntry",
    "HistoryStore",
    "StoredNotification",
    "history_path",
]
