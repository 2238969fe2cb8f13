"""Ways of storing a direct notification in SQLite, measured side by side.

    python -m bench.store_layout                      # batches of 10, 50, 500; replay; prune
    python -m bench.store_layout --users 20 --notes 400 --batches 2 --rounds 1   # a smoke run

- **inbox, schema 7**: a `notifications` row and an `inbox` row `(user_id, notification_id)`, a
  WITHOUT ROWID table with foreign keys to both, found for replay through its primary key and for
  deletion through `inbox_notification`; every notification has an entry in the index of keys
  `(sender_id, key, addressee)`, key or not.
- **inbox, schema 8** (the store's layout): the same, with the index of keys over keyed rows only.
- **no AUTOINCREMENT**: schema 8 with `notifications` rebuilt without AUTOINCREMENT (no
  `sqlite_sequence` row read and written by each INSERT statement); the newest id given is kept in
  a one-row `notification_head`, as PostgreSQL's store keeps it: one UPDATE per batch.
- **one row**: schema 8 with the `notifications` row alone for a direct notification: the recipient
  in `to_user_id`, a partial index `(to_user_id, id)` for replay, retention and a deleted user's
  rows; notifications to several users (rooms, answers, retractions) keep their inbox rows. Once
  with a foreign key to users and the index over direct rows only, once with neither.

Each layout starts from the same store: `--users` users and `--notes` notifications already stored
(direct ones between random users), so the indexes are as deep as a used hub's. Then, with the store's
own settings (WAL, synchronous=FULL, foreign keys on, BEGIN IMMEDIATE ... COMMIT):
- **write**: batches of direct notifications between random users, each reading the newest id given
  in its transaction as the store does, CPU of the writing thread per notification (what the hub's
  store thread spends), and wall time per batch (the fsyncs);
- **replay**: a user's notifications after a cursor `--behind` rows back, µs per query (best of 7);
- **prune**: retention keeping each user's newest half, ms for the whole pass, on a copy of the store.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
import timeit
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from hub.store.schema import NOTIFICATION_ROW, SQLITE, orphans, replay_sql, user_readable
from hub.store.sqlite.migrations import MIGRATIONS
from hub.store.sqlite.thread import insert_many

STAMP = "2026-12-02T00:00:00.000Z"
OLD = "2026-01-01T00:00:00.000Z"
COLUMNS = "n.id, n.kind, n.type, n.title, n.message, n.sender, n.room, n.created_at, n.rich, n.sender_id"
ONE_ROW_DDL = """
ALTER TABLE notifications ADD COLUMN to_user_id INTEGER REFERENCES users(id) ON DELETE CASCADE;
CREATE INDEX notifications_to ON notifications(to_user_id, id) WHERE to_user_id IS NOT NULL;
"""
#: The same without the foreign key (a deleted user's rows would go by a statement of their own) and
#: with the index over every row, so that neither a users lookup nor the index's condition is paid.
BARE_DDL = """
ALTER TABLE notifications ADD COLUMN to_user_id INTEGER;
CREATE INDEX notifications_to ON notifications(to_user_id, id);
"""
_CONTROL = "n.kind NOT IN ('read', 'receipt', 'retract')"
ONE_ROW_REPLAY = (
    f"SELECT {COLUMNS} FROM inbox i JOIN notifications n ON n.id = i.notification_id"
    " WHERE i.user_id = ?1 AND i.notification_id > ?2"
    f" UNION ALL SELECT {COLUMNS} FROM notifications n WHERE n.to_user_id = ?1 AND n.id > ?2"
    f" UNION ALL SELECT {COLUMNS} FROM notifications n WHERE n.everyone = 1"
    " AND n.id > (SELECT MAX(first_id, pruned_upto) FROM users WHERE id = ?1) AND n.id > ?2"
    " ORDER BY 1 LIMIT ?3"
)
ONE_ROW_READABLE = (
    "SELECT i.notification_id AS id FROM inbox i JOIN notifications n ON n.id = i.notification_id"
    f" WHERE i.user_id = ?1 AND {_CONTROL}"
    f" UNION ALL SELECT n.id FROM notifications n WHERE n.to_user_id = ?1 AND {_CONTROL}"
    " UNION ALL SELECT n.id FROM notifications n WHERE n.everyone = 1"
    " AND n.id > (SELECT MAX(first_id, pruned_upto) FROM users WHERE id = ?1)"
)


#: The schema version the layouts start from.
SCHEMA_7 = 7
#: The newest id given, as the store reads it at the start of each batch: AUTOINCREMENT's counter.
AUTOINCREMENT_NEWEST = "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'notifications'), 0)"
#: `notifications` with the same columns, without AUTOINCREMENT, and the newest id given in a row of its own.
HEAD_DDL = """;
CREATE TABLE notification_head (one INTEGER PRIMARY KEY CHECK (one = 1), last_id INTEGER NOT NULL);
INSERT INTO notification_head(one, last_id) VALUES (1, 0);
DROP TABLE notifications;
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, type TEXT NOT NULL, title TEXT NOT NULL, message TEXT NOT NULL,
    sender TEXT NOT NULL, room TEXT, created_at TEXT NOT NULL, everyone INTEGER NOT NULL DEFAULT 0, rich TEXT,
    sender_id INTEGER REFERENCES users(id) ON DELETE SET NULL, key TEXT, addressee TEXT
);
CREATE INDEX notifications_everyone ON notifications(id) WHERE everyone = 1;
CREATE INDEX notifications_key ON notifications(sender_id, key, addressee) WHERE key IS NOT NULL
"""


class Layout(NamedTuple):
    name: str
    #: After schema 7.
    ddl: str
    #: The notifications columns a direct row fills.
    columns: tuple[str, ...]
    #: Whether a direct notification also writes an inbox row.
    inbox: bool
    replay: str
    #: Each user's readable notifications (`id`), parameter 1 the user.
    readable: str
    #: Delete a user's direct rows up to an id (one-row layout only).
    drop_direct: str | None
    orphans: str
    #: The newest id given, read at the start of each batch.
    newest: str = AUTOINCREMENT_NEWEST
    #: Keep the newest id given (parameter 1), once per batch; none: AUTOINCREMENT keeps it.
    move_head: str | None = None


INBOX = Layout(
    "inbox, schema 7",
    "",
    NOTIFICATION_ROW,
    True,
    replay_sql(SQLITE),
    user_readable(SQLITE),
    None,
    orphans(SQLITE),
)
#: The store's layout: schema 8's index of keys holds keyed rows only.
SCHEMA_8 = INBOX._replace(name="inbox, schema 8", ddl=MIGRATIONS[SCHEMA_7].sql)
ONE_ROW = Layout(
    "one row (foreign key, partial index)",
    MIGRATIONS[SCHEMA_7].sql + ONE_ROW_DDL,
    (*NOTIFICATION_ROW, "to_user_id"),
    False,
    ONE_ROW_REPLAY,
    ONE_ROW_READABLE,
    "DELETE FROM notifications WHERE to_user_id = ? AND id <= ?",
    orphans(SQLITE) + " AND n.to_user_id IS NULL",
)
BARE = ONE_ROW._replace(name="one row (no foreign key, full index)", ddl=MIGRATIONS[SCHEMA_7].sql + BARE_DDL)
#: Schema 8 without AUTOINCREMENT: the table rebuilt (on an empty store), the newest id given kept in a row.
HEAD = SCHEMA_8._replace(
    name="no AUTOINCREMENT (head row)",
    ddl=MIGRATIONS[SCHEMA_7].sql + HEAD_DDL,
    newest="SELECT last_id FROM notification_head",
    move_head="UPDATE notification_head SET last_id = ?",
)
LAYOUTS = (INBOX, SCHEMA_8, ONE_ROW, BARE, HEAD)


#: Extra PRAGMAs for every connection (`--pragma`), e.g. a larger page cache.
PRAGMAS: list[str] = []


def open_db(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        db.execute(f"PRAGMA {pragma}")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    return db


def create(path: Path, layout: Layout, users: int, notes: int, seed: int) -> None:
    """A store with `users` users and `notes` direct notifications, as `layout` keeps them."""
    db = open_db(path)
    try:
        db.execute("BEGIN")
        for sql in [step.sql for step in MIGRATIONS[:SCHEMA_7]] + [layout.ddl]:
            for statement in sql.split(";"):
                if statement.strip():
                    db.execute(statement)
        insert_many(db, "users(id, name, created_at)", [(u, f"u{u}", OLD) for u in range(1, users + 1)])
        rng = random.Random(seed)
        head = write(db, layout, 0, [OLD] * notes, pairs(rng, users, notes))
        if layout.move_head:
            db.execute(layout.move_head, (head,))
        db.execute("COMMIT")
    finally:
        db.close()


def write(
    db: sqlite3.Connection, layout: Layout, prev: int, stamps: Sequence[str], pairs: Sequence[tuple[int, int]]
) -> int:
    """Rows for direct notifications `prev + 1, ...`, each from a user to a user (`pairs`); the last id."""
    rows: list[tuple[Any, ...]] = []
    inbox: list[tuple[int, int]] = []
    nid = prev
    for at, (sender, user) in zip(stamps, pairs, strict=True):
        nid += 1
        message = f"bench|d|{nid}|123.456"
        row: tuple[Any, ...] = (
            nid,
            "direct",
            "message",
            "",
            message,
            f"u{sender}",
            None,
            at,
            False,
            None,
            sender,
            None,
            None,
        )
        rows.append((*row, user) if not layout.inbox else row)
        if layout.inbox:
            inbox.append((user, nid))
    insert_many(db, f"notifications({', '.join(layout.columns)})", rows)
    insert_many(db, "inbox(user_id, notification_id)", inbox)
    return nid


def pairs(rng: random.Random, users: int, count: int) -> list[tuple[int, int]]:
    """(sender, recipient) of `count` direct notifications between random users, as the bench's load sends."""
    return [(rng.randrange(1, users + 1), rng.randrange(1, users + 1)) for _ in range(count)]


