"""`python -m bench.commit_times` runs, prints a row per rate and keeps each commit in its JSON; the
probe's long commits are split as documented (no timings are asserted)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.probe import step_figures
from tests.bench import run_bench


def test_commit_times_prints_a_row_per_rate_and_keeps_every_commit(tmp_path: Path) -> None:
    out = tmp_path / "commits.json"
    proc = run_bench("bench.commit_times", "--rates", "200", "500", "--seconds", "0.5", "--json", str(out), timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("|")[1:-1] for line in proc.stdout.splitlines() if line.startswith("| ")]
    figures = [cells for cells in rows if cells[0].strip().replace(",", "").isdigit()]
    assert [c[0].strip() for c in figures] == ["200", "500"]
    runs = json.loads(out.read_text())
    assert [r["rate"] for r in runs] == [200, 500]
    assert all(r["commits"] == len(r["each"]) > 0 for r in runs)


def test_the_probe_splits_each_long_commit_of_a_step() -> None:
    probe = {
        "lags": [],
        "store": [(10.0, 0.0, 0.120, "SqliteNotifications.add_batch.run"), (10.5, 0.0, 0.001, "x.add_batch.run")],
        # (time, hold, CPU, run-queue wait, a checkpoint during it)
        "commits": [(10.0, 0.120, 0.020, 0.070, True), (10.5, 0.001, 0.001, 0.0, False)],
        "collections": [(10.05, 2, 0.010, 0)],
        "flushes": [],
    }
    (long,) = step_figures(probe, 9.0, 11.0)["long_commits"]
    assert long == {
        "ms": 120.0,
        "cpu_ms": 20.0,
        "run_queue_ms": 70.0,
        "blocked_ms": 30.0,
        "checkpoint": True,
        "gc_ms": 10.0,
    }
