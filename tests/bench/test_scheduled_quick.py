"""`python -m bench.scheduled` runs end to end on a tiny load and prints the lateness of scheduled
notifications. No figure is asserted (this machine is shared): only that every one arrived."""

from __future__ import annotations

import re

from tests.bench import run_bench


def test_scheduled_bench_reports_the_lateness() -> None:
    done = run_bench("bench.scheduled", "--count", "5", "--spread", "1", timeout=60)

    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "scheduled notifications: 5 over 1 s" in done.stdout
    assert re.search(r"^lateness ms: median [\d.]+ {2}p95 [\d.]+ {2}worst [\d.]+$", done.stdout, re.MULTILINE)
