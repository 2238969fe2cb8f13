"""`python -m bench.store_ids` runs and prints its tables (no timings are asserted)."""

from __future__ import annotations

from pathlib import Path

from tests.bench import run_bench


def test_store_ids_prints_autoincrements_cost_the_head_rows_and_whole_batches(tmp_path: Path) -> None:
    proc = run_bench("bench.store_ids", "--notes", "400", "--rounds", "1", "--dir", str(tmp_path), timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [
        [cell.strip() for cell in line.split("|")[1:-1]] for line in proc.stdout.splitlines() if line.startswith("| ")
    ]
    [cost] = [row for row in rows if row[0] == "AUTOINCREMENT's cost, µs"]
    assert len(cost) == 1 + 7  # statements of 1, 2, 4, ..., 64 rows
    per_batch = [row for row in rows if len(row) == 5 and row[0].isdigit()]
    assert [(row[0], row[1]) for row in per_batch] == [("10", "2"), ("50", "3"), ("500", "10")]
    whole = [row for row in rows if len(row) == 4 and row[0].isdigit()]
    assert [row[0] for row in whole] == ["10", "50", "500"]
    assert all(float(cell.split()[0]) > 0 for row in whole for cell in row[1:3])
    assert list(tmp_path.iterdir()) == []  # the store files are gone
