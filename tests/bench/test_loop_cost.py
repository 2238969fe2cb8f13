"""`python -m bench.loop_cost` runs, prints a row per rate and, with `--calls`, the event loop's calls
per send (no timings are asserted)."""

from __future__ import annotations

import pytest

from tests.bench import run_bench


@pytest.mark.timeout(240)
def test_loop_cost_prints_a_row_per_rate_and_the_calls_per_send() -> None:
    proc = run_bench(
        "bench.loop_cost", "--n", "20", "--rates", "200", "400", "--rounds", "1", "--seconds", "0.3", "--calls",
        "--top", "5", timeout=180,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("|")[1:-1] for line in proc.stdout.splitlines() if line.startswith("| ")]
    figures = [cells for cells in rows if cells[0].strip().replace(",", "").isdigit() and len(cells) == 6]
    assert [c[0].strip() for c in figures] == ["200", "400"]
    assert all(float(c[2]) > 0 and float(c[3]) >= 0 and float(c[5]) >= 1 for c in figures)
    calls = [line for line in proc.stdout.splitlines() if line.startswith("Python calls on the event loop's thread")]
    assert len(calls) == 2 and all(float(line.split(": ")[1].split()[0]) > 0 for line in calls)
    # the busiest functions, by calls per send, under each row
    assert sum(1 for cells in rows if len(cells) == 3 and cells[2].strip() not in ("function", "---")) >= 10
