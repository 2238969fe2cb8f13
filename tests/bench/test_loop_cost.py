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


@pytest.mark.timeout(240)
def test_split_parts_each_row_into_the_four_parts_of_the_event_loops_cpu() -> None:
    proc = run_bench(
        "bench.loop_cost", "--n", "20", "--rates", "300", "--rounds", "1", "--seconds", "0.3", "--split", timeout=180,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert lines[0].split("|")[7:-1] == [" in µs ", " hand-out µs ", " writes µs ", " rest µs "]
    (row,) = [line.split("|")[1:-1] for line in lines if line.startswith("| 300 ")]
    loop_us, parts = float(row[2]), [float(cell) for cell in row[6:]]
    assert len(parts) == 4 and all(part > 0 for part in parts[:3])
    assert sum(parts) == pytest.approx(loop_us, abs=0.3)  # five figures, each rounded to 0.05


@pytest.mark.timeout(240)
def test_path_times_a_sends_way_in_alone_a_row_per_round() -> None:
    proc = run_bench("bench.loop_cost", "--n", "20", "--path", "50", "--rounds", "2", timeout=180)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("|")[1:-1] for line in proc.stdout.splitlines() if line.startswith("| ")]
    figures = [cells for cells in rows if cells[0].strip().isdigit()]
    assert [c[0].strip() for c in figures] == ["1", "2"]
    assert all(0 < float(c[1]) <= float(c[2]) <= float(c[3]) for c in figures)  # best, median, worst
