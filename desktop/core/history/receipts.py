"""Receipts in the history database: what the user's own notifications sent with a receipt have been
told (`desktop.core.readstate.ReceiptState`), one row per notification."""

from __future__ import annotations

import json
import sqlite3

from desktop.core.readstate import Receipt, ReceiptState

_COLUMNS = "notification_id, addressees, delivered, delivered_devices, seen, event_id, delivered_to, seen_by"


def load_receipt(db: sqlite3.Connection, notification_id: int) -> ReceiptState | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM receipts WHERE notification_id = ?", (notification_id,)).fetchone()
    if row is None:
        return None
    nid, addressees, delivered, devices, seen, event_id, delivered_to, seen_by = row
    return ReceiptState(
        int(nid),
        addressees,
        delivered,
        devices,
        seen,
        event_id,
        tuple(json.loads(delivered_to)),
        tuple(json.loads(seen_by)),
    )


def take_receipt(db: sqlite3.Connection, receipt: Receipt) -> ReceiptState:
    """Take a receipt event in (a replay of one changes nothing); the state after it."""
    before = load_receipt(db, receipt.notification_id) or ReceiptState(receipt.notification_id)
    after = before.with_receipt(receipt)
    db.execute(
        f"INSERT OR REPLACE INTO receipts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (after.notification_id, after.addressees, after.delivered, after.delivered_devices, after.seen,
         after.event_id, json.dumps(after.delivered_to), json.dumps(after.seen_by)),
    )  # fmt: skip
    return after
