"""`python -m bench.store_layout` runs and prints its tables (no timings are asserted)."""

from __future__ import annotations

from pathlib import Path

from bench.store_layout import LAYOUTS
from tests.bench import run_bench


def test_store_layout_writes_replays_and_prunes_each_layout_alike(tmp_path: Path) -> None:
    proc = run_bench(
        "bench.store_layout",
        *("--users", "20", "--notes", "400", "--batches", "2", "--behind", "5", "--rounds", "1"),
        *("--dir", str(tmp_path)),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    rows = [
        [cell.strip() for cell in line.split("|")[1:-1]] for line in proc.stdout.splitlines() if line.startswith("| ")
    ]
    writes = [row for row in rows if len(row) == 4 and row[0].isdigit()]
    assert [(int(row[0]), row[1]) for row in writes] == [(b, layout.name) for b in (10, 50, 500) for layout in LAYOUTS]
    assert all(float(row[2]) > 0 and float(row[3]) > 0 for row in writes)
    queries = {row[0]: row[1:] for row in rows if len(row) == 1 + len(LAYOUTS)}
    assert all(float(ms) > 0 for ms in queries["replay of 5 rows, µs"])
    # Every layout keeps the same notifications through retention: each user's newest half.
    assert len(set(queries["notifications left after the prune"])) == 1
    assert queries["notifications left after the prune"][0] == "200"
    assert list(tmp_path.iterdir()) == []  # the store files are gone


def test_store_layout_runs_only_the_layouts_asked_for(tmp_path: Path) -> None:
    proc = run_bench(
        "bench.store_layout",
        *("--users", "20", "--notes", "400", "--batches", "2", "--behind", "5", "--rounds", "1"),
        *("--layout", "2", "--layout", str(len(LAYOUTS)), "--dir", str(tmp_path)),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    writes = [line.split("|")[2].strip() for line in proc.stdout.splitlines() if line.startswith("| 10 |")]
    assert writes == [LAYOUTS[1].name, LAYOUTS[-1].name]
