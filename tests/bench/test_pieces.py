"""`python -m bench.pieces` runs and prints its tables (no timings are asserted)."""

from __future__ import annotations

from pathlib import Path

from tests.bench import run_bench


def test_pieces_prints_a_cost_for_every_piece_and_both_stores(tmp_path: Path) -> None:
    proc = run_bench("bench.pieces", "--number", "200", "--batches", "3", "--dir", str(tmp_path), timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("|")[1:-1] for line in proc.stdout.splitlines() if line.startswith("| ")]
    pieces = {cells[0].strip(): float(cells[1]) for cells in rows if len(cells) == 2 and cells[1].strip()[:1].isdigit()}
    assert "validation (pydantic SendNotification)" in pieces and "in all" in pieces
    assert all(cost > 0 for cost in pieces.values())
    stores = [cells for cells in rows if len(cells) == 3 and cells[0].strip().isdigit()]
    assert [int(cells[0]) for cells in stores] == [10, 50, 500]
    assert all(float(hub) > 0 and float(floor) > 0 for _, hub, floor in stores)
    handoff = [cells for cells in rows if len(cells) == 3 and "SqliteStore.check" in cells[0]]
    assert len(handoff) == 1 and all(float(cpu) >= 0 for cpu in handoff[0][1:])
    pipeline = [cells for cells in rows if len(cells) == 5 and cells[0].strip().isdigit()]
    assert [int(cells[0]) for cells in pipeline] == [1, 30, 200, 1000]
    assert all(float(cells[1]) > 0 and float(cells[2]) > 0 for cells in pipeline)
    assert list(tmp_path.iterdir()) == []  # the store files are gone
