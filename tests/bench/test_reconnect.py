"""`python -m bench.reconnect` runs and prints a cost per reconnect for each N (no timings are asserted)."""

from __future__ import annotations

from tests.bench import run_bench


def test_reconnect_prints_a_cost_per_reconnect_for_each_n() -> None:
    proc = run_bench("bench.reconnect", "--n", "10", "20", timeout=120)

    assert proc.returncode == 0, proc.stderr
    rows = [line.split("|")[1:-1] for line in proc.stdout.splitlines() if line.startswith("| ") and "µs" in line]
    assert [int(cells[0]) for cells in rows] == [10, 20]
    assert all(float(cell.split()[0]) > 0 for cells in rows for cell in cells[1:])
