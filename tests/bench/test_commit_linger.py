"""`python -m bench.commit_linger` runs and prints a row per rate and linger (no timings are asserted)."""

from __future__ import annotations

from bench.commit_linger import DEFAULT_LINGER
from tests.bench import run_bench


def test_commit_linger_prints_both_settings_for_every_rate() -> None:
    proc = run_bench("bench.commit_linger", "--rates", "200", "500", "--rounds", "1", "--seconds", "0.3", timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("|")[1:-1] for line in proc.stdout.splitlines() if line.startswith("| ")]
    figures = [cells for cells in rows if cells[0].strip().replace(",", "").isdigit()]
    default = f"{DEFAULT_LINGER:g}"
    assert [(c[0].strip(), c[2].strip()) for c in figures] == [
        ("200", "0"),
        ("200", default),
        ("500", "0"),
        ("500", default),
    ]
    assert all(float(c[3]) > 0 and float(c[4]) >= 0 for c in figures)


def test_commit_linger_closed_prints_answers_a_second_for_both_settings() -> None:
    proc = run_bench("bench.commit_linger", "--closed", "30", "--rounds", "1", timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("|")[1:-1] for line in proc.stdout.splitlines() if line.startswith("| 1 ")]
    assert [c[1].strip() for c in rows] == ["0", f"{DEFAULT_LINGER:g}"]
    assert all(float(c[2].replace(",", "")) > 0 for c in rows)
