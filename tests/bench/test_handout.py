"""`python -m bench.handout` runs and prints its table (no timings are asserted)."""

from __future__ import annotations

from tests.bench import run_bench


def test_handout_times_each_broadcast_and_queues_a_frame_for_every_online_user() -> None:
    proc = run_bench("bench.handout", "--n", "200", "--reps", "5", timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [[c.strip() for c in line.split("|")[1:-1]] for line in proc.stdout.splitlines() if line.startswith("| ")]
    figures = {cells[0]: cells[1:] for cells in rows if cells[1][:1].isdigit()}
    assert list(figures) == [
        "broadcast to everyone, 200 online + 5 offline (ms)",
        "broadcast to everyone, 100 online + 100 offline (ms)",
        "direct, per notification of a batch of 50 (µs)",
    ]
    assert [cells[2] for cells in figures.values()] == ["200", "100", "1"]  # a frame per online device
    assert all(float(best) > 0 and float(median) >= float(best) for best, median, _ in figures.values())
