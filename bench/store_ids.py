"""What AUTOINCREMENT costs the store per batch, and what keeping the newest id in a row instead costs.

    python -m bench.store_ids                      # on a temporary folder; --dir /dev/shm: no fsync cost
    python -m bench.store_ids --notes 2000 --rounds 1   # a smoke run

Two stores as `bench.store_layout` makes them, with the same `--notes` notifications: the store's
layout (schema 8: `notifications` with AUTOINCREMENT, the newest id read from `sqlite_sequence`)
and the same without AUTOINCREMENT, the newest id given kept in a one-row `notification_head`
(`bench.store_layout.HEAD`). Thread CPU, best of 9, pinned as you run it (`taskset -c 0`):

- **its parts**, each in a transaction rolled back: an INSERT statement of 1 to 64 rows (the pieces
  `insert_many` cuts a batch into) in either table; reading the newest id; moving the head row;
- **per batch** of 10, 50 and 500 direct notifications, from those parts: what the statements of
  the batch save without AUTOINCREMENT, and what the head row's read and UPDATE cost instead;
- **whole batches**, written as `bench.store_layout` writes them and committed (synchronous=FULL),
  each layout in turn, `--rounds` times.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.store_layout import HEAD, SCHEMA_8, STAMP, Layout, create, open_db, pairs, write

PIECES = (1, 2, 4, 8, 16, 32, 64)
BATCHES = (10, 50, 500)
_ROW = "(?, 'direct', 'message', '', 'm', 'u1', '2026-12-02T00:00:00.000Z', 0, 1)"
_INSERT = "INSERT INTO notifications(id, kind, type, title, message, sender, created_at, everyone, sender_id) VALUES "


def best_us(db: sqlite3.Connection, fn: Callable[[], object], calls: int, end: str = "ROLLBACK") -> float:
    """Thread CPU µs per call of `fn`, `calls` of them in one transaction; best of 9."""
    best = float("inf")
    for _ in range(9):
        db.execute("BEGIN IMMEDIATE")
        started = time.thread_time()
        for _ in range(calls):
            fn()
        best = min(best, time.thread_time() - started)
        db.execute(end)
    return best / calls * 1e6


def statement_us(db: sqlite3.Connection, rows: int) -> float:
    """One INSERT statement of `rows` notifications, ids after the newest."""
    calls = max(20, 640 // rows)
    sql = _INSERT + ", ".join([_ROW] * rows)
    start = int(db.execute("SELECT MAX(id) FROM notifications").fetchone()[0]) + 1
    ids = iter(range(start, start + 10 * calls * rows * 9))

    def insert() -> None:
        db.execute(sql, [next(ids) for _ in range(rows)])

    return best_us(db, insert, calls)


def pieces(batch: int) -> list[int]:
    """The statement sizes `insert_many` cuts `batch` rows into."""
    out, left = [], batch
    while left:
        size = min(64, 1 << (left.bit_length() - 1))
        out.append(size)
        left -= size
    return out


def batches_us(db: sqlite3.Connection, layout: Layout, users: int, batch: int, count: int) -> float:
    """Thread CPU µs per notification for `count` committed batches of `batch`, best of 9."""
    to = pairs(random.Random(2), users, batch)
    stamps = [STAMP] * batch
    best = float("inf")
    for _ in range(9):
        started = time.thread_time()
        for _ in range(count):
            db.execute("BEGIN IMMEDIATE")
            head = write(db, layout, int(db.execute(layout.newest).fetchone()[0]), stamps, to)
            if layout.move_head:
                db.execute(layout.move_head, (head,))
            db.execute("COMMIT")
        best = min(best, time.thread_time() - started)
    return best / (count * batch) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.store_ids", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000, help="users (default 1,000)")
    parser.add_argument("--notes", type=int, default=50_000, help="notifications stored first (default 50,000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, the layouts taking turns (default 3)")
    parser.add_argument("--dir", type=Path, help="where the store files go (default: a temporary directory)")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="lan-notify-ids-", dir=args.dir))
    try:
        layouts = (SCHEMA_8, HEAD)
        dbs = {}
        for i, layout in enumerate(layouts):
            create(folder / f"{i}.db", layout, args.users, args.notes, seed=1)
            dbs[layout] = open_db(folder / f"{i}.db")
        old, new = dbs[SCHEMA_8], dbs[HEAD]
        saved: dict[int, list[float]] = {rows: [] for rows in PIECES}
        reads: list[float] = []
        moves: list[float] = []
        whole: dict[tuple[int, Layout], list[float]] = {}
        for round_ in range(args.rounds):
            for rows in PIECES:
                saved[rows].append(statement_us(old, rows) - statement_us(new, rows))
            reads.append(best_us(new, lambda: new.execute(HEAD.newest).fetchone(), 2000))
            reads[-1] -= best_us(old, lambda: old.execute(SCHEMA_8.newest).fetchone(), 2000)
            moves.append(best_us(new, lambda: new.execute(HEAD.move_head or "", (10**9,)), 2000))
            for batch in BATCHES:
                for layout in layouts if round_ % 2 == 0 else layouts[::-1]:
                    figure = batches_us(dbs[layout], layout, args.users, batch, max(1, 1000 // batch))
                    whole.setdefault((batch, layout), []).append(figure)
        for db in dbs.values():
            db.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    med = statistics.median
    print(f"{args.users:,} users, {args.notes:,} notifications stored first; medians of {args.rounds} rounds\n")
    print("| INSERT statement of | rows: 1 | 2 | 4 | 8 | 16 | 32 | 64 |\n| --- |" + " ---: |" * len(PIECES))
    print("| AUTOINCREMENT's cost, µs | " + " | ".join(f"{med(saved[r]):.2f}" for r in PIECES) + " |")
    read, move = med(reads), med(moves)
    print(f"\nthe head row instead: its read {read:+.2f} µs against sqlite_sequence's, its UPDATE {move:.2f} µs\n")
    print("| batch of | statements | AUTOINCREMENT µs / batch | head row µs / batch | net µs / notification |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for batch in BATCHES:
        cost = sum(med(saved[size]) for size in pieces(batch))
        print(
            f"| {batch} | {len(pieces(batch))} | {cost:.1f} | {read + move:.1f} | {(read + move - cost) / batch:+.3f} |"
        )
    print("\n| whole batches, committed, of | AUTOINCREMENT µs / notification | head row | head / AUTOINCREMENT |")
    print("| ---: | --- | --- | ---: |")
    for batch in BATCHES:
        a, h = whole[(batch, SCHEMA_8)], whole[(batch, HEAD)]
        spread = f"{med(a):.2f} ({min(a):.2f}-{max(a):.2f})", f"{med(h):.2f} ({min(h):.2f}-{max(h):.2f})"
        print(f"| {batch} | {spread[0]} | {spread[1]} | {med(h) / med(a):.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