class Figures(NamedTuple):
    cpu_us: float  # per notification, the writing thread
    wall_ms: float  # per batch


def write_batches(path: Path, layout: Layout, users: int, batch: int, batches: int, seed: int) -> Figures:
    db = open_db(path)
    try:
        rng = random.Random(seed)
        plan = [pairs(rng, users, batch) for _ in range(batches)]
        stamps = [STAMP] * batch
        cpu, wall = time.thread_time(), time.perf_counter()
        for to in plan:
            db.execute("BEGIN IMMEDIATE")
            prev = int(db.execute(layout.newest).fetchone()[0])
            head = write(db, layout, prev, stamps, to)
            if layout.move_head:
                db.execute(layout.move_head, (head,))
            db.execute("COMMIT")
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    finally:
        db.close()
    return Figures(cpu / (batch * batches) * 1e6, wall / batches * 1e3)


def replay_us(path: Path, layout: Layout, users: int, behind: int) -> float:
    """µs per replay of `behind` rows for a user (best of 7, over a spread of users)."""
    db = open_db(path)
    try:
        cursors = []
        for user in range(1, users + 1, max(1, users // 50)):
            row = db.execute(
                f"SELECT id FROM ({layout.readable}) ORDER BY id DESC LIMIT 1 OFFSET ?2", (user, behind)
            ).fetchone()
            cursors.append((user, row[0] if row else 0))

        def run() -> None:
            for user, after in cursors:
                rows = db.execute(layout.replay, (user, after, behind)).fetchall()
                assert rows

        return min(timeit.repeat(run, number=3, repeat=7)) / (3 * len(cursors)) * 1e6
    finally:
        db.close()


def prune_ms(path: Path, layout: Layout, keep: int) -> tuple[float, int]:
    """One retention pass keeping each user's newest `keep` (the store's by-count pass): ms, rows left."""
    db = open_db(path)
    try:
        started = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        for (user,) in db.execute("SELECT id FROM users").fetchall():
            row = db.execute(
                f"SELECT id FROM ({layout.readable}) ORDER BY id DESC LIMIT 1 OFFSET ?2", (user, keep)
            ).fetchone()
            if row is None:
                continue
            db.execute("DELETE FROM inbox WHERE user_id = ? AND notification_id <= ?", (user, row[0]))
            if layout.drop_direct:
                db.execute(layout.drop_direct, (user, row[0]))
            db.execute("UPDATE users SET pruned_upto = MAX(pruned_upto, ?) WHERE id = ?", (row[0], user))
        db.execute(layout.orphans)
        db.execute("COMMIT")
        spent = (time.perf_counter() - started) * 1e3
        return spent, int(db.execute("SELECT COUNT(*) FROM notifications").fetchone()[0])
    finally:
        db.close()


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.store_layout", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000, help="users (default 1,000)")
    parser.add_argument("--notes", type=int, default=200_000, help="notifications stored first (default 200,000)")
    parser.add_argument("--batches", type=int, default=0, help="batches per size (default: 5,000 notifications)")
    parser.add_argument("--behind", type=int, default=100, help="rows a replay fetches (default 100)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds, the layouts taking turns; medians shown (default 3)"
    )
    parser.add_argument("--dir", type=Path, help="where the store files go (default: a temporary directory)")
    parser.add_argument(
        "--pragma", action="append", default=[], help="a PRAGMA for every connection, e.g. cache_size=-65536"
    )
    parser.add_argument(
        "--layout",
        action="append",
        type=int,
        choices=range(1, len(LAYOUTS) + 1),
        help=f"only these layouts, by number ({'; '.join(f'{i}: {x.name}' for i, x in enumerate(LAYOUTS, 1))})",
    )
    args = parser.parse_args(argv)
    PRAGMAS[:] = args.pragma
    layouts = tuple(LAYOUTS[i - 1] for i in args.layout) if args.layout else LAYOUTS

    folder = Path(tempfile.mkdtemp(prefix="lan-notify-layout-", dir=args.dir))
    try:
        bases = {layout: folder / f"{i}.db" for i, layout in enumerate(layouts)}
        for layout, path in bases.items():
            create(path, layout, args.users, args.notes, seed=1)
        copy = folder / "copy.db"
        print(f"{args.users:,} users, {args.notes:,} notifications stored first; WAL, synchronous=FULL", end="")
        print(f"; {', '.join(args.pragma) or 'default PRAGMAs'}; medians of {args.rounds} rounds\n")
        print("| write, batch of | layout | store thread CPU µs / notification | wall ms / batch |")
        print("| ---: | --- | ---: | ---: |")
        for batch in (10, 50, 500):
            batches = args.batches or max(1, 5_000 // batch)
            got: dict[Layout, list[Figures]] = {layout: [] for layout in layouts}
            for round_ in range(args.rounds):
                for layout in layouts:
                    shutil.copy(bases[layout], copy)
                    got[layout].append(write_batches(copy, layout, args.users, batch, batches, seed=round_))
            for layout in layouts:
                cpu = median([f.cpu_us for f in got[layout]])
                wall = median([f.wall_ms for f in got[layout]])
                print(f"| {batch} | {layout.name} | {cpu:.1f} | {wall:.2f} |", flush=True)
        replay = {
            layout: median([replay_us(bases[layout], layout, args.users, args.behind) for _ in range(args.rounds)])
            for layout in layouts
        }
        pruned: dict[Layout, list[tuple[float, int]]] = {layout: [] for layout in layouts}
        for _ in range(args.rounds):
            for layout in layouts:
                shutil.copy(bases[layout], copy)
                pruned[layout].append(prune_ms(copy, layout, keep=args.notes // args.users // 2))
        print(f"\n| query | {' | '.join(layout.name for layout in layouts)} |")
        print(f"| --- |{' ---: |' * len(layouts)}")
        print(f"| replay of {args.behind} rows, µs | {' | '.join(f'{replay[layout]:.0f}' for layout in layouts)} |")
        ms = [f"{median([p[0] for p in pruned[layout]]):.0f}" for layout in layouts]
        print(f"| prune to each user's newest half, ms | {' | '.join(ms)} |")
        left = [f"{pruned[layout][0][1]:,}" for layout in layouts]
        print(f"| notifications left after the prune | {' | '.join(left)} |")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
